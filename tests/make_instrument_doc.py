"""Rewrite the tables of ``docs/instrument.md`` that restate ``instrument-2.0.0.yaml`` (a developer script).

Run ``python tests/make_instrument_doc.py`` from the repository root after editing the instrument. It
replaces, in place, each table under its header row: the items per role form and domain, the items, the
interview questions, the codebook and the changes. The prose around them is not touched.
``tests/test_instrument_v2.py::test_docs_tables_are_the_instrument`` fails while the page and the YAML
disagree, so the docs cannot drift from the instrument.
"""

from __future__ import annotations

import sys
from pathlib import Path

import assetinv

DOC = Path(__file__).resolve().parents[1] / "docs" / "instrument.md"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def _ids(xs) -> str:
    return ", ".join(f"`{x}`" for x in (xs or ()))


def _role_counts(inst) -> list[str]:
    rows = [
        "| role | " + " | ".join(inst.domain_ids) + " | total |",
        "|---" * (len(inst.domain_ids) + 2) + "|",
    ]
    for role, label in inst.roles.items():
        form = inst.form(role)
        cells = [
            str(int((form["domain"] == d).sum())) if inst.asked(d, role) else "not asked"
            for d in inst.domain_ids
        ]
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {len(form)} |")
    return rows


def _items(inst) -> list[str]:
    rows = ["| id | domain | roles | scale | text |", "|---|---|---|---|---|"]
    for rec in inst.items.itertuples():
        text = _cell(rec.text)
        if rec.reverse:
            text += f" (reverse-keyed, mirrors {inst.mirrors[rec.id]})"
        rows.append(
            f"| `{rec.id}` | {rec.domain} | {', '.join(rec.roles)} | {inst.item_scale(rec.id).id} | {text} |"
        )
    return rows


def _interview(inst) -> list[str]:
    rows = ["| order | id | minutes | teacher wording |", "|---|---|---|---|"]
    for k, q in enumerate(inst.interview["questions"], start=1):
        rows.append(f"| {k} | `{q['id']}` | {q.get('minutes', '')} | {_cell(q['text'])} |")
    return rows


def _codebook(inst) -> list[str]:
    rows = ["| code | group | domain | valence | name |", "|---|---|---|---|---|"]
    for rec in inst.codebook.itertuples():
        rows.append(f"| `{rec.id}` | {rec.group} | {rec.domain} | {rec.valence} | {_cell(rec.name)} |")
    return rows


def _changes(inst) -> list[str]:
    rows = ["| part | change | 1.0.0 | 2.0.0 | reason |", "|---|---|---|---|---|"]
    for c in inst.changes:
        rows.append(
            f"| {c.get('part', '')} | {c.get('change', '')} | {_ids(c.get('from'))} | {_ids(c.get('to'))} | "
            f"{_cell(c.get('reason', ''))} |"
        )
    return rows


TABLES = (_role_counts, _items, _interview, _codebook, _changes)


def render(doc: str, inst) -> str:
    """``doc`` with every generated table rewritten from ``inst`` (a table runs to its first blank line)."""
    lines = doc.split("\n")
    for make in TABLES:
        new = make(inst)
        start = lines.index(new[0])
        end = start
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        lines[start:end] = new
    return "\n".join(lines)


def main() -> int:
    inst = assetinv.load_instrument("2.0.0")
    text = DOC.read_text(encoding="utf-8")
    new = render(text, inst)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"rewrote the tables of {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
