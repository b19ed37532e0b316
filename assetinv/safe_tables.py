"""Spreadsheet-safe table cells: no formula injection through CSV or XLSX.

Text from the inputs (school names, quotes, codes, ids) reaches ``tables/*.csv``
and ``assetinv_tables.xlsx``. A cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is run as a formula by Excel, LibreOffice or Google
Sheets when the CSV is opened (``=HYPERLINK(...)``, ``@SUM(...)``, DDE
payloads). So:

* in CSV such a text cell gets a leading apostrophe (``'=HYPERLINK(...)``),
  which spreadsheet programs show as text (OWASP's advice);
* in XLSX every text value is written as a string cell (``t="s"``, never a
  formula) with Excel's "quote prefix" style, so it stays text even when edited.

Numbers stay numbers: a negative number is a numeric cell, and text that is
just a number (``"-0.25"``) is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "neutralise_cell", "neutralise_frame", "append_safe_row"]

#: First characters that make a spreadsheet program read a cell as a formula (with a line feed, and the
#: full-width forms that some programs and input methods turn into ``= + - @``).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Blanks a spreadsheet may trim before it reads a cell (" =1+1", no-break and ideographic spaces, BOM).
_LEADING_BLANKS = (
    " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f"
    "\u3000\ufeff"
)


def _risky(text: str) -> bool:
    s = text.lstrip(_LEADING_BLANKS)
    return s[:1] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(s)


def neutralise_cell(value: Any) -> Any:
    """Prefix an apostrophe to text that a spreadsheet would run as a formula.

    Parameters
    ----------
    value : any
        A cell value. Only ``str`` values are changed.

    Returns
    -------
    any
        ``"'" + value`` for text starting with ``= + - @`` (or their full-width
        forms), a tab, a carriage return or a line feed, also after leading
        blanks (``" =1+1"``), unless the text is just a number; otherwise ``value``.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> neutralise_cell("-0.25"), neutralise_cell(-0.25), neutralise_cell("Growth area")
    ('-0.25', -0.25, 'Growth area')

    References
    ----------
    OWASP, *CSV Injection* (owasp.org/www-community/attacks/CSV_Injection).
    """
    if isinstance(value, str) and _risky(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are safe to open in a spreadsheet.

    Numeric columns are untouched (same dtype, same values).

    Parameters
    ----------
    df : DataFrame

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> t = pd.DataFrame({"quote": ["=1+1", "fine"], "gap": [-0.5, 0.2]})
    >>> neutralise_frame(t).to_dict("list")
    {'quote': ["'=1+1", 'fine'], 'gap': [-0.5, 0.2]}

    References
    ----------
    OWASP, *CSV Injection*.
    """
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_object_dtype(out[c]) or pd.api.types.is_string_dtype(out[c]):
            if out[c].map(lambda v: isinstance(v, str) and _risky(v)).any():
                out[c] = out[c].map(neutralise_cell)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def append_safe_row(ws, values: list) -> None:
    """Append a row to an openpyxl worksheet with every text value as a string cell, never a formula.

    openpyxl turns any text starting with ``=`` into a formula cell; here such
    cells are set back to string cells and given the quote-prefix style (as
    Excel does when one types ``'=...``).

    Parameters
    ----------
    ws : openpyxl Worksheet
    values : list
        Cell values (numbers stay numeric cells).

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> append_safe_row(ws, ["=SUM(A1:A9)", -3, "ok"])
    >>> [(c.value, c.data_type) for c in ws[1]]
    [('=SUM(A1:A9)', 's'), (-3, 'n'), ('ok', 's')]

    References
    ----------
    ECMA-376 Part 1, 18.3.1.4 ``c`` (cell type ``t``) and 18.8.45 ``xf/@quotePrefix``.
    """
    ws.append(values)
    row = ws._current_row  # the row ``append`` just wrote (``max_row`` rescans every cell)
    for column, v in enumerate(values, start=1):
        if isinstance(v, str) and (v.startswith("=") or _risky(v)):
            cell = ws.cell(row=row, column=column)
            cell.data_type = "s"
            cell.quotePrefix = True
