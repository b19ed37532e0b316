"""The Asset Inventory instrument as versioned data.

The survey items, the interview protocol and the qualitative codebook live in
``assetinv/data/instrument.yaml`` (schema: ``docs/design.md`` and
``docs/instrument.md``). :func:`load_instrument` reads that file, or a file of
your own in the same schema, checks it thoroughly and returns an
:class:`Instrument`.

Every problem in a user-supplied file is reported at once as a
:class:`~assetinv.errors.DataError` whose problems name the file, the line
(``row``), the YAML key path (``column``, e.g. ``items[3].domain``; list
positions count from 0) and the fix.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd
import yaml

from .errors import DataError, Problem

__all__ = ["Instrument", "Scale", "load_instrument", "resolve", "available_versions", "VALENCES"]

#: Cross-cutting codebook groups allowed besides the domain ids.
CROSS_CUTTING_GROUPS = ("BARRIER", "ENABLER")

_ID_RE = re.compile(r"^[A-Z][A-Z0-9-]*$")  # domains, questions, codes
_ITEM_ID_RE = re.compile(r"^[A-Z][A-Z0-9_-]*$")  # items may also use '_' (export names such as Q1_1)
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")  # roles, waves

_TOP_KEYS = ("version", "name", "scale", "roles", "waves", "domains", "items", "interview", "codebook")
_DOMAIN_KEYS = ("id", "name", "short", "definition")
_ITEM_REQUIRED = ("id", "domain", "text")
_ITEM_OPTIONAL = ("reverse", "roles", "notes", "scale", "mirrors")
_SCALE_KEYS = ("min", "max", "labels", "dont_know", "notes")
#: The scale id of a 1.0.0-style top-level ``scale:``.
DEFAULT_SCALE_ID = "default"
_QUESTION_REQUIRED = ("id", "domain", "text")
_QUESTION_OPTIONAL = ("probes", "notes", "minutes", "versions")
_CODE_KEYS = ("id", "group", "name", "definition", "use_when", "do_not_use_when", "example")
#: Optional code fields (2.0.0): the domain a code bears on, the valence a coding of it may take,
#: and a negative or borderline example.
_CODE_OPTIONAL = ("domain", "valence", "negative_example")
#: Valence of one coding: the excerpt shows a strength or a barrier.
VALENCES = ("strength", "barrier")
_CODE_VALENCES = ("either",) + VALENCES
#: Optional top-level keys (2.0.0).
_OPTIONAL_TOP_KEYS = ("forms", "changes", "coding_rules")
#: Bundled instrument versions -> file in assetinv/data. The default is DEFAULT_VERSION.
_VERSION_FILES = {"1.0.0": "instrument.yaml", "2.0.0": "instrument-2.0.0.yaml"}
DEFAULT_VERSION = "2.0.0"
_T = TypeVar("_T")
_ID_FIX = (
    "use uppercase letters A-Z, digits and hyphens only, starting with a letter (e.g. 'EX01', 'EX-SHARE')"
)
_ITEM_ID_FIX = (
    "use uppercase letters A-Z, digits, hyphens and underscores only, starting with a letter "
    "(e.g. 'EX01', 'Q1_1')"
)
_KEY_FIX = (
    "use lowercase letters, digits and underscores only, starting with a letter (e.g. 'teacher', 'followup')"
)


def _norm_label(text: Any) -> str:
    """Case-fold and collapse whitespace so labels compare loosely."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Scale:
    """One response scale of an instrument.

    Attributes
    ----------
    id : str
        The scale id (``"default"`` for a top-level ``scale:``; the key under
        ``scales:`` otherwise).
    min, max : int
        Lowest and highest scale point; shared by every scale of an instrument.
    labels : dict of int to str
        The text label of every point from ``min`` to ``max``.
    dont_know_code : int or None
        The code of the "Don't know / Not applicable" option, outside ``min..max``
        (e.g. 9), or None when the scale has no such option.
    dont_know_label : str or None
        Its text label.

    Examples
    --------
    >>> s = Scale("agree4", 1, 4, {1: "Disagree", 2: "Tend to disagree", 3: "Tend to agree", 4: "Agree"})
    >>> s.points, s.label_map["tend to agree"]
    ([1, 2, 3, 4], 3)
    """

    id: str
    min: int
    max: int
    labels: dict
    dont_know_code: int | None = None
    dont_know_label: str | None = None

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.min,
                self.max,
                tuple(sorted(self.labels.items())),
                self.dont_know_code,
                self.dont_know_label,
            )
        )

    @property
    def points(self) -> list[int]:
        """The scale points, ``min`` to ``max``."""
        return list(range(int(self.min), int(self.max) + 1))

    @property
    def label_map(self) -> dict[str, int]:
        """Normalised label (case-folded, single spaces) -> scale point."""
        return {_norm_label(v): int(k) for k, v in self.labels.items()}

    def is_dont_know(self, value: Any) -> bool:
        """True when ``value`` is this scale's Don't-know code or label (case/space-insensitive).

        Examples
        --------
        >>> Scale("a", 1, 5, {}, 9, "Don't know").is_dont_know(" don't KNOW ")
        True
        """
        if self.dont_know_code is None:
            return False
        key = _norm_label(value)
        if self.dont_know_label is not None and key == _norm_label(self.dont_know_label):
            return True
        try:
            return float(key) == float(self.dont_know_code)
        except ValueError:
            return False

    def to_dict(self) -> dict:
        """The scale in the YAML schema (``min, max, labels`` and ``dont_know`` if any)."""
        out: dict[str, Any] = {
            "min": int(self.min),
            "max": int(self.max),
            "labels": {int(k): str(v) for k, v in self.labels.items()},
        }
        if self.dont_know_code is not None:
            out["dont_know"] = {"code": int(self.dont_know_code), "label": str(self.dont_know_label)}
        return out


@dataclass(frozen=True, eq=False)
class Instrument:
    """A loaded, validated Asset Inventory instrument.

    Attributes
    ----------
    version : str
        Instrument version (e.g. ``"1.0.0"``); readers record it in
        ``df.attrs["instrument_version"]``.
    name : str
        Display name.
    scale_min, scale_max : int
        Lowest and highest response value (1 and 5 for the bundled file); shared
        by every scale of the instrument.
    labels : dict of int to str
        The text label of every point of the default (first) scale.
    roles : dict of str to str
        Respondent role id -> display label (``teacher``, ``leader``, ``district``).
    waves : dict of str to str
        Wave id -> display label, in data-collection order.
    domains : DataFrame
        Columns ``id, name, short, definition``, in the instrument's order.
    items : DataFrame
        Columns ``id, domain, text, reverse, roles`` (``roles`` holds a tuple of
        role ids), sorted by domain order then id.
    codebook : DataFrame
        Columns ``id, group, name, definition, use_when, do_not_use_when,
        example, domain, valence, negative_example``, sorted by group (domains
        first, then BARRIER, ENABLER) then id. ``domain`` is the domain a code
        bears on (its group for topic codes; "" for an untied cross-cutting
        code); ``valence`` is what a coding of it may record: ``either``,
        ``strength`` or ``barrier`` (``either`` when the file gives none, as
        1.0.0; a BARRIER code that states one must state ``barrier``, an
        ENABLER code ``strength``).
    interview : dict
        ``{"opening": str, "questions": [{"id", "domain", "text", "probes"}], "closing": str}``;
        questions keep the file's order (the order they are asked in) and may
        carry ``minutes`` and role ``versions`` (``{role: {"text", "probes"}}``).
    source : str
        The file the instrument was read from.
    sha256 : str
        SHA-256 of that file's bytes, for provenance.
    scales : dict of str to Scale
        Every response scale by id, the default (first) one first. A 1.0.0-style
        top-level ``scale:`` gives one scale with id ``"default"``.
    item_scales : dict of str to str
        Item id -> scale id, for items that name their scale (others use the
        default scale; see :meth:`item_scale`).
    not_asked : dict of str to tuple
        Domain id -> roles whose form does not ask the domain (no score for them).
    mirrors : dict of str to str
        Reverse-keyed item id -> the positive item it mirrors.
    forms : dict
        Role id -> ``{"reference_period", "instructions"}`` (2.0.0 role forms).
    changes : list of dict
        The ``changes:`` section: what changed from the previous version and why.
    coding_rules : list of dict
        ``{"id", "rule"}`` rules for coders (unit, co-coding, routing, valence).

    Examples
    --------
    >>> from assetinv import load_instrument
    >>> inst = load_instrument()
    >>> inst.item_ids("EX")[:3]
    ['EX09', 'EX10', 'EX11']
    >>> inst.domain_name(inst.domain_of("LM14"))
    'Learning mindset, inclusive of all students'
    >>> inst.label_to_value("  strongly AGREE ")
    5
    """

    version: str
    name: str
    scale_min: int
    scale_max: int
    labels: dict
    roles: dict
    waves: dict
    domains: pd.DataFrame
    items: pd.DataFrame
    codebook: pd.DataFrame
    interview: dict
    source: str = ""
    sha256: str = ""
    scales: dict = field(default_factory=dict)
    item_scales: dict = field(default_factory=dict)
    _label_lookup: dict = field(default_factory=dict, repr=False)
    _scales_key: str = field(default="scale", repr=False)  # which YAML form to_dict writes
    not_asked: dict = field(default_factory=dict)
    mirrors: dict = field(default_factory=dict)
    forms: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)
    coding_rules: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.scales:
            default = Scale(DEFAULT_SCALE_ID, int(self.scale_min), int(self.scale_max), dict(self.labels))
            object.__setattr__(self, "scales", {DEFAULT_SCALE_ID: default})
        if not self._label_lookup:
            lookup = {_norm_label(v): int(k) for k, v in self.labels.items()}
            object.__setattr__(self, "_label_lookup", lookup)

    def __repr__(self) -> str:
        return (
            f"Instrument(name={self.name!r}, version={self.version!r}, "
            f"domains={list(self.domains['id'])}, items={len(self.items)}, "
            f"codes={len(self.codebook)}, source={self.source!r})"
        )

    # ------------------------------------------------------------------ helpers
    def _check_domain(self, domain: str) -> None:
        if domain not in set(self.domains["id"]):
            raise KeyError(f"unknown domain {domain!r}; known domains: {list(self.domains['id'])}")

    def item_ids(self, domain: str | None = None, role: str | None = None) -> list[str]:
        """Item ids, in instrument order.

        Parameters
        ----------
        domain : str, optional
            Only the items of this domain id (``"EX"``, ``"LM"``, ``"CN"``, ``"OS"``).
        role : str, optional
            Only the items answered by this role id.

        Returns
        -------
        list of str

        Raises
        ------
        KeyError
            For an unknown domain or role.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> len(load_instrument().item_ids())
        82
        >>> load_instrument().item_ids("OS", role="district")[-1]
        'OS36'
        """
        return [str(i) for i in self._items_of(domain, role)["id"]]

    def _items_of(self, domain: str | None, role: str | None) -> pd.DataFrame:
        """The item rows of a domain and a role form (all when ``None``), checked."""
        items = self.items
        if domain is not None:
            self._check_domain(domain)
            items = items[items["domain"] == domain]
        if role is not None:
            if role not in self.roles:
                raise KeyError(f"unknown role {role!r}; known roles: {list(self.roles)}")
            items = items[[role in r for r in items["roles"]]]
        return items

    def items_asked_of_all(self, domain: str, roles: Iterable[str], columns=None) -> list[str]:
        """A domain's items on the form of every one of ``roles`` (the common form), in instrument order.

        Parameters
        ----------
        domain : str
            The domain id.
        roles : iterable of str
            Roles to compare; a role the instrument does not know is ignored.
        columns : iterable of str, optional
            Keep only items among these (the columns of the data).

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> inst = load_instrument("2.0.0")
        >>> common = inst.items_asked_of_all("OS", ["teacher", "leader"])
        >>> set(common) <= set(inst.item_ids("OS", role="leader"))
        True
        """
        ids = self.item_ids(domain)
        if columns is not None:
            present = set(columns)
            ids = [i for i in ids if i in present]
        for r in roles:
            if r in self.roles:
                asked = set(self.item_ids(domain, role=r))
                ids = [i for i in ids if i in asked]
        return ids

    def items_answered_together(self, domain: str, roles: Iterable[str], columns=None) -> list[str]:
        """A domain's items whose every pair is on one form of ``roles``.

        Pooled answers of several role forms leave an item of one form and an item of
        another never answered together, so their covariance (and alpha, omega or a
        factor model over both) cannot be estimated. This keeps the items asked of the
        most of ``roles`` first, then the instrument's order, and adds an item when it
        shares a form with each item already kept. For one role it is that role's form;
        for 1.0.0, whose teacher form has every item, it is every item.

        Parameters
        ----------
        domain : str
            The domain id.
        roles : iterable of str
            The roles in the data (an empty list: every item of the domain).
        columns : iterable of str, optional
            Keep only items among these (the columns of the data).

        Returns
        -------
        list of str
            In the instrument's order.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> inst = load_instrument()
        >>> inst.items_answered_together("OS", ["leader"]) == inst.item_ids("OS", role="leader")
        True
        >>> both = inst.items_answered_together("OS", ["teacher", "leader"])
        >>> both == inst.item_ids("OS", role="teacher")  # the leader-only items never meet OS14
        True
        """
        items = self.item_ids(domain)
        if columns is not None:
            cols = set(columns)
            items = [i for i in items if i in cols]
        roles = set(map(str, roles))
        if not roles:
            return items
        asked = {i: set(self.item_roles.get(i, roles)) & roles for i in items}
        kept: list[str] = []
        for i in sorted(items, key=lambda i: -len(asked[i])):  # stable: instrument order within a count
            if asked[i] and all(asked[i] & asked[k] for k in kept):
                kept.append(i)
        return [i for i in items if i in kept]

    def reverse_ids(self, domain: str | None = None, role: str | None = None) -> list[str]:
        """Ids of reverse-keyed (negatively worded) items.

        Parameters
        ----------
        domain : str, optional
            Only this domain's reverse-keyed items.
        role : str, optional
            Only those on this role's form (pass it with one form's items,
            e.g. to :func:`assetinv.alpha`).

        Returns
        -------
        list of str

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().reverse_ids("CN")
        ['CN12', 'CN30', 'CN31']
        >>> load_instrument().reverse_ids("CN", role="district")
        ['CN31']
        """
        items = self._items_of(domain, role)
        return [str(i) for i in items.loc[items["reverse"].astype(bool), "id"]]

    def domain_of(self, item_id: str) -> str:
        """The domain id an item belongs to.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().domain_of("OS13")
        'OS'
        """
        hit = self.items.loc[self.items["id"] == item_id, "domain"]
        if hit.empty:
            raise KeyError(f"unknown item {item_id!r}; item ids look like {self.item_ids()[:2]}")
        return str(hit.iloc[0])

    def domain_name(self, domain_id: str, short: bool = False) -> str:
        """The display name (or, with ``short=True``, the short name) of a domain.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().domain_name("EX")
        'Expertise in the system'
        >>> load_instrument().domain_name("OS", short=True)
        'Collaborative structures'
        """
        self._check_domain(domain_id)
        row = self.domains.loc[self.domains["id"] == domain_id].iloc[0]
        return str(row["short"] if short else row["name"])

    def asked(self, domain: str, role: str) -> bool:
        """False when the role's form does not ask this domain (``not_asked``).

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument("2.0.0").asked("LM", "district")
        False
        """
        self._check_domain(domain)
        return role not in self.not_asked.get(domain, ())

    def form(self, role: str) -> pd.DataFrame:
        """The items on one role's form, with their scale id, in instrument order.

        Parameters
        ----------
        role : str
            A role id (``teacher``, ``leader``, ``district``).

        Returns
        -------
        DataFrame
            ``id, domain, text, reverse, scale``.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> f = load_instrument("2.0.0").form("district")
        >>> sorted(f["domain"].unique())
        ['CN', 'EX', 'OS']
        """
        if role not in self.roles:
            raise KeyError(f"unknown role {role!r}; known roles: {list(self.roles)}")
        ids = self.item_ids(role=role)
        out = self.items[self.items["id"].isin(ids)][["id", "domain", "text", "reverse"]].copy()
        out["scale"] = [self.item_scale(i).id for i in out["id"]]
        return out.reset_index(drop=True)

    def code_domain(self, code: str) -> str:
        """The domain a code bears on ("" for an untied cross-cutting code).

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument("2.0.0").code_domain("BAR-MEETINGS")
        'OS'
        """
        hit = self.codebook.loc[self.codebook["id"] == code, "domain"]
        if hit.empty:
            raise KeyError(f"unknown code {code!r}")
        return str(hit.iloc[0])

    @property
    def default_scale(self) -> Scale:
        """The default scale: the first one declared (the only one for a top-level ``scale:``)."""
        return next(iter(self.scales.values()))

    @property
    def has_dont_know(self) -> bool:
        """True when any scale declares a Don't-know option."""
        return any(s.dont_know_code is not None for s in self.scales.values())

    def item_scale(self, item_id: str) -> Scale:
        """The scale an item is answered on (its ``scale:`` id, else the default scale).

        Raises
        ------
        KeyError
            For an unknown item.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().item_scale("EX09").labels[5]
        'Strongly agree'
        >>> load_instrument().item_scale("LM15").labels[5]
        'Almost always'
        """
        if item_id not in self.item_scales and item_id not in set(self.items["id"]):
            raise KeyError(f"unknown item {item_id!r}; item ids look like {self.item_ids()[:2]}")
        return self.scales.get(self.item_scales.get(item_id, ""), self.default_scale)

    @property
    def label_map(self) -> dict[str, int]:
        """Normalised label (case-folded, single spaces) -> scale value.

        Handy for vectorised parsing:
        ``s.str.split().str.join(" ").str.casefold().map(inst.label_map)``.
        """
        return dict(self._label_lookup)

    def label_to_value(self, label: Any) -> int:
        """Convert a text scale label to its integer value.

        Matching ignores case and extra whitespace. A number within the scale
        (``4``, ``"4"``, ``"4.0"``) is accepted as itself.

        Parameters
        ----------
        label : str or int

        Returns
        -------
        int

        Raises
        ------
        ValueError
            If the label is not one of the scale's labels.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> inst = load_instrument()
        >>> inst.label_to_value("Neither  agree nor DISAGREE")
        3
        >>> inst.label_to_value("2")
        2
        """
        key = _norm_label(label)
        if key in self._label_lookup:
            return self._label_lookup[key]
        try:
            num = float(key)
        except ValueError:
            num = None
        if num is not None and num.is_integer() and self.scale_min <= num <= self.scale_max:
            return int(num)
        valid = ", ".join(f"'{v}'" for v in self.labels.values())
        raise ValueError(
            f"{label!r} is not a label of the {self.scale_min}-{self.scale_max} scale; "
            f"use one of {valid} or a number from {self.scale_min} to {self.scale_max}"
        )

    def reverse_value(self, value: Any) -> Any:
        """Reverse-score a value (or array/Series): ``scale_min + scale_max - value``.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().reverse_value(2)
        4
        """
        return self.scale_min + self.scale_max - value

    def to_dict(self) -> dict:
        """The instrument as plain Python data in the YAML schema.

        ``yaml.safe_dump(inst.to_dict())`` writes a file that
        :func:`load_instrument` reads back unchanged.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> d = load_instrument().to_dict()
        >>> sorted(d)[:4]
        ['changes', 'codebook', 'coding_rules', 'domains']
        """

        def records(df: pd.DataFrame) -> list[dict]:
            out = []
            for rec in df.to_dict(orient="records"):
                out.append(
                    {
                        k: (list(v) if isinstance(v, tuple) else bool(v) if k == "reverse" else str(v))
                        for k, v in rec.items()
                    }
                )
            return out

        items = records(self.items)
        for rec in items:
            if rec["id"] in self.mirrors:
                rec["mirrors"] = self.mirrors[rec["id"]]
        domains = records(self.domains)
        for rec in domains:
            if self.not_asked.get(rec["id"]):
                rec["not_asked"] = list(self.not_asked[rec["id"]])
        codes = records(self.codebook)
        for rec in codes:
            for k in _CODE_OPTIONAL:
                if not rec.get(k) or (
                    k == "valence" and rec[k] == "either" and rec["group"] in CROSS_CUTTING_GROUPS
                ):
                    rec.pop(k, None)
        extra = {k: copy.deepcopy(getattr(self, k)) for k in _OPTIONAL_TOP_KEYS if getattr(self, k)}
        if self._scales_key == "scales":
            scales: dict[str, Any] = {"scales": {k: sc.to_dict() for k, sc in self.scales.items()}}
            for rec in items:
                if rec["id"] in self.item_scales:
                    rec["scale"] = self.item_scales[rec["id"]]
        else:
            scales = {"scale": self.default_scale.to_dict()}
        return {
            "version": self.version,
            "name": self.name,
            **scales,
            "roles": dict(self.roles),
            "waves": dict(self.waves),
            "domains": domains,
            "items": items,
            "interview": copy.deepcopy(self.interview),
            "codebook": codes,
            **extra,
        }

    def to_codebook_table(self) -> pd.DataFrame:
        """The codebook with a readable group name, for printing or export.

        Returns
        -------
        DataFrame
            Columns ``group, group_name, id, name, definition, use_when,
            do_not_use_when, example``.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().to_codebook_table()["group_name"].iloc[0]
        'Expertise'
        """
        names = dict(zip(self.domains["id"], self.domains["short"]))
        names.update({"BARRIER": "Barrier (cross-cutting)", "ENABLER": "Enabler (cross-cutting)"})
        out = self.codebook.copy()
        out.insert(1, "group_name", [names.get(g, g) for g in out["group"]])
        cols = ["group", "group_name"] + [c for c in out.columns if c not in ("group", "group_name")]
        return out[cols]

    def to_item_table(self) -> pd.DataFrame:
        """Items with their domain's short name and roles joined as text.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().to_item_table().columns.tolist()
        ['domain', 'domain_name', 'id', 'text', 'reverse', 'roles']
        """
        names = dict(zip(self.domains["id"], self.domains["short"]))
        out = self.items.copy()
        out.insert(1, "domain_name", [names[d] for d in out["domain"]])
        out["roles"] = [", ".join(r) for r in out["roles"]]
        return out[["domain", "domain_name", "id", "text", "reverse", "roles"]]

    # -------------------------------------------------- derived facts (cached once per instrument)
    # An Instrument is not changed after loading; dataclasses.replace makes a new one with its own cache.
    @functools.cached_property
    def domain_ids(self) -> tuple[str, ...]:
        """Domain ids in the instrument's order, e.g. ``('EX', 'LM', 'CN', 'OS')``."""
        return tuple(str(d) for d in self.domains["id"])

    @functools.cached_property
    def domain_names(self) -> dict[str, str]:
        """Domain id -> display name."""
        return {str(d): str(n) for d, n in zip(self.domains["id"], self.domains["name"])}

    @functools.cached_property
    def domain_shorts(self) -> dict[str, str]:
        """Domain id -> short name."""
        return {str(d): str(n) for d, n in zip(self.domains["id"], self.domains["short"])}

    def domain_short(self, domain: str) -> str:
        """The domain's short name (its name, or its id, when it has none).

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> inst = load_instrument()
        >>> inst.domain_short("OS"), inst.domain_short("not a domain")
        ('Collaborative structures', 'not a domain')
        """
        return self.domain_shorts.get(domain) or self.domain_names.get(domain) or domain

    @functools.cached_property
    def items_by_domain(self) -> dict[str, tuple[str, ...]]:
        """Domain id -> its item ids in instrument order.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> load_instrument().items_by_domain["CN"][:2]
        ('CN09', 'CN10')
        """
        ids, doms = self.items["id"].astype(str), self.items["domain"].astype(str)
        return {d: tuple(ids[doms == d]) for d in self.domain_ids}

    @functools.cached_property
    def reverse_items(self) -> frozenset[str]:
        """Ids of the reverse-keyed items."""
        return frozenset(str(i) for i in self.items.loc[self.items["reverse"].astype(bool), "id"])

    @functools.cached_property
    def item_roles(self) -> dict[str, frozenset[str]]:
        """Item id -> the roles whose form asks it (items naming no role are left out)."""
        return {
            str(i): frozenset(str(x) for x in r) for i, r in zip(self.items["id"], self.items["roles"]) if r
        }

    @functools.cached_property
    def code_names(self) -> dict[str, str]:
        """Code id -> code name, for every code of the codebook."""
        return dict(zip(self.codebook["id"].astype(str), self.codebook["name"].astype(str)))

    @functools.cached_property
    def fixed_valence_codes(self) -> frozenset[str]:
        """Ids of the codes whose codings always take one valence (``strength`` or ``barrier``).

        A codebook with any (2.0.0: barrier and enabler codes, EX-ISOLATED) states valences, so every
        coding records one; a codebook without them (1.0.0) reads every code as ``either``.

        Examples
        --------
        >>> from assetinv import load_instrument
        >>> "BAR-TIME" in load_instrument().fixed_valence_codes, len(load_instrument("1.0.0").fixed_valence_codes)
        (True, 0)
        """
        if "valence" not in self.codebook.columns:
            return frozenset()
        fixed = self.codebook["valence"].astype(str).isin(("strength", "barrier"))
        return frozenset(self.codebook.loc[fixed, "id"].astype(str))


# ---------------------------------------------------------------------- loading
def _bundled_path(version: str | None = None) -> Path:
    ref = resources.files("assetinv").joinpath("data", _VERSION_FILES[version or DEFAULT_VERSION])
    return Path(str(ref))


def available_versions() -> list[str]:
    """The instrument versions bundled with assetinv, oldest first.

    ``load_instrument(version)`` loads any of them, so data collected with an
    older version stay readable and their analyses reproducible.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from assetinv import available_versions
    >>> available_versions()
    ['1.0.0', '2.0.0']
    """
    return sorted(_VERSION_FILES, key=lambda v: tuple(int(x) for x in v.split(".")))


_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Load and validate an instrument file.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file in the instrument schema (see ``docs/instrument.md``).
        Default: the instrument bundled with assetinv.

    Returns
    -------
    Instrument
        A fresh copy each call (tables may be modified without affecting
        later calls); the parsed file is cached on its path and modification
        time.

    Raises
    ------
    DataError
        Listing every problem in the file, each naming the file, line, YAML
        key path and fix.

    Examples
    --------
    >>> from assetinv import load_instrument
    >>> inst = load_instrument()
    >>> inst.version, len(inst.domains), len(inst.items)
    ('2.0.0', 4, 82)
    >>> inst.items.groupby("domain", sort=False).size().to_dict()
    {'EX': 17, 'LM': 16, 'CN': 22, 'OS': 27}
    >>> load_instrument("1.0.0").version, len(load_instrument("1.0.0").items)
    ('1.0.0', 32)

    References
    ----------
    100Kin10 Project Team (2019). *Partnering with Schools to Nurture Positive
    Work Environment* (the four asset domains).
    """
    version = None
    if isinstance(path, str) and _VERSION_RE.match(path.strip()) and not Path(path).exists():
        version = path.strip()
        if version not in _VERSION_FILES:
            raise DataError(
                Problem(
                    file=f"instrument version {version}",
                    message=f"no bundled instrument has version {version}",
                    fix=f"use one of {', '.join(available_versions())}, or give the path of an instrument file",
                )
            )
        path = None
    if path is None:
        if not _bundled_path(version).is_file():  # pragma: no cover - zipped installs
            name = _VERSION_FILES[version or DEFAULT_VERSION]
            with resources.as_file(resources.files("assetinv").joinpath("data", name)) as p:
                return _copy(_parse_file(str(p)))
        p = _bundled_path(version)
    else:
        p = Path(path).expanduser()
    if not p.is_file():
        raise DataError(
            Problem(
                file=str(p),
                message="instrument file not found" if not p.exists() else "is not a file",
                fix="check the path, or call load_instrument() with no argument for the bundled instrument",
            )
        )
    p = p.resolve()
    st = p.stat()
    return _copy(_load_cached(str(p), st.st_mtime_ns, st.st_size))


def other_version_of(
    ids: Iterable[str], version: str, *, kind: str = "items", minimum: int = 3
) -> tuple[str, list[str]] | None:
    """The bundled instrument version, other than ``version``, whose item (or code) ids these are.

    Used by the readers to say "these are the items of 1.0.0" instead of suggesting a
    rename of every column when a study collected with one version is read with another.

    Parameters
    ----------
    ids : iterable of str
        Column names (or codes) that are not items of the instrument in use.
    version : str
        The version in use.
    kind : {"items", "codes"}
        Compare with the versions' item ids or with their codebook ids.
    minimum : int
        The fewest ids that must match.

    Returns
    -------
    (version, matched ids) or None
        The version that has at least ``minimum`` of ``ids`` among its item (or code)
        ids and more of them than any other bundled version, with those ids in the
        order given; None when no bundled version fits.

    Examples
    --------
    >>> other_version_of(["EX01", "EX02", "LM01", "notes"], "2.0.0")
    ('1.0.0', ['EX01', 'EX02', 'LM01'])
    >>> other_version_of(["EX01", "notes"], "2.0.0") is None
    True
    >>> other_version_of(["ENA-TRUST"], "2.0.0", kind="codes", minimum=1)
    ('1.0.0', ['ENA-TRUST'])
    """
    ids = [str(i).strip().upper() for i in ids]
    best: tuple[str, list[str]] | None = None
    for v in available_versions():
        if v == version:
            continue
        other = load_instrument(v)
        known = set(other.item_ids()) if kind == "items" else {str(c).upper() for c in other.codebook["id"]}
        hit = [i for i in ids if i in known]
        if len(hit) >= minimum and (best is None or len(hit) > len(best[1])):
            best = (v, hit)
    return best


def best_fitting_version(
    fit: Callable[[str], _T], score: Callable[[_T], int]
) -> tuple[str, _T, dict[str, int]]:
    """Run ``fit`` against every bundled version; keep the default unless another scores higher.

    Used by the crosswalk drafters, which score a draft by its confident lines, so a 1.0.0
    export is not drafted against 2.0.0's items.

    Parameters
    ----------
    fit : callable
        ``fit(version)`` -> a result (e.g. a draft crosswalk).
    score : callable
        ``score(result)`` -> how well the result fits (higher is better).

    Returns
    -------
    (version, result, scores)
        The chosen version, its result and every version's score; ties go to the default.

    Examples
    --------
    >>> best_fitting_version(lambda v: v, lambda v: {"1.0.0": 3, "2.0.0": 3}[v])[0]
    '2.0.0'
    >>> best_fitting_version(lambda v: v, lambda v: {"1.0.0": 5, "2.0.0": 3}[v])[::2]
    ('1.0.0', {'1.0.0': 5, '2.0.0': 3})
    """
    results = {v: fit(v) for v in available_versions()}
    scores = {v: int(score(r)) for v, r in results.items()}
    best = max(scores, key=lambda v: (scores[v], v == DEFAULT_VERSION))
    return best, results[best], scores


def resolve(instrument: Instrument | str | Path | None = None) -> Instrument:
    """The one way into an instrument: pass an ``Instrument`` through, load anything else.

    Every function that takes ``instrument=`` calls this, so ``None`` (the bundled default),
    a bundled version string (``"1.0.0"``) and a path to a YAML file all mean the same
    thing everywhere.

    Parameters
    ----------
    instrument : Instrument, str, Path or None
        An instrument already loaded (returned as is), a bundled version, a path, or
        ``None`` for the bundled default.

    Returns
    -------
    Instrument

    Raises
    ------
    DataError
        As :func:`load_instrument` does, for a missing or invalid file.

    Examples
    --------
    >>> from assetinv.instrument import resolve
    >>> inst = resolve("1.0.0")
    >>> resolve(inst) is inst
    True
    """
    if isinstance(instrument, Instrument):
        return instrument
    return load_instrument(instrument)


def _copy(inst: Instrument) -> Instrument:
    return dataclasses.replace(
        inst,
        labels=dict(inst.labels),
        roles=dict(inst.roles),
        waves=dict(inst.waves),
        domains=inst.domains.copy(),
        items=inst.items.copy(),
        codebook=inst.codebook.copy(),
        interview=copy.deepcopy(inst.interview),
        _label_lookup=dict(inst._label_lookup),
        scales=dict(inst.scales),
        item_scales=dict(inst.item_scales),
        not_asked=dict(inst.not_asked),
        mirrors=dict(inst.mirrors),
        forms=copy.deepcopy(inst.forms),
        changes=copy.deepcopy(inst.changes),
        coding_rules=copy.deepcopy(inst.coding_rules),
    )


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, size: int) -> Instrument:
    return _parse_file(path)


def _safe_load(text: str) -> Any:
    """``yaml.safe_load``, parsed by libyaml when PyYAML has it (about ten times faster).

    The result is the same: both build the document with PyYAML's safe constructor. Text that
    libyaml rejects is parsed again by PyYAML's own parser, so a syntax error is raised with
    PyYAML's message and line, as without libyaml.
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


# ------------------------------------------------------------------- validation
def _line_index(text: str) -> dict[tuple, int]:
    """Map each YAML key path (tuple of keys / list indices) to its 1-based line."""
    lines: dict[tuple, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: Any, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value
                lines.setdefault(path + (key,), k.start_mark.line + 1)
                if isinstance(v, (yaml.MappingNode, yaml.SequenceNode)):
                    walk(v, path + (key,))
                    lines[path + (key,)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    return lines


class _Checker:
    """Collects an instrument file's problems; each names the line of its YAML key path."""

    def __init__(self, file: str, text: str):
        self.file = file
        self._text = text
        self.problems: list[Problem] = []

    @functools.cached_property
    def lines(self) -> dict[tuple, int]:
        """Key path -> line, composed only when a problem needs it (a valid file never does)."""
        return _line_index(self._text)

    @staticmethod
    def keypath(path: tuple) -> str:
        out = ""
        for p in path:
            if isinstance(p, int):
                out += f"[{p}]"
            else:
                out += ("." if out else "") + str(p)
        return out or "<top level>"

    def line(self, path: tuple) -> int | None:
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return None

    def add(self, path: tuple, message: str, fix: str) -> None:
        self.problems.append(
            Problem(file=self.file, message=message, fix=fix, row=self.line(path), column=self.keypath(path))
        )

    def mapping(self, value: Any, path: tuple, what: str) -> bool:
        if not isinstance(value, dict):
            self.add(
                path,
                f"{what} must be a mapping (key: value pairs), found {type(value).__name__}",
                f"write {what} as indented 'key: value' lines as in docs/instrument.md",
            )
            return False
        return True

    def seq(self, value: Any, path: tuple, what: str) -> bool:
        if not isinstance(value, list) or not value:
            self.add(
                path,
                f"{what} must be a non-empty list, found "
                f"{'an empty list' if value == [] else type(value).__name__}",
                f"write {what} as a list of entries, each starting with '- '",
            )
            return False
        return True

    def text(self, rec: dict, key: str, path: tuple, what: str) -> str | None:
        if key not in rec or rec[key] is None:
            self.add(
                path + (key,) if key in rec else path,
                f"{what} is missing the required key '{key}'",
                f"add '{key}: ...' to {what}",
            )
            return None
        val = rec[key]
        if isinstance(val, bool) or not isinstance(val, (str, int, float)):
            self.add(
                path + (key,),
                f"'{key}' of {what} must be text, found {type(val).__name__}",
                f"write {key} as a quoted string",
            )
            return None
        val = str(val).strip()
        if not val:
            self.add(path + (key,), f"'{key}' of {what} is empty", f"write the {key} text")
            return None
        return val

    def check_id(self, value: str, path: tuple, what: str, regex=_ID_RE, fix=_ID_FIX) -> bool:
        if not regex.match(value):
            self.add(path, f"{what} id '{value}' has characters that are not allowed", fix)
            return False
        return True

    def unknown_keys(self, rec: dict, allowed: tuple, path: tuple, what: str) -> None:
        for k in rec:
            if k not in allowed:
                self.add(
                    path + (k,),
                    f"{what} has an unknown key '{k}'",
                    f"remove it or rename it to one of: {', '.join(allowed)}",
                )

    def entries(self, seq: list, key: str, noun: str) -> Iterator[tuple[dict, tuple, str]]:
        """Each mapping in the top-level list ``key`` as (record, path, label); other entries are reported."""
        for i, rec in enumerate(seq):
            path = (key, i)
            if self.mapping(rec, path, f"{key}[{i}]"):
                yield rec, path, f"{noun} {rec.get('id', f'#{i}')}"

    def entry(
        self,
        rec: dict,
        path: tuple,
        label: str,
        required: tuple,
        allowed: tuple,
        what: str,
        ids: list[tuple[str, tuple]],
        regex=_ID_RE,
        fix=_ID_FIX,
    ) -> tuple[dict, bool]:
        """Check one list entry's keys, required texts and id; collect its id for the duplicate check."""
        self.unknown_keys(rec, allowed, path, label)
        vals = {k: self.text(rec, k, path, label) for k in required}
        ok = None not in vals.values()
        if vals["id"] is not None:
            if self.check_id(vals["id"], path + ("id",), what, regex, fix):
                ids.append((vals["id"], path))
            else:
                ok = False
        return vals, ok

    def known_domain(self, vals: dict, path: tuple, label: str, known: set, domain_ids: list) -> bool:
        """False (with a problem) when the entry names a domain the file does not define."""
        if vals["domain"] is not None and vals["domain"] not in known:
            self.add(
                path + ("domain",),
                f"{label} refers to unknown domain '{vals['domain']}'",
                f"use one of the domain ids: {', '.join(domain_ids) or '(none defined)'}",
            )
            return False
        return True

    def duplicates(self, ids: list[tuple[str, tuple]], what: str) -> None:
        seen: dict[str, tuple] = {}
        for i, p in ids:
            if i in seen:
                self.add(
                    p + ("id",),
                    f"duplicate {what} id '{i}' (also at {self.keypath(seen[i])})",
                    f"give every {what} a unique id",
                )
            else:
                seen[i] = p


def _parse_file(path: str) -> Instrument:
    raw_bytes = Path(path).read_bytes()
    sha = hashlib.sha256(raw_bytes).hexdigest()
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            Problem(file=path, message=f"is not UTF-8 text ({exc.reason})", fix="save the file as UTF-8")
        ) from None
    try:
        raw = _safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = " ".join(str(getattr(exc, "problem", "") or exc).split())
        raise DataError(
            Problem(
                file=path,
                message=f"is not valid YAML: {detail}",
                fix="check indentation and put text containing ':' or '#' in double quotes",
                row=(mark.line + 1) if mark is not None else None,
            )
        ) from None
    return _build(raw, path, sha, text)


def _check_scale(c: _Checker, scale: Any, pre: tuple, sid: str) -> Scale | None:
    """Check one scale mapping (``scale:`` or an entry of ``scales:``); None if it has problems."""
    where = c.keypath(pre)
    if not c.mapping(scale, pre, where):
        return None
    n_before = len(c.problems)
    c.unknown_keys(scale, _SCALE_KEYS, pre, where)
    smin, smax = _scale_bounds(c, scale, pre, where)
    labels = _scale_labels(c, scale, pre, where, smin, smax)
    dk_code, dk_label = _scale_dont_know(c, scale, pre, where, smin, smax, labels)
    if len(c.problems) > n_before or smin is None or smax is None:
        return None
    return Scale(sid, smin, smax, labels, dk_code, dk_label)


def _scale_bounds(c: _Checker, scale: dict, pre: tuple, where: str) -> tuple[int | None, int | None]:
    """The scale's ``min`` and ``max`` (None where missing, not whole numbers, or not min < max)."""
    smin: int | None = None
    smax: int | None = None
    for k in ("min", "max"):
        v = scale.get(k)
        if v is None:
            c.add(pre, f"{where} is missing the required key '{k}'", f"add '{k}:' with a whole number")
        elif isinstance(v, bool) or not isinstance(v, int):
            c.add(pre + (k,), f"{where} {k} must be a whole number, found {v!r}", f"write e.g. {k}: 1")
    if isinstance(scale.get("min"), int) and isinstance(scale.get("max"), int):
        smin, smax = int(scale["min"]), int(scale["max"])
        if smin >= smax:
            c.add(
                pre + ("min",),
                f"scale min ({smin}) must be smaller than max ({smax})",
                "set min to the lowest response value and max to the highest, e.g. min: 1, max: 5",
            )
            smin = smax = None
    return smin, smax


def _scale_labels(
    c: _Checker, scale: dict, pre: tuple, where: str, smin: int | None, smax: int | None
) -> dict[int, str]:
    """The scale's labels by point: whole-number keys, non-empty distinct texts, one per point."""
    labels: dict[int, str] = {}
    lab = scale.get("labels")
    if lab is None:
        c.add(
            pre,
            f"{where} is missing the required key 'labels'",
            "add 'labels:' with one text label per scale point",
        )
    elif c.mapping(lab, pre + ("labels",), f"{where} labels"):
        for k, v in lab.items():
            try:
                ki = int(k)
                if isinstance(k, bool) or float(k) != ki:
                    raise ValueError
            except (TypeError, ValueError):
                c.add(
                    pre + ("labels", k),
                    f"scale label key {k!r} is not a whole number",
                    'key each label by its scale value, e.g. 1: "Strongly disagree"',
                )
                continue
            if not isinstance(v, str) or not v.strip():
                c.add(
                    pre + ("labels", k),
                    f"the label for scale point {ki} is empty or not text",
                    "write the label as a quoted string",
                )
                continue
            labels[ki] = v.strip()
        if smin is not None and smax is not None:
            bad_keys = {str(k) for k in lab} - {str(k) for k in labels}
            for point in range(smin, smax + 1):
                # a point whose label was present but invalid is already reported
                if point not in labels and str(point) not in bad_keys:
                    c.add(
                        pre + ("labels",),
                        f"scale point {point} has no label",
                        f"add '{point}: \"...\"' under {where}.labels",
                    )
            for key in sorted(labels):
                if not smin <= key <= smax:
                    c.add(
                        pre + ("labels", key),
                        f"label key {key} is outside the scale {smin}-{smax}",
                        "remove it or widen the scale's min/max",
                    )
        norm = [_norm_label(v) for v in labels.values()]
        for v in sorted({n for n in norm if norm.count(n) > 1}):
            c.add(
                pre + ("labels",),
                f"the label '{v}' is used for more than one scale point",
                "give every scale point a distinct label",
            )
    return dict(sorted(labels.items()))


def _scale_dont_know(
    c: _Checker, scale: dict, pre: tuple, where: str, smin: int | None, smax: int | None, labels: dict
) -> tuple[int | None, str | None]:
    """The scale's Don't-know option (code outside the scale, a label of its own), or (None, None)."""
    dk_code: int | None = None
    dk_label: str | None = None
    dk = scale.get("dont_know")
    if dk is not None and c.mapping(dk, pre + ("dont_know",), f"{where}.dont_know"):
        c.unknown_keys(dk, ("code", "label"), pre + ("dont_know",), f"{where}.dont_know")
        code, text = dk.get("code"), dk.get("label")
        if isinstance(code, bool) or not isinstance(code, int):
            c.add(
                pre + ("dont_know", "code"),
                f"{where}.dont_know needs a whole-number 'code', found {code!r}",
                'write e.g. dont_know: {code: 9, label: "Don\'t know"}',
            )
        elif smin is not None and smax is not None and smin <= code <= smax:
            c.add(
                pre + ("dont_know", "code"),
                f"the Don't-know code {code} is a point of the scale {smin}-{smax}",
                "use a code outside the scale, e.g. 9 or -9",
            )
        else:
            dk_code = int(code)
        if not isinstance(text, str) or not text.strip():
            c.add(
                pre + ("dont_know", "label"),
                f"{where}.dont_know needs a text 'label'",
                'write e.g. label: "Don\'t know / Not applicable"',
            )
            dk_code = None
        elif _norm_label(text) in {_norm_label(v) for v in labels.values()}:
            c.add(
                pre + ("dont_know", "label"),
                f"the Don't-know label '{text.strip()}' is also a scale label",
                "give the Don't-know option its own label",
            )
            dk_code = None
        else:
            dk_label = text.strip()
        if dk_code is None:
            dk_label = None
    return dk_code, dk_label


def _check_scales(c: _Checker, raw: dict) -> dict[str, Scale]:
    """The instrument's scales from ``scale:`` (1.0.0) or ``scales:`` (exactly one of the two)."""
    if raw.get("scale") is not None and raw.get("scales") is not None:
        c.add(
            ("scales",),
            "the file has both 'scale' and 'scales'",
            "keep one: 'scale:' for a single scale, or 'scales:' with one entry per scale id",
        )
        return {}
    if raw.get("scales") is None:
        if raw.get("scale") is None:
            c.add(
                ("scale",),
                "the required top-level key 'scale' (or 'scales') is missing",
                "add 'scale:' with min, max and labels (see docs/instrument.md)",
            )
            return {}
        sc = _check_scale(c, raw["scale"], ("scale",), DEFAULT_SCALE_ID)
        return {DEFAULT_SCALE_ID: sc} if sc is not None else {}
    val = raw["scales"]
    if not c.mapping(val, ("scales",), "scales"):
        return {}
    if not val:
        c.add(
            ("scales",),
            "scales is empty",
            "declare at least one scale, e.g. agree: {min: 1, max: 5, labels: ...}",
        )
    out: dict[str, Scale] = {}
    for k, v in val.items():
        ks = str(k)
        if not isinstance(k, str) or not _KEY_RE.match(ks):
            c.add(("scales", k), f"scale id '{ks}' has characters that are not allowed", _KEY_FIX)
            continue
        sc = _check_scale(c, v, ("scales", k), ks)
        if sc is not None:
            out[ks] = sc
    ranges = {(s.min, s.max) for s in out.values()}
    if len(ranges) > 1:
        first = next(iter(out.values()))
        for s in list(out.values())[1:]:
            if (s.min, s.max) != (first.min, first.max):
                c.add(
                    ("scales", s.id),
                    f"scale '{s.id}' runs {s.min}-{s.max} but scale '{first.id}' "
                    f"runs {first.min}-{first.max}; all scales of an instrument must share min and "
                    "max so that domain means stay comparable",
                    f"give scale '{s.id}' min: {first.min} and max: {first.max} (a label per point)",
                )
        return {}
    return out


# ------------------------------------------------------- 2.0.0 schema additions
_INTERVIEW_TIMING = ("duration_minutes", "opening_minutes", "closing_minutes")


def _minutes(c: _Checker, value: Any, path: tuple, what: str) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        c.add(path, f"{what} must be a positive number of minutes, found {value!r}", "write e.g. minutes: 5")
        return False
    return True


def _check_probes(c: _Checker, probes: Any, p: tuple, what: str, kind: str) -> list[str] | None:
    """The ``probes`` of ``what`` (at path ``p``) as stripped texts, or None once reported as not a list of ``kind``."""
    if isinstance(probes, list) and all(isinstance(x, str) and x.strip() for x in probes):
        return [x.strip() for x in probes]
    c.add(
        p + ("probes",),
        f"'probes' of {what} must be a list of {kind}",
        'write probes: ["first probe", "second probe"]',
    )
    return None


def _check_question_extras(c: _Checker, q: dict, p: tuple, label: str, roles: dict, vals: dict) -> bool:
    """``minutes`` and role ``versions`` ({role: {text, probes}}) of one interview question."""
    ok = True
    if q.get("minutes") is not None:
        if _minutes(c, q["minutes"], p + ("minutes",), f"'minutes' of {label}"):
            vals["minutes"] = q["minutes"]
        else:
            ok = False
    ver = q.get("versions")
    if ver is None:
        return ok
    if not c.mapping(ver, p + ("versions",), f"'versions' of {label}"):
        return False
    out = {}
    for r, v in ver.items():
        vp = p + ("versions", r)
        if str(r) not in roles:
            c.add(
                vp,
                f"{label} has a version for unknown role '{r}'",
                f"use role ids defined under 'roles': {', '.join(roles)}",
            )
            ok = False
            continue
        if not c.mapping(v, vp, f"the {r} version of {label}"):
            ok = False
            continue
        c.unknown_keys(v, ("text", "probes", "notes"), vp, f"the {r} version of {label}")
        if not v.get("text") and not v.get("probes"):
            c.add(
                vp,
                f"the {r} version of {label} has neither 'text' nor 'probes'",
                "give the role its own question text, its own probes, or both",
            )
            ok = False
            continue
        rec: dict[str, str | list[str] | None] = {}
        if v.get("text") is not None:
            t = c.text(v, "text", vp, f"the {r} version of {label}")
            ok = ok and t is not None
            rec["text"] = t
        if v.get("probes") is not None:
            pr = _check_probes(c, v["probes"], vp, f"the {r} version of {label}", "texts")
            if pr is None:
                ok = False
            else:
                rec["probes"] = pr
        out[str(r)] = rec
    vals["versions"] = out
    return ok


def _check_interview_timing(c: _Checker, iv: dict) -> dict:
    out: dict[str, Any] = {}
    for k in ("opening_minutes", "closing_minutes"):
        if iv.get(k) is not None and _minutes(c, iv[k], ("interview", k), f"interview {k}"):
            out[k] = iv[k]
    d = iv.get("duration_minutes")
    if d is not None:
        if (
            not isinstance(d, list)
            or len(d) != 2
            or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in d)
            or d[0] > d[1]
        ):
            c.add(
                ("interview", "duration_minutes"),
                f"duration_minutes must be [shortest, longest], found {d!r}",
                "write e.g. duration_minutes: [45, 60]",
            )
        else:
            out["duration_minutes"] = list(d)
    return out


def _check_code_extras(
    c: _Checker, code: dict, p: tuple, label: str, vals: dict, known_domains: set, domain_ids: list
) -> bool:
    """Optional ``domain``, ``valence`` and ``negative_example`` of a code, with their defaults."""
    ok = True
    group = vals.get("group")
    dom = code.get("domain")
    if dom is None:
        vals["domain"] = group if group in known_domains else ""
    elif str(dom).strip() not in known_domains:
        c.add(
            p + ("domain",),
            f"{label} is tied to unknown domain '{dom}'",
            f"use one of the domain ids: {', '.join(domain_ids)}",
        )
        ok = False
    elif group in known_domains and str(dom).strip() != group:
        c.add(
            p + ("domain",),
            f"{label} is in group {group} but tied to domain {dom}",
            "a topic code's domain is its group; only BARRIER and ENABLER codes name another domain",
        )
        ok = False
    else:
        vals["domain"] = str(dom).strip()
    val = code.get("valence")
    default = {"BARRIER": "barrier", "ENABLER": "strength"}.get(str(group), "either")
    if val is None:
        # no guess for files without valences (1.0.0): an enabler code there may cover its absence too
        vals["valence"] = "either"
    elif str(val).strip() not in _CODE_VALENCES:
        c.add(p + ("valence",), f"{label} has valence '{val}'", f"write one of: {', '.join(_CODE_VALENCES)}")
        ok = False
    elif group in ("BARRIER", "ENABLER") and str(val).strip() != default:
        c.add(
            p + ("valence",),
            f"{label} is a {group.lower()} code but has valence '{val}'",
            f"{group.lower()} codes always record valence '{default}'",
        )
        ok = False
    else:
        vals["valence"] = str(val).strip()
    if code.get("negative_example") is not None:
        t = c.text(code, "negative_example", p, label)
        ok = ok and t is not None
        vals["negative_example"] = t or ""
    else:
        vals["negative_example"] = ""
    return ok


def _check_not_asked(
    c: _Checker, doms: Any, roles: dict, item_rows: list[dict], domain_ids: list
) -> dict[str, tuple]:
    """Per-domain ``not_asked`` roles; every asked (domain, role) needs at least 2 items."""
    out: dict[str, tuple] = {}
    for i, d in enumerate(doms if isinstance(doms, list) else []):
        if not isinstance(d, dict) or d.get("not_asked") is None:
            continue
        p = ("domains", i, "not_asked")
        na = d["not_asked"]
        if not isinstance(na, list) or not all(str(r) in roles for r in na):
            c.add(
                p,
                f"not_asked of domain {d.get('id')} must list role ids, found {na!r}",
                f"write e.g. not_asked: [district] using the roles {', '.join(roles)}",
            )
            continue
        out[str(d.get("id")).strip()] = tuple(r for r in roles if r in set(map(str, na)))
    if not roles or not item_rows:
        return out
    for d in domain_ids:
        pos = next(
            (
                ("domains", k)
                for k, r in enumerate(doms)
                if isinstance(r, dict) and str(r.get("id", "")).strip() == d
            ),
            ("domains",),
        )
        for r in roles:
            n = sum(1 for it in item_rows if it["domain"] == d and r in it["roles"])
            if r in out.get(d, ()):
                if n:
                    c.add(
                        pos + ("not_asked",),
                        f"domain {d} is marked not asked for role '{r}', but {n} of its items list that role",
                        f"remove '{r}' from those items' roles or from not_asked",
                    )
            elif n < 2:
                c.add(
                    pos,
                    f"the {r} form has {n} item{'s' if n != 1 else ''} in domain {d}; a domain score "
                    "needs at least 2",
                    f"add items for role '{r}', or add not_asked: [{r}] to domain {d}",
                )
    return out


def _check_mirrors(c: _Checker, items: Any, item_rows: list[dict], item_scales: dict) -> dict[str, str]:
    """``mirrors:`` ties a reverse-keyed item to the positive item it mirrors."""
    out: dict[str, str] = {}
    by_id = {it["id"]: it for it in item_rows}
    for i, it in enumerate(items if isinstance(items, list) else []):
        if (
            not isinstance(it, dict)
            or it.get("mirrors") is None
            or str(it.get("id", "")).strip() not in by_id
        ):
            continue
        me, other = by_id[str(it["id"]).strip()], by_id.get(str(it["mirrors"]).strip())
        p = ("items", i, "mirrors")
        label = f"item {me['id']}"
        if other is None:
            c.add(p, f"{label} mirrors unknown item '{it['mirrors']}'", "name the positive item it mirrors")
        elif not me["reverse"] or other["reverse"]:
            c.add(
                p,
                f"{label} mirrors {other['id']}: a mirror pair is one reverse-keyed and one positive item",
                "set reverse: true on the mirroring item only",
            )
        elif (other["domain"], other["roles"], item_scales.get(other["id"])) != (
            me["domain"],
            me["roles"],
            item_scales.get(me["id"]),
        ):
            c.add(
                p,
                f"{label} and {other['id']} differ in domain, roles or scale",
                "a mirror pair is asked of the same roles, in the same domain, on the same scale",
            )
        else:
            out[me["id"]] = other["id"]
    return out


def _check_top_extras(c: _Checker, raw: dict, roles: dict) -> dict:
    """Optional ``forms``, ``changes`` and ``coding_rules``."""
    out: dict[str, Any] = {}
    forms = raw.get("forms")
    if forms is not None and c.mapping(forms, ("forms",), "forms"):
        ok = True
        for r, f in forms.items():
            if str(r) not in roles:
                c.add(
                    ("forms", r),
                    f"forms has an entry for unknown role '{r}'",
                    f"use role ids defined under 'roles': {', '.join(roles)}",
                )
                ok = False
            elif c.mapping(f, ("forms", r), f"forms.{r}"):
                c.unknown_keys(f, ("reference_period", "instructions", "notes"), ("forms", r), f"forms.{r}")
                for k in ("reference_period", "instructions"):
                    ok = c.text(f, k, ("forms", r), f"forms.{r}") is not None and ok
            else:
                ok = False
        if ok:
            out["forms"] = {
                str(r): {k: " ".join(str(v).split()) for k, v in f.items() if k != "notes"}
                for r, f in forms.items()
            }
    for key, need in (("changes", ("change", "reason")), ("coding_rules", ("id", "rule"))):
        val = raw.get(key)
        if val is None or not c.seq(val, (key,), key):
            continue
        ok = True
        for i, rec in enumerate(val):
            if not c.mapping(rec, (key, i), f"{key}[{i}]"):
                ok = False
                continue
            for k in need:
                ok = c.text(rec, k, (key, i), f"{key}[{i}]") is not None and ok
        if ok:
            out[key] = copy.deepcopy(val)
    return out


def _check_top_level(c: _Checker, raw: Any) -> tuple[Any, Any]:
    """Phase 1: the file is a mapping with every required key; check ``version`` and ``name``."""
    if not isinstance(raw, dict):
        c.add(
            (),
            "the file must be a YAML mapping with keys " + ", ".join(_TOP_KEYS),
            "start from the bundled assetinv/data/instrument.yaml and edit it",
        )
        raise DataError(c.problems)
    for k in _TOP_KEYS:
        if k == "scale":
            continue  # 'scale' or 'scales': checked by _check_scales
        if k not in raw or raw[k] is None:
            c.add(
                (k,),
                f"the required top-level key '{k}' is missing",
                f"add '{k}:' at the top level (see docs/instrument.md)",
            )
    version = raw.get("version")
    if version is not None:
        if not isinstance(version, str):
            c.add(
                ("version",),
                f"version must be a quoted string, found {version!r}",
                'quote it, e.g. version: "1.0.0"',
            )
        elif not version.strip():
            c.add(("version",), "version is empty", 'write a version such as "1.0.0"')
    name = raw.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        c.add(("name",), "name must be non-empty text", 'write e.g. name: "Asset Inventory"')
    return version, name


def _check_id_map(c: _Checker, raw: dict, key: str, what: str) -> dict[str, str]:
    """Phase 2: ``roles:`` or ``waves:``, a mapping of ``id: Label``."""
    out: dict[str, str] = {}
    val = raw.get(key)
    if val is None or not c.mapping(val, (key,), key):
        return out
    if not val:
        c.add((key,), f"{key} is empty", f"list at least one {what} as 'id: Label'")
    for k, v in val.items():
        ks = str(k)
        if not isinstance(k, str) or not _KEY_RE.match(ks):
            c.add((key, k), f"{what} id '{ks}' has characters that are not allowed", _KEY_FIX)
            continue
        if not isinstance(v, (str, int, float)) or isinstance(v, bool) or not str(v).strip():
            c.add((key, k), f"{what} '{ks}' has no display label", f'write e.g. {ks}: "{ks.title()}"')
            continue
        out[ks] = str(v).strip()
    return out


def _check_domains(c: _Checker, doms: Any) -> tuple[list[dict], list[str], set[str]]:
    """Phase 3: the domains; returns their rows, their ids in order, and every id named (for messages)."""
    domain_rows: list[dict] = []
    if doms is not None and c.seq(doms, ("domains",), "domains"):
        ids = []
        for i, d in enumerate(doms):
            p = ("domains", i)
            if not c.mapping(d, p, f"domains[{i}]"):
                continue
            c.unknown_keys(d, _DOMAIN_KEYS + ("notes", "not_asked"), p, f"domain {d.get('id', i)}")
            vals = {k: c.text(d, k, p, f"domain {d.get('id', f'#{i}')}") for k in _DOMAIN_KEYS}
            if vals["id"] is None:
                continue
            if not c.check_id(vals["id"], p + ("id",), "domain"):
                continue
            if vals["id"] in CROSS_CUTTING_GROUPS:
                c.add(
                    p + ("id",),
                    f"domain id '{vals['id']}' is reserved for cross-cutting codes",
                    "choose another domain id",
                )
                continue
            ids.append((vals["id"], p))
            if None not in vals.values():
                domain_rows.append(vals)
        c.duplicates(ids, "domain")
    domain_ids = list(dict.fromkeys(r["id"] for r in domain_rows))
    known_domains = {i for i in domain_ids}
    if doms is not None and isinstance(doms, list):
        known_domains |= {str(d.get("id")).strip() for d in doms if isinstance(d, dict) and d.get("id")}
    return domain_rows, domain_ids, known_domains


def _check_item_scale(c: _Checker, raw: dict, it: dict, p: tuple, label: str, scales: dict) -> str | None:
    """The scale an item names: its id, or None (none named, or a problem reported)."""
    sc = it.get("scale")
    if sc is None:
        return None
    if raw.get("scales") is None:
        c.add(
            p + ("scale",),
            f"{label} names scale '{sc}' but the instrument declares a single top-level 'scale'",
            "declare the scales under 'scales:' (see docs/instrument.md), or delete the item's 'scale:'",
        )
    elif str(sc) not in scales:
        if not (isinstance(raw.get("scales"), dict) and str(sc) in map(str, raw["scales"])):
            c.add(
                p + ("scale",),
                f"{label} refers to unknown scale '{sc}'",
                f"use one of the scale ids: {', '.join(scales) or '(none defined)'}",
            )
        # else: the scale itself has problems, reported there
    else:
        return str(sc)
    return ""


def _check_item_roles(c: _Checker, it: dict, p: tuple, label: str, roles: dict) -> list | None:
    """The roles an item is asked of (default: every role); None after a reported problem."""
    item_roles = it.get("roles", list(roles))
    ok = True
    if not isinstance(item_roles, list) or not item_roles:
        c.add(
            p + ("roles",),
            f"'roles' of {label} must be a non-empty list of role ids",
            f"write e.g. roles: [{', '.join(roles) or 'teacher'}]",
        )
        ok = False
        item_roles = []
    for j, r in enumerate(item_roles):
        if str(r) not in roles:
            c.add(
                p + ("roles", j),
                f"{label} refers to unknown role '{r}'",
                f"use role ids defined under 'roles': {', '.join(roles) or '(none defined)'}",
            )
            ok = False
    if len(set(map(str, item_roles))) != len(item_roles):
        c.add(p + ("roles",), f"{label} lists a role more than once", "list each role once")
        ok = False
    return item_roles if ok else None


def _check_item_ids(c: _Checker, ids: list, items: list, doms: Any, domain_ids: list[str]) -> None:
    """Item ids that differ only in separators, and domains with fewer than 2 items."""
    folded: dict[str, tuple] = {}
    for i, p in ids:
        key = re.sub(r"[\s_\-.]+", "", i.lower())
        if key in folded and folded[key][0] != i:
            c.add(
                p + ("id",),
                f"item id '{i}' differs from item '{folded[key][0]}' (at "
                f"{c.keypath(folded[key][1])}) only in '_', '-' or '.'; survey column names "
                "are matched ignoring those",
                "rename one of the two items",
            )
        folded.setdefault(key, (i, p))
    counts = {d: 0 for d in domain_ids}
    for it in items:
        if isinstance(it, dict) and str(it.get("domain", "")).strip() in counts:
            counts[str(it["domain"]).strip()] += 1
    for d, n in counts.items():
        if n < 2:
            pos = (
                "domains",
                next(
                    k for k, r in enumerate(doms) if isinstance(r, dict) and str(r.get("id", "")).strip() == d
                ),
            )
            c.add(
                pos,
                f"domain '{d}' has {n} item{'s' if n != 1 else ''}; at least 2 are needed "
                "to form a scale score and estimate reliability",
                f"add items with domain: {d} (the bundled instrument has 8 per domain)",
            )


def _check_items(
    c: _Checker, raw: dict, scales: dict, roles: dict, known_domains: set[str], domain_ids: list[str]
) -> tuple[list[dict], dict[str, str]]:
    """Phase 4: the items; returns their rows and item id -> scale id for items naming a scale."""
    item_rows: list[dict] = []
    item_scale_ids: dict[str, str] = {}
    items = raw.get("items")
    if items is None or not c.seq(items, ("items",), "items"):
        return item_rows, item_scale_ids
    ids: list = []
    for it, p, label in c.entries(items, "items", "item"):
        vals, ok = c.entry(
            it,
            p,
            label,
            _ITEM_REQUIRED,
            _ITEM_REQUIRED + _ITEM_OPTIONAL,
            "item",
            ids,
            _ITEM_ID_RE,
            _ITEM_ID_FIX,
        )
        sc = _check_item_scale(c, raw, it, p, label, scales)
        if sc == "":
            ok = False
        elif sc is not None and ok:
            item_scale_ids[vals["id"]] = sc
        ok = c.known_domain(vals, p, label, known_domains, domain_ids) and ok
        rev = it.get("reverse", False)
        if not isinstance(rev, bool):
            c.add(
                p + ("reverse",),
                f"'reverse' of {label} must be true or false, found {rev!r}",
                "write reverse: true or reverse: false (without quotes)",
            )
            ok = False
        item_roles = _check_item_roles(c, it, p, label, roles)
        if ok and item_roles is not None:
            vals["reverse"] = bool(rev)
            vals["roles"] = tuple(r for r in roles if r in set(map(str, item_roles)))
            item_rows.append(vals)
    c.duplicates(ids, "item")
    _check_item_ids(c, ids, items, raw.get("domains"), domain_ids)
    return item_rows, item_scale_ids


def _check_question(
    c: _Checker, q: dict, p: tuple, ids: list, roles: dict, known_domains: set[str], domain_ids: list[str]
) -> dict | None:
    """One interview question (id, domain, text, probes, minutes, role versions)."""
    label = f"interview question {q.get('id', f'#{p[-1]}')}"
    vals, ok = c.entry(
        q, p, label, _QUESTION_REQUIRED, _QUESTION_REQUIRED + _QUESTION_OPTIONAL, "interview question", ids
    )
    ok = c.known_domain(vals, p, label, known_domains, domain_ids) and ok
    probes = q.get("probes", [])
    probes = _check_probes(c, [] if probes is None else probes, p, label, "non-empty texts")
    ok = probes is not None and ok
    ok = _check_question_extras(c, q, p, label, roles, vals) and ok
    if not ok:
        return None
    vals["probes"] = probes
    return vals


def _check_interview(
    c: _Checker, iv: Any, roles: dict, known_domains: set[str], domain_ids: list[str]
) -> dict[str, Any]:
    """Phase 5: the interview protocol (opening, questions in the order asked, closing, timing)."""
    interview: dict[str, Any] = {}
    if iv is None or not c.mapping(iv, ("interview",), "interview"):
        return interview
    c.unknown_keys(
        iv, ("opening", "questions", "closing", "notes") + _INTERVIEW_TIMING, ("interview",), "interview"
    )
    for k in ("opening", "closing"):
        interview[k] = c.text(iv, k, ("interview",), "interview")
    qs = iv.get("questions")
    questions = []
    if qs is None:
        c.add(
            ("interview",),
            "interview is missing the required key 'questions'",
            "add 'questions:' with a list of questions (id, domain, text, probes)",
        )
    elif c.seq(qs, ("interview", "questions"), "interview questions"):
        ids: list = []
        for i, q in enumerate(qs):
            p = ("interview", "questions", i)
            if not c.mapping(q, p, f"interview.questions[{i}]"):
                continue
            vals = _check_question(c, q, p, ids, roles, known_domains, domain_ids)
            if vals is not None:
                questions.append(vals)
        c.duplicates(ids, "interview question")
    # questions stay in file order: the protocol is asked in that order (easy to sensitive)
    interview["questions"] = questions
    interview.update(_check_interview_timing(c, iv))
    return interview


def _check_codebook(c: _Checker, cb: Any, known_domains: set[str], domain_ids: list[str]) -> list[dict]:
    """Phase 6: the qualitative codebook (groups are domain ids or BARRIER / ENABLER)."""
    code_rows: list[dict] = []
    groups = list(domain_ids) + list(CROSS_CUTTING_GROUPS)
    if cb is None or not c.seq(cb, ("codebook",), "codebook"):
        return code_rows
    ids: list = []
    for code, p, label in c.entries(cb, "codebook", "code"):
        vals, ok = c.entry(code, p, label, _CODE_KEYS, _CODE_KEYS + _CODE_OPTIONAL + ("notes",), "code", ids)
        if vals["group"] is not None and vals["group"] not in set(groups) | known_domains:
            c.add(
                p + ("group",),
                f"{label} has unknown group '{vals['group']}'",
                f"use a domain id or a cross-cutting group: {', '.join(groups)}",
            )
            ok = False
        ok = _check_code_extras(c, code, p, label, vals, known_domains, domain_ids) and ok
        if ok:
            code_rows.append(vals)
    c.duplicates(ids, "code")
    return code_rows


def _sorted_tables(
    domain_rows: list[dict], item_rows: list[dict], code_rows: list[dict], domain_ids: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Phase 7: the domains, items (domain order, then id) and codebook (group order, then id) tables."""
    groups = list(domain_ids) + list(CROSS_CUTTING_GROUPS)
    dorder = {d: k for k, d in enumerate(domain_ids)}
    gorder = {g: k for k, g in enumerate(groups)}
    domains_df = pd.DataFrame(domain_rows, columns=list(_DOMAIN_KEYS))
    items_df = pd.DataFrame(item_rows, columns=["id", "domain", "text", "reverse", "roles"])
    items_df["reverse"] = items_df["reverse"].astype(bool)
    items_df = (
        items_df.assign(_o=items_df["domain"].map(dorder))
        .sort_values(["_o", "id"], kind="mergesort")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    codebook_df = pd.DataFrame(code_rows, columns=list(_CODE_KEYS + _CODE_OPTIONAL))
    codebook_df = (
        codebook_df.assign(_o=codebook_df["group"].map(gorder))
        .sort_values(["_o", "id"], kind="mergesort")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    return domains_df, items_df, codebook_df


def _build(raw: Any, path: str, sha: str, text: str) -> Instrument:
    """Check a parsed instrument file phase by phase; raise every problem at once, or build it."""
    c = _Checker(path, text)
    version, name = _check_top_level(c, raw)
    scales = _check_scales(c, raw)
    default = next(iter(scales.values()), None)
    smin, smax = (default.min, default.max) if default else (None, None)
    labels = dict(default.labels) if default else {}
    roles = _check_id_map(c, raw, "roles", "role")
    waves = _check_id_map(c, raw, "waves", "wave")
    doms = raw.get("domains")
    domain_rows, domain_ids, known_domains = _check_domains(c, doms)
    item_rows, item_scale_ids = _check_items(c, raw, scales, roles, known_domains, domain_ids)
    interview = _check_interview(c, raw.get("interview"), roles, known_domains, domain_ids)
    code_rows = _check_codebook(c, raw.get("codebook"), known_domains, domain_ids)
    not_asked = _check_not_asked(c, doms, roles, item_rows, domain_ids)
    mirrors = _check_mirrors(c, raw.get("items"), item_rows, item_scale_ids)
    extras = _check_top_extras(c, raw, roles)
    if c.problems:
        raise DataError(c.problems)
    domains_df, items_df, codebook_df = _sorted_tables(domain_rows, item_rows, code_rows, domain_ids)
    return Instrument(
        version=str(version).strip(),
        name=str(name).strip(),
        scale_min=cast(int, smin),  # not None: no scale is a problem, raised above
        scale_max=cast(int, smax),
        labels=labels,
        roles=roles,
        waves=waves,
        domains=domains_df,
        items=items_df,
        codebook=codebook_df,
        interview=interview,
        source=path,
        sha256=sha,
        scales=dict(scales),
        item_scales=item_scale_ids,
        _scales_key="scales" if raw.get("scales") is not None else "scale",
        not_asked=not_asked,
        mirrors=mirrors,
        **extras,
    )
