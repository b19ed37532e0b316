"""Draft a crosswalk from a survey export to the instrument (``assetinv map``).

:func:`draft_crosswalk` reads an export the way :func:`assetinv.read_responses` does (Qualtrics
current and legacy, SurveyMonkey, Google Forms, Microsoft Forms, SPSS, Stata, plain CSV/XLSX),
takes each column's question text (Qualtrics row 2, SurveyMonkey's "question - statement",
form headers, SPSS/Stata variable labels), and proposes

* which column holds which item (fuzzy matching of the question text, or of the statement of a
  matrix question, to the item texts with rapidfuzz, then a one-to-one assignment so that two
  columns never claim one item);
* which columns hold the id fields (respondent_id, school, district, role, wave), with each id
  field's distinct values and a proposed value map;
* the answer labels that are not on the scale, with a proposed point, and missing-like codes.

Every proposal carries a confidence. Proposals under the confident threshold are written
commented out with the reason; nothing uncertain is accepted silently. ``Crosswalk.to_yaml()``
writes the draft in the ``responses:`` format of ``study.yaml`` that :func:`assetinv.read_config`
accepts unchanged.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError, Problem
from .instrument import Instrument, resolve

__all__ = ["Crosswalk", "Proposal", "draft_crosswalk"]

#: A column proposal at or above this confidence is written as an active line; below it, commented
#: out. Calibrated on tests/fixtures/exports (see docs/input_layout.md, "assetinv map").
CONFIDENT = 0.65

_ID_WORDS = {
    "respondent_id": (
        "respondent id",
        "response id",
        "responseid",
        "participant id",
        "record id",
        "id",
        "respondent identifier",
        "participant",
        "submission id",
        "resp",
        "resp id",
        "respid",
        "case id",
        "caseid",
        "record",
        "pid",
        "uid",
        "respondent",
    ),
    "school": ("school", "campus", "site", "building", "schl", "school id", "school name", "your school"),
    "district": ("district", "dist", "district id", "local authority", "school district", "your district"),
    "role": ("role", "position", "job", "staff role", "job title", "your role", "describes your role"),
    "wave": ("wave", "time point", "timepoint", "round", "survey round", "occasion"),
    "duration_sec": ("duration", "duration (in seconds)", "time taken"),
}


@dataclass
class Proposal:
    """One proposed crosswalk line.

    Attributes
    ----------
    key : str
        The export column (``columns``), export value (``values``) or answer label (``labels``).
    target : str, int or None
        Item id / id field, id value or scale point; None when there is no proposal.
    confidence : float
        0-1. Lines under :data:`CONFIDENT` are written commented out.
    reason : str
        Why (the matched text, or why the proposal is uncertain).
    """

    key: str
    target: Any
    confidence: float
    reason: str = ""

    @property
    def confident(self) -> bool:
        """True when the proposal is good enough to be written as an active line."""
        return self.target is not None and self.confidence >= CONFIDENT


@dataclass
class Crosswalk:
    """A drafted crosswalk for one export (see :func:`draft_crosswalk`).

    Attributes
    ----------
    file : str
        The export, as given.
    layout : str
        The recognised layout ("Qualtrics", "SurveyMonkey", "SPSS", ...).
    columns : list of Proposal
        Export column -> item id or id field.
    values : dict of str to list of Proposal
        Per id field, export value -> id value.
    labels : list of Proposal
        Answer labels that are not on the scale -> proposed point.
    missing_codes : list of Proposal
        Missing-like answers or SPSS codes not declared missing.
    constants : list of Proposal
        Id fields the export lacks (always commented: only the user knows the wave).
    drop : list of str
        Columns that hold no item or id field (free text, other questions).
    distinct : dict of str to list of str
        Each id field's distinct values, as found.
    """

    file: str
    layout: str = ""
    columns: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    labels: list = field(default_factory=list)
    missing_codes: list = field(default_factory=list)
    constants: list = field(default_factory=list)
    drop: list = field(default_factory=list)
    distinct: dict = field(default_factory=dict)
    instrument: str = ""
    instrument_reason: str = ""

    def mapping(self, confident_only: bool = True) -> dict:
        """The crosswalk as ``read_responses`` keyword arguments (confident lines only by default)."""
        ok = (lambda p: p.confident) if confident_only else (lambda p: p.target is not None)
        out: dict[str, Any] = {"columns": {p.key: p.target for p in self.columns if ok(p)}}
        vals = {f: {p.key: p.target for p in ps if ok(p)} for f, ps in self.values.items()}
        out["values"] = {f: v for f, v in vals.items() if v}
        out["labels"] = {p.key: p.target for p in self.labels if ok(p)}
        from .io import _added_missing_codes

        # as study.yaml's missing_codes: do, the drafted codes add to the defaults (blank cells stay missing)
        extra = [p.key for p in self.missing_codes if ok(p)]
        out["missing_codes"] = _added_missing_codes(extra) if extra else None
        out["constants"] = {p.key: p.target for p in self.constants if ok(p)}
        out["drop"] = list(self.drop)
        return out

    def to_yaml(self, file: str | None = None) -> str:
        """The draft as a ``responses:`` block of ``study.yaml``.

        Parameters
        ----------
        file : str, optional
            The path to write after ``file:`` (default: :attr:`file`), e.g. relative to the
            folder of the YAML file.

        Returns
        -------
        str
            Valid YAML; low-confidence lines are comments giving the reason.
        """
        q = _q
        lines = [
            "# Draft crosswalk written by `assetinv map`. Check every line; lines starting with '#'",
            f"# are proposals under the confidence threshold ({CONFIDENT:.2f}) and are NOT used until you",
            "# remove the '#'.",
            f"# Export layout: {self.layout or 'plain table'}",
            *([f'instrument: "{self.instrument}"    # {self.instrument_reason}'] if self.instrument else []),
            "responses:",
            f"  file: {q(file if file is not None else self.file)}",
            "  columns:",
        ]
        for p in self.columns:
            line = f"    {q(p.key)}: {q(p.target) if p.target is not None else '?'}"
            if p.confident:
                lines.append(f"{line}    # {p.confidence:.2f} {p.reason}".rstrip())
            else:
                lines.append(f"    # {line.strip()}    # LOW CONFIDENCE {p.confidence:.2f}: {p.reason}")
        if self.values or self.distinct:
            lines.append("  values:")
            for fld in ("school", "district", "role", "wave"):
                if fld in self.distinct:
                    shown = ", ".join(self.distinct[fld][:12]) + (
                        " ..." if len(self.distinct[fld]) > 12 else ""
                    )
                    lines.append(f"    # {fld} values in the export: {shown}")
                ps = self.values.get(fld, [])
                good = [p for p in ps if p.confident]
                if good:
                    lines.append(f"    {fld}:")
                    lines += [
                        f"      {q(p.key)}: {q(p.target)}    # {p.confidence:.2f} {p.reason}".rstrip()
                        for p in good
                    ]
                for p in ps:
                    if not p.confident:
                        pre = f"    # {fld}: " if not good else "      # "
                        lines.append(
                            f"{pre}{{{q(p.key)}: {q(p.target) if p.target is not None else '?'}}}"
                            f"    # LOW CONFIDENCE {p.confidence:.2f}: {p.reason}"
                        )
        if self.labels:
            good = [p for p in self.labels if p.confident]
            lines.append("  labels:" + ("" if good else "    # no confident proposal"))
            for p in self.labels:
                line = f"{q(p.key)}: {p.target if p.target is not None else '?'}"
                lines.append(
                    f"    {line}    # {p.confidence:.2f} {p.reason}"
                    if p.confident
                    else f"    # {line}    # LOW CONFIDENCE {p.confidence:.2f}: {p.reason}"
                )
        if self.missing_codes:
            good = [p for p in self.missing_codes if p.confident]
            why = "; ".join(f"{p.key}: {p.reason}" for p in self.missing_codes)
            if good:
                lines.append(f"  missing_codes: [{', '.join(_scalar(p.key) for p in good)}]    # {why}")
            else:
                lines.append(
                    f"  # missing_codes: [{', '.join(_scalar(p.key) for p in self.missing_codes)}]"
                    f"    # LOW CONFIDENCE: {why}"
                )
        for p in self.constants:
            line = f"  constants: {{{p.key}: {q(p.target) if p.target is not None else '?'}}}"
            lines.append(f"{line}    # {p.reason}" if p.confident else f"  # {line.strip()}    # {p.reason}")
        if self.drop:
            lines.append("  drop:")
            lines += [f"    - {q(c)}" for c in self.drop]
        return "\n".join(lines) + "\n"


def _q(v: Any) -> str:
    """A YAML scalar: plain ids stay plain, anything else is a JSON (double-quoted) string."""
    s = str(v)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", s) and s.lower() not in (
        "yes",
        "no",
        "true",
        "false",
        "null",
        "on",
        "off",
        "y",
        "n",
    ):
        return s
    return json.dumps(s, ensure_ascii=False)


def _scalar(v: Any) -> str:
    s = str(v)
    return s if re.fullmatch(r"-?\d+", s) else json.dumps(s, ensure_ascii=False)


def _text(s: Any) -> str:
    s = str(s).lower().replace("\u2019", "'")
    s = re.sub(r"[^\w' ]+", " ", s)
    return " ".join(s.split())


def _parts(text: str) -> list[str]:
    """The question text and the pieces a matrix layout puts it in ("Q - S", "Q [S]", "Q-S")."""
    out = [text]
    m = re.match(r"^(.*)\[(.+)\]\s*$", text)
    if m:
        out.append(m.group(2))
    for sep in (" - ", " – ", "-", " | ", ":"):
        if sep in text:
            out.append(text.split(sep)[-1])
            out.append(text.split(sep, 1)[-1])
    kept = [p for p in dict.fromkeys(p.strip() for p in out) if len(p) >= 3]
    return kept or [text]


def _score(text: str, item_text: str) -> float:
    from rapidfuzz import fuzz

    a, b = _text(text), _text(item_text)
    if not a or not b:
        return 0.0
    partial = fuzz.partial_ratio(a, b) if min(len(a), len(b)) >= 40 else 0.0
    return max(
        fuzz.ratio(a, b), fuzz.token_set_ratio(a, b) * 0.97, fuzz.token_sort_ratio(a, b), partial * 0.95
    )


def _kind(path: Path) -> str:
    """Which drafter handles a file: 'responses' now; QDA projects get their own drafter."""
    if path.suffix.lower() in (".qdpx", ".qdc"):
        return "qda"
    return "responses"


def draft_crosswalk(path, instrument=None) -> Crosswalk:
    """Draft a crosswalk from a survey export to the instrument.

    Parameters
    ----------
    path : str or Path
        A survey export (any format :func:`assetinv.read_responses` reads).
    instrument : Instrument, str, Path or None
        Default: each bundled version is tried, and the default kept unless another matches more
        items confidently by question text; the draft then names that version (``instrument:``
        in its YAML, with the counts), so a 1.0.0 export is not given 2.0.0 ids.

    Returns
    -------
    Crosswalk
        Proposals with confidences; ``.to_yaml()`` writes the ``responses:`` block and
        ``.mapping()`` gives the confident lines as ``read_responses`` keyword arguments.

    Raises
    ------
    DataError
        When the file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib, assetinv
    >>> inst = assetinv.load_instrument()
    >>> texts = inst.items["text"].tolist()
    >>> head = ["Response ID", "School", "Role"] + ["Q%d" % k for k in range(1, 33)]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [",".join(head)] + [",".join(["r%d" % n, "S01", "Teacher"] + ["4"] * 32) for n in range(3)]
    >>> _ = (folder / "x.csv").write_text("\\n".join(rows) + "\\n")
    >>> cw = draft_crosswalk(folder / "x.csv")
    >>> [(p.key, p.target) for p in cw.columns if p.confident][:3]
    [('Response ID', 'respondent_id'), ('School', 'school'), ('Role', 'role')]

    References
    ----------
    Bachmann, M. (2021). *RapidFuzz* (string similarity). Kuhn, H. W. (1955). The Hungarian
    method for the assignment problem. *Naval Research Logistics Quarterly*, 2, 83-97.
    """
    p = Path(path)
    if _kind(p) == "qda":
        raise DataError(
            Problem(
                p.name,
                "this is a QDA project, not a survey export",
                "draft its codings: block with assetinv.draft_codings_crosswalk "
                "(or `assetinv map` on the project)",
            )
        )
    if instrument is not None:
        return _draft_responses(p, instrument)
    return _best_version(p)


def _confident_items(cw: Crosswalk) -> int:
    """How many export columns the draft maps to an item with confidence."""
    from .io import REQUIRED_COLUMNS

    return sum(1 for c in cw.columns if c.confident and c.target not in (*REQUIRED_COLUMNS, "duration_sec"))


def _best_version(p: Path) -> Crosswalk:
    """Draft against every bundled version; keep the default unless another matches more items.

    An export of a 1.0.0 survey read under the 2.0.0 default would otherwise get 2.0.0 ids for
    whatever text is closest; the draft then says which version the question text is
    (``instrument:`` in the block), and why.
    """
    from .instrument import DEFAULT_VERSION, best_fitting_version

    best, cw, hits = best_fitting_version(lambda v: _draft_responses(p, v), _confident_items)
    if best != DEFAULT_VERSION:
        cw.instrument = best
        cw.instrument_reason = (
            f"the question text matches {hits[best]} items of instrument {best} and "
            f"{hits[DEFAULT_VERSION]} of the default {DEFAULT_VERSION}: check that the survey was {best}"
        )
    return cw


# ------------------------------------------------------------------ responses
def _draft_responses(path: Path, instrument: Instrument | str | Path | None) -> Crosswalk:
    from . import io as _io

    inst = resolve(instrument)
    raw = _io._read_raw(path, targets={_io._norm(c) for c in _io.REQUIRED_COLUMNS})
    _io._normalise_layout(raw)
    _skip_non_answers(raw, _io)
    layout = raw.layout or {"SAV": "SPSS", "ZSAV": "SPSS (compressed)", "DTA": "Stata"}.get(raw.fmt, raw.fmt)
    cw = Crosswalk(file=str(path), layout=layout)
    texts = dict(zip(inst.items["id"], inst.items["text"]))
    header = raw.header
    cols = _candidate_columns(raw, _io)
    col_values = {j: _column_values(raw, j) for j in cols}
    id_props = _propose_id_fields(raw, cols, col_values, inst, _io)
    taken = {j for j, _ in id_props.values()}
    item_cols = [j for j in cols if j not in taken]
    scales = list(inst.scales.values()) or [inst.default_scale]
    answerish = {  # a column is answer-like on the scale its answers fit best (agreement, frequency, count)
        j: max(_answer_share(col_values[j], raw.value_labels.get(header[j], {}), sc, _io) for sc in scales)
        for j in item_cols
    }
    props = _assign_items(raw, item_cols, _io._item_ids(inst), texts, answerish, _io)
    _keep_or_drop_leftovers(cw, props, item_cols, answerish, header)
    for fld, (j, conf) in id_props.items():
        props[j] = Proposal(
            header[j], fld, conf, f"'{_short(raw.question_text.get(j) or header[j])}' names the {fld}"
        )
    cw.columns = [props[j] for j in sorted(props)]
    cw.drop = sorted(dict.fromkeys(cw.drop), key=header.index)
    _propose_values(cw, raw, id_props, col_values, inst, _io)
    _propose_labels(cw, raw, [j for j, p in props.items() if p.target in texts], col_values, inst, _io)
    if "wave" not in id_props:
        cw.constants.append(_wave_constant(path, inst, _io))
    return cw


def _assign_items(
    raw, item_cols: list[int], items: list[str], texts: dict[str, str], answerish: dict[int, float], _io
) -> dict[int, Proposal]:
    """Score every (column, item) pair by question-text similarity and assign them one to one (Hungarian)."""
    props: dict[int, Proposal] = {}
    if not item_cols:
        return props
    header = raw.header
    S = np.zeros((len(item_cols), len(items)))
    for a, j in enumerate(item_cols):
        qtext = raw.question_text.get(j) or header[j]
        for b, it in enumerate(items):
            S[a, b] = max(_score(part, texts[it]) for part in _parts(qtext))
            if _io._norm(header[j]) == _io._norm(it):
                S[a, b] = 100.0
    best_part = {j: _parts(raw.question_text.get(j) or header[j]) for j in item_cols}
    from scipy.optimize import linear_sum_assignment

    rows_i, cols_i = linear_sum_assignment(-S)
    for a, b in zip(rows_i, cols_i):
        j, it = item_cols[a], items[b]
        s = S[a, b]
        others = np.delete(S[a], b)
        second_row = float(others.max()) if others.size else 0.0
        col_other = np.delete(S[:, b], a)
        second_col = float(col_other.max()) if col_other.size else 0.0
        margin = s - max(second_row, second_col)
        conf = _confidence(s, margin, answerish[j])
        qtext = max(best_part[j], key=lambda part: _score(part, texts[it]))
        props[j] = Proposal(
            header[j], it, conf, _match_reason(conf, s, margin, answerish[j], qtext, it, texts[it])
        )
    return props


def _match_reason(
    conf: float, s: float, margin: float, answerish: float, qtext: str, item: str, text: str
) -> str:
    """The comment on a proposed item line: the two texts, and why it is not confident when it is not."""
    if conf >= CONFIDENT:
        return f"'{_short(qtext)}' ~ {item} '{_short(text)}'"
    why = []
    if s < 75:
        why.append(f"text similarity only {s:.0f}/100")
    if margin < 8:
        why.append(f"close to another item (margin {margin:.0f})")
    if answerish < 0.8:
        why.append(f"only {answerish:.0%} of its answers are on the scale")
    return (", ".join(why) or "uncertain") + f"; '{_short(qtext)}' ~ '{_short(text)}'"


def _keep_or_drop_leftovers(
    cw: Crosswalk,
    props: dict[int, Proposal],
    item_cols: list[int],
    answerish: dict[int, float],
    header: list[str],
) -> None:
    """Columns left without an item, and weak matches on columns that do not hold scale answers."""
    for j in item_cols:  # more columns than items: answer-like ones are listed, the rest dropped
        if j not in props:
            if answerish[j] >= 0.8:
                props[j] = Proposal(
                    header[j], None, 0.0, "answers look like scale answers but no item is left"
                )
            else:
                cw.drop.append(header[j])
    for j in list(props):  # free text, other questions
        p = props[j]
        if p.target is not None and not p.confident and answerish[j] < 0.5 and p.confidence < 0.5:
            cw.drop.append(header[j])
            del props[j]


def _wave_constant(path: Path, inst: Instrument, _io) -> Proposal:
    """The ``constants: wave`` line for an export without a wave column (from its file name, if it says)."""
    wave, why = _wave_from_name(path, inst, _io)
    if wave is not None:
        return Proposal("wave", wave, 0.8, f"the export has no wave column; its file name {why}")
    return Proposal(
        "wave",
        next(iter(inst.waves)),
        0.0,
        "the export has no wave column: write the wave "
        f"these answers belong to ({', '.join(inst.waves)}) and remove the '#'",
    )


def _wave_from_name(path: Path, inst, _io) -> tuple[str | None, str]:
    """The wave a file name names ("staff_followup.csv", "survey_wave2.xlsx"), if exactly one."""
    tokens = [t for t in re.split(r"[^0-9a-z]+", path.stem.lower()) if t]
    joined = _io._key(path.stem)
    wave_map = _io._wave_map(inst)
    pairs = [a + b for a, b in zip(tokens, tokens[1:])]
    found = {wave_map[t] for t in tokens + pairs if t in wave_map}
    found |= {w for k, w in wave_map.items() if len(k) >= 6 and k in joined}
    if len(found) == 1:
        w = found.pop()
        return w, f"'{path.name}' names the wave '{w}'"
    return None, ""


def _skip_non_answers(raw, _io) -> None:
    """Drop Qualtrics' extra header rows and preview/test/spam responses from the rows looked at."""
    keys = [_io._norm(h) for h in raw.header]
    if len(set(keys) & _io._QUALTRICS_MARKERS) < 2:
        return
    meta = {j: k for j, k in enumerate(keys) if k in _io._QUALTRICS_MARKERS}
    n = len(_io._qualtrics_header_rows(raw, {}, set(), meta))
    raw.rows = raw.rows[n:]
    if "status" in keys:
        j = keys.index("status")
        raw.rows = [
            r for r in raw.rows if not (j < len(r) and _io._key(r[j]) in _io._QUALTRICS_EXCLUDED_STATUS)
        ]


def _short(s: str, n: int = 60) -> str:
    s = " ".join(str(s).split()).replace("'", "’")
    return s if len(s) <= n else s[: n - 1] + "…"


def _confidence(score: float, margin: float, answer_share: float) -> float:
    """Map similarity (0-100), its margin over the runner-up and the answer check to 0-1."""
    base = min(score, 100.0) / 100.0
    if margin < 8:
        base -= (8 - margin) / 40
    if answer_share < 0.8:
        base -= 0.3
    return float(max(0.0, min(1.0, base)))


def _candidate_columns(raw, _io) -> list[int]:
    out = []
    for j, h in enumerate(raw.header):
        k = _io._norm(h)
        if not k:
            continue
        if k in _io._IDENTIFYING_META and k not in ("name",):
            continue
        if k in _io._OTHER_META and k != "timestamp" or h.lower().startswith("q_"):
            continue
        if k == "name" and raw.layout:
            continue
        out.append(j)
    return out


def _column_values(raw, j: int) -> list[str]:
    return [r[j].strip() for r in raw.rows if j < len(r) and r[j].strip()]


def _answer_share(vals: list[str], vlabels: dict, scale, _io) -> float:
    """Share of a column's answers that are scale points, scale labels, the scale's Don't-know option or
    missing codes.
    """
    if not vals:
        return 0.0
    labels = {_io._label_key(t) for t in scale.labels.values()}
    ok = 0
    for v in vals:
        lab = vlabels.get(v)
        num = _io._parse_number(v)
        key = _io._label_key(lab if lab is not None else v)
        if (
            (num is not None and float(num).is_integer() and scale.min <= num <= scale.max)
            or key in labels
            or scale.is_dont_know(v)  # its code (9) as a numeric export writes it, or its label
            or _io._propose_point(key, scale) is not None
            or _io.looks_missing(key)
        ):
            ok += 1
        elif num is not None and lab is not None:
            ok += 1  # a labelled numeric code (e.g. 9 = No answer)
    return ok / len(vals)


def _propose_id_fields(raw, cols, col_values, inst, _io) -> dict[str, tuple[int, float]]:
    """Id field -> (column index, confidence), one column per field."""
    role_map = _io._role_map(inst)
    wave_map = _io._wave_map(inst)
    cand: list[tuple[float, str, int]] = []
    for j in cols:
        h = raw.header[j]
        texts = [_text(h), _text(raw.question_text.get(j, h))]
        vals = col_values[j]
        distinct = set(vals)
        for fld in _ID_WORDS:
            s = 0.0
            for t in texts:
                s = max(s, _field_word_score(t, fld))
            if fld == "role" and vals:
                share = float(
                    np.mean(
                        [
                            _io._match_id(v, raw.value_labels.get(h, {}).get(v), role_map, 0.8)[0] is not None
                            for v in vals
                        ]
                    )
                )
                s = max(s, 0.85 * share) if s else 0.7 * share
            if fld == "wave" and vals:
                share = float(np.mean([_io._match_id(v, None, wave_map, 0.8)[0] is not None for v in vals]))
                s = max(s, 0.85 * share) if s else 0.7 * share
            if fld == "respondent_id" and s and vals and len(distinct) < len(vals):
                s *= 0.5  # ids must be unique
            if fld in ("school", "district") and s and len(distinct) > max(60, 0.8 * len(vals)):
                s *= 0.6
            if _io._norm(h) == _io._norm(fld):
                s = 1.0
            if s > 0:
                cand.append((s, fld, j))
    if "respondent_id" not in {f for _, f, _ in cand}:
        # Google Forms and the like have no response id: the submission time identifies a response
        for j in cols:
            if _io._norm(raw.header[j]) == "timestamp" and len(set(col_values[j])) == len(col_values[j]):
                cand.append((0.82, "respondent_id", j))
    if "respondent_id" not in {f for _, f, _ in cand}:
        # else the first column whose values are unique and present in every row (commented out)
        n = len(raw.rows)
        for j in cols:
            v = col_values[j]
            if (
                n
                and len(v) == n
                and len(set(v)) == n
                and not all(_io._parse_number(x) is not None for x in v[:50])
            ):
                cand.append((0.55, "respondent_id", j))
                break
    cand.sort(key=lambda t: (-t[0], t[2]))
    out: dict[str, tuple[int, float]] = {}
    used: set[int] = set()
    for s, fld, j in cand:
        if fld in out or j in used or s < 0.5:
            continue
        out[fld] = (j, float(min(s, 1.0)))
        used.add(j)
    return out


def _field_word_score(t: str, fld: str) -> float:
    """How clearly a column name / question text names an id field (0-1).

    When several id fields are named ("Which district is your school in?"), the one named first
    (the longest word on a tie) is the subject and keeps a confident score; the others get 0.6.
    """
    if t in _ID_WORDS[fld]:
        return 0.97
    first: dict[str, tuple[int, int]] = {}
    for f, words in _ID_WORDS.items():
        for w in words:
            if len(w) <= 2:
                continue
            m = re.search(rf"\b{re.escape(w)}\b", t)
            if m and (f not in first or (m.start(), -len(w)) < first[f]):
                first[f] = (m.start(), -len(w))
    if fld not in first:
        return 0.0
    long_text = len(t.split()) > 10
    if len(first) > 1 and min(first, key=lambda k: first[k]) != fld:
        return 0.6
    return 0.6 if long_text else (0.88 if len(first) == 1 else 0.85)


def _propose_values(cw: Crosswalk, raw, id_props, col_values, inst, _io) -> None:
    from rapidfuzz import fuzz, process

    maps = {"role": (_io._role_map(inst), list(inst.roles)), "wave": (_io._wave_map(inst), list(inst.waves))}
    for fld, (j, _) in id_props.items():
        if fld not in ("school", "district", "role", "wave"):
            continue
        vl = raw.value_labels.get(raw.header[j], {})
        distinct = sorted(dict.fromkeys(col_values[j]), key=_natural)
        cw.distinct[fld] = [f"{v} ({vl[v]})" if v in vl else v for v in distinct]
        if fld not in maps:
            continue
        mapping, ids = maps[fld]
        props = []
        for v in distinct:
            hit, _ = _io._match_id(v, vl.get(v), mapping, 0.99)
            if hit is not None:
                continue  # read as it is
            text = vl.get(v, v)
            choices = dict(mapping)
            best = process.extractOne(_io._key(text), list(choices), scorer=fuzz.partial_ratio)
            words = set(_text(text).split())
            kw = {
                "teacher": {"teacher", "teaching", "instructor", "educator", "classroom"},
                "leader": {
                    "principal",
                    "ap",
                    "head",
                    "leader",
                    "leadership",
                    "administrator",
                    "admin",
                    "vice",
                    "assistant",
                    "deputy",
                },
                "district": {"district", "central", "office", "superintendent"},
            }
            hits = [r for r, w in kw.items() if words & w and r in ids] if fld == "role" else []
            if len(hits) == 1:
                props.append(Proposal(v, hits[0], 0.9, f"'{text}' names a {hits[0]}"))
            elif best is not None and best[1] >= 85:
                props.append(Proposal(v, choices[best[0]], 0.6, f"'{text}' looks like '{best[0]}'"))
            else:
                props.append(
                    Proposal(v, None, 0.0, f"'{text}' is not a {fld} the instrument knows ({', '.join(ids)})")
                )
        if props:
            cw.values[fld] = props


def _propose_labels(cw: Crosswalk, raw, item_idx, col_values, inst, _io) -> None:
    seen_lab: dict[str, Proposal] = {}
    seen_missing: dict[str, Proposal] = {}
    missing = {_io._label_key(m) for m in _io.DEFAULT_MISSING_CODES}
    for j in item_idx:
        it = raw.header[j]
        target = next(p.target for p in cw.columns if p.key == it)
        scale = inst.item_scale(target)
        labels = {_io._label_key(t) for t in scale.labels.values()}
        vl = raw.value_labels.get(it, {})
        for v in dict.fromkeys(col_values[j]):
            lab = vl.get(v)
            key = _io._label_key(lab if lab is not None else v)
            num = _io._parse_number(v)
            if (
                key in labels
                or key in missing
                or scale.is_dont_know(v)
                or (lab is not None and scale.is_dont_know(lab))
            ):
                continue
            if lab is None and num is not None and float(num).is_integer() and scale.min <= num <= scale.max:
                continue
            if _io.looks_missing(key):
                code = v if lab is not None else (lab or v)
                if code not in seen_missing:
                    seen_missing[code] = Proposal(
                        code, True, 0.95, f"'{lab or v}' reads like a missing-value code"
                    )
                continue
            m = _io._CODED_LABEL_RE.match(key) or _io._LABEL_CODED_RE.match(key)
            if m:
                continue  # "4 = Agree" forms are read as they are
            text = lab if lab is not None else v
            if text in seen_lab:
                continue
            point = _io._propose_point(text, scale)
            if point is not None:
                seen_lab[text] = Proposal(
                    text, point, 0.9, f"an agreement label; point {point} of {scale.min}-{scale.max}"
                )
            elif lab is None and num is not None:
                seen_lab[text] = Proposal(
                    text, None, 0.0, f"the number {v} is outside the scale {scale.min}-{scale.max}"
                )
            else:
                seen_lab[text] = Proposal(
                    text,
                    None,
                    0.0,
                    "not an agreement label: give its scale point or list it under missing_codes",
                )
    cw.labels = list(seen_lab.values())
    cw.missing_codes = list(seen_missing.values())


def _natural(s: str):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", str(s))]


def _write_draft(cw: Crosswalk, out: str | os.PathLike | None, force: bool = False) -> str:
    """The draft's YAML; written to ``out`` (never over an existing file unless ``force``).

    Returns the YAML text. The ``file:`` line is made relative to ``out``'s folder so that
    ``read_config`` of the written file finds the export.
    """
    if out is None:
        return cw.to_yaml()
    return _write_yaml_draft(cw.file, out, force, cw.to_yaml)


def _write_yaml_draft(source: str, out: str | os.PathLike, force: bool, render: Callable[..., str]) -> str:
    """Write ``render(file=...)`` to ``out`` (not over an existing file unless ``force``); return the text.

    ``file`` is ``source`` relative to ``out``'s folder, so a config read from there finds the data.
    """
    outp = Path(out)
    if outp.exists() and not force:
        raise DataError(
            Problem(
                str(outp),
                "the file already exists and is not overwritten",
                "choose another --out file, delete this one, or pass --force",
            )
        )
    rel = os.path.relpath(Path(source).resolve(), outp.resolve().parent).replace(os.sep, "/")
    text = render(file=rel)
    outp.write_text(text, encoding="utf-8")
    return text
