"""The study configuration (``study.yaml``): every default in one place, typed and validated.

:class:`StudyConfig` holds each key a ``study.yaml`` may set and its default. Everything else takes its
defaults from here: :func:`assetinv.read_config` fills in :meth:`StudyConfig.defaults`, and the privacy
minimums (``MIN_N``, ``MIN_INTERVIEWS``, ``MIN_RESPONSE_RATE``) and the report's precision are this
class's defaults. :meth:`StudyConfig.from_mapping` and :meth:`StudyConfig.from_yaml` check the type of
every key and raise a :class:`~assetinv.errors.DataError` that names the key, what it must be and what
was found, e.g. ``study.yaml: 'waves' must be a list of wave ids, got 3``.

File names stay as written (relative to the config's folder); :func:`assetinv.read_config` resolves
them and checks that the files exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, Problem

__all__ = ["StudyConfig"]


@dataclass(frozen=True)
class StudyConfig:
    """One study's settings, as ``study.yaml`` writes them; every field has its default.

    Parameters
    ----------
    title, name, description, network : str, optional
        Shown on the reports (``network`` names the partnership's network of schools).
    responses : str, list or dict
        The survey export(s): a file name, a crosswalk mapping ``{file: ..., columns: ...}`` or a list.
    roster, schools, codings : str or None
        The roster, school list and interview codings (``codings`` may be ``{file, codes, cases,
        allow_external}``).
    instrument : str or None
        An instrument version (``"1.0.0"``, ``"2.0.0"``) or a path to an instrument YAML.
    interviews, qdpx, truth, redact_names, out : str or None
        Further files and the output folder.
    simulated : bool
        The data are invented: every report page says so.
    min_n : int
        Smallest group whose statistics are shown.
    min_interviews : int
        Interviews a site needs before its interview evidence is shown. Not a ``study.yaml`` key: the
        disclosure ledger relies on this one fixed value (:data:`assetinv.MIN_INTERVIEWS`).
    min_response_rate : float
        Smallest response rate (0 to 1) at which a school's numbers are shown.
    seed : int or None
        Seed of every random step (bootstrap intervals).
    thresholds : dict
        Reliability verdict thresholds (name -> number) overriding
        :data:`assetinv.DEFAULT_THRESHOLDS`.
    waves : list or dict or None
        The waves in order (ids, or ``id: label``); ``baseline`` and ``followup`` name two of them.
    precision : int
        Decimals of means in the CSV and XLSX tables (0 to 9).
    release_ledger : bool
        Keep the release ledger in the output folder and warn about small changes since the last release.

    Examples
    --------
    >>> cfg = StudyConfig.from_mapping({"min_n": 7, "waves": ["baseline", "followup"]})
    >>> cfg.min_n, cfg.min_response_rate, cfg.waves
    (7, 0.5, ['baseline', 'followup'])
    >>> StudyConfig.from_mapping({"waves": 3})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    assetinv.errors.DataError: file study.yaml, column 'waves': waves must be a list of wave ids ...(got 3)...
    """

    title: str | None = None
    name: str | None = None
    description: str | None = None
    responses: Any = "responses.csv"
    roster: str | None = "roster.csv"
    schools: str | None = "schools.csv"
    codings: Any = "codings.csv"
    instrument: str | None = None
    interviews: str | None = None
    qdpx: str | None = None
    truth: str | None = None
    simulated: bool = False
    out: str | None = None
    min_n: int = 5
    min_interviews: int = field(default=2, metadata={"study_yaml": False})
    min_response_rate: float = 0.5
    seed: int | None = None
    thresholds: dict = field(default_factory=dict)
    waves: Any = None
    baseline: str | None = None
    followup: str | None = None
    network: str | None = None
    precision: int = 2
    release_ledger: bool = True
    redact_names: str | None = None

    # ------------------------------------------------------------------ constructors
    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Every ``study.yaml`` key and its default, as a fresh dict (``read_config``'s starting point).

        Examples
        --------
        >>> d = StudyConfig.defaults()
        >>> d["min_response_rate"], d["precision"], d["thresholds"]
        (0.5, 2, {})
        """
        fresh = cls()
        return {k: getattr(fresh, k) for k in cls.keys()}

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The keys a ``study.yaml`` may set, in the order of the documentation.

        Examples
        --------
        >>> StudyConfig.keys()[:4]
        ('title', 'name', 'description', 'responses')
        """
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("study_yaml", True))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, file: str = "study.yaml") -> StudyConfig:
        """A config from parsed YAML; every unknown key and wrong type is reported at once.

        Parameters
        ----------
        data : mapping or None
            ``key: value`` pairs as ``yaml.safe_load`` returns them (``None``: all defaults).
        file : str
            The file name the messages name.

        Returns
        -------
        StudyConfig
            The defaults, with the keys ``data`` sets.

        Raises
        ------
        DataError
            One :class:`~assetinv.errors.Problem` per bad key, naming the key (as the column), what it
            must be, what was found and the fix.

        Examples
        --------
        >>> StudyConfig.from_mapping({"precision": 3, "network": "North valley"}).precision
        3
        >>> try:
        ...     StudyConfig.from_mapping({"min_n": "five", "minn": 5})
        ... except DataError as err:
        ...     print(len(err.problems), err.problems[0].column, err.problems[1].column)
        2 min_n minn
        """
        data = {} if data is None else data
        if not isinstance(data, Mapping):
            raise DataError(
                Problem(
                    file,
                    f"the config must be a mapping of 'key: value' lines, got {_shown(data)}",
                    "write one 'key: value' per line (see docs/input_layout.md)",
                )
            )
        problems = cls.problems(data, file)
        if problems:
            raise DataError(problems)
        values: dict[str, Any] = {str(k): (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
        return cls(**values)

    @classmethod
    def problems(cls, data: Mapping[str, Any], file: str = "study.yaml") -> list[Problem]:
        """Every unknown key and wrong type in ``data``, one :class:`~assetinv.errors.Problem` each.

        Parameters
        ----------
        data : mapping
            ``key: value`` pairs of a study config.
        file : str
            The file name the problems name.

        Returns
        -------
        list of Problem
            Empty when every key is known and of its type.

        Examples
        --------
        >>> [str(p) for p in StudyConfig.problems({"precision": 12})]  # doctest: +NORMALIZE_WHITESPACE
        ["file study.yaml, column 'precision': precision must be a whole number of decimals from 0 to 9
        (got 12). Fix: e.g. 'precision: 2' (decimals of means in the CSV and XLSX tables)"]
        """
        return [p for key, value in data.items() for p in _check(str(key), value, file)]

    @classmethod
    def from_yaml(cls, path: str | Path) -> StudyConfig:
        """Read and check a ``study.yaml``.

        Parameters
        ----------
        path : str or Path
            The YAML file.

        Returns
        -------
        StudyConfig
            The defaults, with the keys the file sets.

        Raises
        ------
        DataError
            The file is missing or not UTF-8, the YAML does not parse (with its line), or a key is unknown
            or of the wrong type (:meth:`from_mapping`).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "study.yaml"
        >>> _ = p.write_text("min_n: 8\\nwaves: [baseline, followup]\\n", encoding="utf-8")
        >>> StudyConfig.from_yaml(p).min_n
        8
        """
        import yaml

        path = Path(path)
        name = path.name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise DataError(
                Problem(
                    str(path),
                    "the study config does not exist",
                    "check the path (a folder's config is its study.yaml)",
                )
            ) from None
        except UnicodeDecodeError:
            raise DataError(
                Problem(name, "wrong encoding: the config is not UTF-8 text", "save it as UTF-8")
            ) from None
        try:
            data = yaml.safe_load(text) if text.strip() else {}
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise DataError(
                Problem(
                    name,
                    f"the YAML cannot be parsed ({getattr(err, 'problem', None) or err})",
                    "fix the indentation/quotes on this line (YAML uses 'key: value' lines)",
                    row=(mark.line + 1) if mark else None,
                )
            ) from None
        return cls.from_mapping(data, file=name)

    def to_dict(self) -> dict[str, Any]:
        """The ``study.yaml`` keys as ``key: value`` pairs (what :meth:`from_mapping` reads back).

        Examples
        --------
        >>> StudyConfig(min_n=6).to_dict()["min_n"]
        6
        """
        return {k: getattr(self, k) for k in self.keys()}


#: The defaults (``StudyConfig()``): the one place the numbers are written.
DEFAULTS = StudyConfig()

# --------------------------------------------------------------------------- type checks
_TEXT = (
    "title",
    "name",
    "description",
    "instrument",
    "interviews",
    "qdpx",
    "truth",
    "out",
    "baseline",
    "followup",
    "network",
    "redact_names",
    "roster",
    "schools",
)
#: The fix of a wrong type: an example line.
_EXAMPLES = {
    "min_n": "e.g. 'min_n: 5'",
    "min_response_rate": "e.g. 'min_response_rate: 0.5'",
    "seed": "e.g. 'seed: 2026'",
    "precision": "e.g. 'precision: 2' (decimals of means in the CSV and XLSX tables)",
    "simulated": "e.g. 'simulated: true'",
    "release_ledger": "e.g. 'release_ledger: true'",
    "waves": "e.g. 'waves: [baseline, followup]'",
    "thresholds": "indent 'name: number' lines under 'thresholds:'",
    "responses": "e.g. 'responses: responses.csv', or a mapping with 'file:' (see docs/input_layout.md)",
    "codings": "e.g. 'codings: codings.csv', or 'codings: {file: project.qdpx}'",
}


def _shown(value: Any) -> str:
    """A found value for a message: short, and with its type when that is the problem."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _expect(key: str, value: Any) -> str | None:
    """What ``key`` must be, if ``value`` is not that; ``None`` when it is fine."""
    if key in _TEXT:
        return (
            None
            if value is None or isinstance(value, str)
            else "text (one line; quote it if it looks like a number)"
        )
    if key == "min_n":
        return None if _is_int(value) and value >= 1 else "a whole number of at least 1"
    if key == "min_response_rate":
        return None if _is_number(value) and 0 <= value <= 1 else "a number from 0 to 1"
    if key == "precision":
        return None if _is_int(value) and 0 <= value <= 9 else "a whole number of decimals from 0 to 9"
    if key == "seed":
        if _is_int(value) and value < 0:  # numpy's random generators take no negative seed
            return "a whole number of at least 0"
        return None if value is None or _is_int(value) else "a whole number"
    if key in ("simulated", "release_ledger"):
        return None if isinstance(value, bool) else "true or false"
    if key == "thresholds":
        ok = value is None or (isinstance(value, Mapping) and all(_is_number(v) for v in value.values()))
        return None if ok else "a mapping of 'name: number' lines"
    if key == "waves":
        ok = (
            value is None
            or (isinstance(value, list) and all(isinstance(x, str) for x in value))
            or (isinstance(value, Mapping) and all(isinstance(x, str) for x in [*value, *value.values()]))
        )
        return None if ok else "a list of wave ids (or a mapping of wave id: label)"
    if key in ("responses", "codings"):
        ok = (
            value is None
            or isinstance(value, (str, Mapping))
            or (key == "responses" and isinstance(value, list))
        )
        return (
            None
            if ok
            else "a file name or a mapping with 'file:'"
            + (" (or a list of them)" if key == "responses" else "")
        )
    return None


def _check(key: str, value: Any, file: str) -> list[Problem]:
    """The problems of one ``key: value`` line."""
    if key not in StudyConfig.keys():
        import difflib

        close = difflib.get_close_matches(key, StudyConfig.keys(), n=1, cutoff=0.6)
        return [
            Problem(
                file,
                f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                (f"rename it to '{close[0]}'" if close else "delete it")
                + "; known keys: "
                + ", ".join(StudyConfig.keys()),
                column=key,
            )
        ]
    want = _expect(key, value)
    if want is None:
        return []
    return [
        Problem(
            file,
            f"{key} must be {want} (got {_shown(value)})",
            _EXAMPLES.get(key, f"e.g. '{key}: ...'"),
            column=key,
        )
    ]
