"""Qualitative interview analysis: coded excerpts in, tallies, agreement and
joint displays out.

Evaluators code interview excerpts with the Asset Inventory codebook in a
desktop QDA tool (NVivo, ATLAS.ti, MAXQDA, QualCoder) or a spreadsheet. This
module reads those codings into one tidy table, checks them against the
codebook, and turns them into evidence a capacity-building organisation can
use next to the survey.

The tidy **codings** table has one row per excerpt x code x coder::

    excerpt_id, interview_id, school, role, coder, code, text, exemplary, valence

* ``excerpt_id`` - a passage of an interview transcript (unique in the study);
* ``interview_id`` - the interview (transcript) it comes from;
* ``school``, ``role`` - who was interviewed (role ids from the instrument:
  ``teacher``, ``leader``, ``district``; labels such as "School leader" are
  accepted and converted);
* ``coder`` - who applied the code;
* ``code`` - a codebook id such as ``EX-SHARE``, or ``NO-CODE`` when the coder
  read the excerpt and found no code applies (this records that the excerpt
  *was* coded, which matters for agreement; it is left out of tallies);
* ``text`` - the excerpt's words;
* ``exemplary`` - optional, true when a coder flagged the excerpt as a good
  illustrative quote;
* ``valence`` - optional, ``strength`` or ``barrier``: whether this coding
  shows the practice or condition present and helping, or missing and in the
  way (instrument 2.0.0 asks coders to record it for every coding). Barrier
  codes are always ``barrier`` and enabler codes always ``strength``, so a
  blank is filled for them; a blank on a topic code stays "" (not recorded).

Inputs: CSV or XLSX in that layout (:func:`read_codings`), REFI-QDA project
files ``.qdpx`` (:func:`read_qdpx`, :func:`write_qdpx`) and REFI-QDA
codebooks ``.qdc`` (:func:`read_qdc`, :func:`write_qdc`).

References
----------
REFI-QDA Standard 1.5 (2019). Rotterdam Exchange Format Initiative,
www.qdasoftware.org. Project schema namespace ``urn:QDA-XML:project:1.0``;
codebook schema ``urn:QDA-XML:codebook:1.0``.

O'Connor, C., & Joffe, H. (2020). Intercoder reliability in qualitative
research: debates and practical guidelines. *International Journal of
Qualitative Methods*, 19, 1-13.

Krippendorff, K. (2019). *Content Analysis* (4th ed.). Sage.

Fetters, M. D., Curry, L. A., & Creswell, J. W. (2013). Achieving integration
in mixed methods designs: principles and practices. *Health Services
Research*, 48(6), 2134-2156 (joint displays).

Examples
--------
>>> from assetinv.report import default_data_dir
>>> from assetinv.qualitative import code_tallies, read_codings
>>> codings = read_codings(default_data_dir() / "codings.csv")
>>> list(codings.columns[:4])
['excerpt_id', 'interview_id', 'school', 'role']
>>> list(code_tallies(codings, None).columns[:3])
['code', 'code_name', 'group']
"""

from __future__ import annotations

from ..codings_check import check_codings, validate_codings
from ..codings_layout import CODING_COLUMNS, NO_CODE
from ..redaction import NAME_ALLOWLIST, SENTENCE_STARTERS, redact  # noqa: F401
from .codings import read_codings
from .intercoder import coder_agreement, disagreements
from .joint import joint_display  # noqa: F401
from .quotes import exemplar_quotes
from .refi import read_qdc, read_qdpx, write_qdc, write_qdpx
from .tallies import ALL_CODES, DOMAIN_GROUPS, code_tallies, cooccurrence  # noqa: F401

__all__ = [
    "CODING_COLUMNS",
    "NO_CODE",
    "read_codings",
    "validate_codings",
    "check_codings",
    "read_qdpx",
    "write_qdpx",
    "read_qdc",
    "write_qdc",
    "code_tallies",
    "cooccurrence",
    "coder_agreement",
    "disagreements",
    "exemplar_quotes",
    "redact",
    "joint_display",
]

# also importable from here, as before the split (not in __all__): ALL_CODES, DOMAIN_GROUPS, NAME_ALLOWLIST,
# SENTENCE_STARTERS
