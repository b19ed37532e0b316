"""Write a large simulated responses CSV for the ``read_responses`` benchmark.

The bundled sample's rows (``data/responses.csv``, made by ``assetinv simulate``) are
stacked until the file has the requested number of data rows; each copy gets fresh,
unique respondent ids (``R0000001`` ...), so the file is valid input with the sample's
columns, roles, waves and answer patterns (blank cells included). With ``--bad``, a few
cells are overwritten with invalid values at known rows (written to stdout as
``row,column,value``) to check that every problem is reported.

Run from the repository root::

    python benchmarks/make_big_responses.py /tmp/big.csv --rows 1000000
"""

from __future__ import annotations

import argparse
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "responses.csv"


def make_big_responses(out: Path, rows: int, bad: dict[int, dict[str, str]] | None = None) -> Path:
    """Write ``rows`` data rows to ``out``; ``bad`` maps a spreadsheet row to {column: value}."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], [ln.split(",", 1)[1] for ln in lines[1:] if ln.strip()]
    cols = header.split(",")
    bad = bad or {}
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        chunk: list[str] = []
        for i in range(rows):
            line = f"R{i + 1:07d},{body[i % len(body)]}"
            row = i + 2  # spreadsheet numbering: the header is row 1
            if row in bad:
                cells = line.split(",")
                for col, val in bad[row].items():
                    cells[cols.index(col)] = val
                line = ",".join(cells)
            chunk.append(line)
            if len(chunk) == 100_000:
                fh.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            fh.write("\n".join(chunk) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    make_big_responses(args.out, args.rows)
    print(f"{args.out}: {args.rows:,} rows, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
