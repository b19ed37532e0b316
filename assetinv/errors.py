"""Errors raised by assetinv.

Every problem with a user's input is reported as :class:`DataError`, whose
message names the file, the row and the column at fault and says how to fix it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the 1-based line number as a spreadsheet shows it (the header is
    row 1, the first data row is row 2); ``None`` when the problem concerns the
    whole file or a whole column.

    Examples
    --------
    >>> print(Problem("responses.csv", "'seven' is not an answer code", "use 1 to 5", row=4, column="EX03"))
    file responses.csv, row 4, column 'EX03': 'seven' is not an answer code. Fix: use 1 to 5
    """

    file: str
    message: str
    fix: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [f"file {self.file}"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}. Fix: {self.fix}"


class DataError(ValueError):
    """Bad input: the message names file, row, column and the fix.

    ``problems`` holds every :class:`Problem` found (not just the first).

    Examples
    --------
    >>> err = DataError([Problem("roster.csv", "no 'invited' column", "add it"),
    ...                  Problem("roster.csv", "school S9 is not in schools.csv", "add it", row=3)])
    >>> print(err)
    2 problems found:
    file roster.csv: no 'invited' column. Fix: add it
    file roster.csv, row 3: school S9 is not in schools.csv. Fix: add it
    >>> len(err.problems)
    2
    """

    def __init__(self, problems: "Problem | list[Problem] | str"):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            text = problems
        else:
            if isinstance(problems, Problem):
                problems = [problems]
            self.problems = list(problems)
            text = "\n".join(str(p) for p in self.problems)
            if len(self.problems) > 1:
                text = f"{len(self.problems)} problems found:\n" + text
        super().__init__(text)
