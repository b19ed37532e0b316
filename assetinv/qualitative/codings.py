"""Reading coded interview excerpts into the tidy codings table (with provenance)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..checksums import file_sha256
from ..codings_check import _load
from ..errors import DataError
from ..instrument import Instrument, resolve

__all__ = ["read_codings"]


def read_codings(
    path,
    instrument: Instrument | str | Path | None = None,
    *,
    codes=None,
    cases=None,
    allow_external=None,
    require_valence: bool | None = None,
) -> pd.DataFrame:
    """Read coded interview excerpts into the tidy codings table.

    Parameters
    ----------
    path : str or Path
        A CSV (UTF-8) or XLSX file with one row per excerpt x code x coder and
        columns ``excerpt_id, interview_id, school, role, coder, code, text``
        plus optional ``exemplary`` (TRUE/FALSE) and ``parent``, and
        ``valence`` (strength / barrier, per coding; required for every
        coding of an ``either`` code when the codebook states valences, as
        2.0.0 does); or a REFI-QDA project ``.qdpx`` (see :func:`read_qdpx`),
        whose valence is a note on the coding or comes from the ``codes:``
        crosswalk.
    instrument : Instrument, optional
        Codebook and roles to validate against (default: bundled instrument).
    codes : dict, optional
        The crosswalk from the QDA tool's code names to codebook ids:
        ``{"Teacher collaboration": "OS-COLLAB"}``. A key may be the code's
        name or its full path in the code tree (``"Structures/Teacher
        collaboration"``; ``\\``, ``>`` and ``::`` also separate levels);
        keys are case- and spacing-blind. A value of ``None`` (``~`` in YAML)
        leaves that code out on purpose; ``NO-CODE`` marks "read, no code
        applies". Codes not in the map must already be codebook ids or names.
        Two QDA codes mapped to one id on the same selection make one coding.
    cases : dict, optional
        Where school and role come from: ``{"school": "School", "role":
        "Role"}`` names a case or source variable (QDA) or a column
        (CSV/XLSX). A value may also be a mapping with one of ``from``
        (variable or column name), ``from_filename`` (a regular expression
        applied to the source name, or to ``interview_id`` in a table; the
        first group, else the whole match, is the value) or ``value`` (a
        constant), and optionally ``values`` (``{"Principal": "leader"}``) to
        recode. For CSV/XLSX, ``excerpt_id, interview_id, coder, code, text,
        exemplary`` may be mapped to columns the same way.
    allow_external : path, optional
        For a ``.qdpx``: the only folder source texts outside the archive may be
        read from (default: none, see :func:`read_qdpx`).
    require_valence : bool, optional
        Default (None): with a codebook that states valences (2.0.0), a coding
        of an ``either`` code whose valence is blank is an error naming the
        file, row (or QDA selection), the ``valence`` column and the fix; with
        a codebook without valences (1.0.0) a blank stays "". ``False`` reads
        blanks as "" (not recorded) with any codebook, for old coding files
        that predate the rule.

    Returns
    -------
    DataFrame
        ``excerpt_id, interview_id, school, role, coder, code, text,
        exemplary, valence`` and, when the QDA code tree (or a ``parent``
        column) puts codes under parent codes or ATLAS.ti code groups,
        ``parent`` (the parent path, or the code groups joined by ``"; "``).
        ``valence`` is filled in for barrier and enabler codes, whose
        valence is fixed; it is "" only where the codebook states no
        valences (1.0.0) or ``require_valence=False``. Sorted by interview,
        excerpt, coder and code. ``attrs["source"]`` holds the file name and
        SHA-256, ``attrs["instrument_version"]`` the codebook version,
        ``attrs["crosswalk"]`` how many codings the map left out or merged.

    Raises
    ------
    DataError
        One line per distinct problem, with its count and first three places
        ("... and N more"), each naming file, row (header = row 1) or QDA
        source and selection, and column: unknown codes (each with the exact
        ``codes:`` line to add and the closest codebook code), excerpts
        without an interview, missing coders, empty or unknown roles and
        schools (with the project's case variables), a blank or unknown
        valence on a code that records one, duplicate rows, excerpts
        or interviews with inconsistent ids, school or role, and a bad
        crosswalk.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text(
    ...     "excerpt_id,interview_id,school,role,coder,code,text,exemplary,valence\\n"
    ...     "e1,i1,S1,teacher,ana,EX-SHARE,We share lessons.,TRUE,strength\\n"
    ...     "e1,i1,S1,teacher,ben,EX-SHARE,We share lessons.,,strength\\n")
    >>> read_codings(d / "c.csv")[["excerpt_id", "coder", "code", "exemplary"]]
      excerpt_id coder      code  exemplary
    0         e1   ana  EX-SHARE       True
    1         e1   ben  EX-SHARE      False

    References
    ----------
    REFI-QDA Standard 1.5 (2019), www.qdasoftware.org.
    """
    out, problems = _load(path, instrument, codes, cases, allow_external, require_valence)
    if problems:
        raise DataError(problems)
    p = Path(path)
    out.attrs["source"] = f"{p.name} sha256:{file_sha256(p)}"
    out.attrs["instrument_version"] = resolve(instrument).version
    return out
