"""``Table``: a minimal table that shows as HTML in notebooks and as aligned text elsewhere.

Used by the gradient-check reports (:mod:`companion.gradcheck`), the shape
table (:func:`companion.network.shape_table`) and chapters that show results
as a table (e.g. ``book/02_forward.ipynb``, ``book/10_clinic.ipynb``).
"""
from __future__ import annotations

import html
import textwrap


class Table:
    """Rows of cells under named columns.

    ``str(table)`` is aligned plain text; notebooks show ``_repr_html_``.
    Indexing by an integer gives a row as a dict; by a column name, that column.
    ``wrap`` maps a column name to a width: longer cells of that column are
    wrapped onto more lines of the text form (the HTML form wraps by itself).
    """

    def __init__(self, columns, rows, title: str = "", wrap=None):
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.title = title
        self.wrap = dict(wrap or {})
        unknown = set(self.wrap) - set(self.columns)
        if unknown:
            raise KeyError(f"wrap names no column {sorted(unknown)!r}; the columns are {self.columns!r}")

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return (dict(zip(self.columns, r)) for r in self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self.columns:
                raise KeyError(f"no column {key!r}; the columns are {', '.join(map(repr, self.columns))}")
            i = self.columns.index(key)
            return [r[i] for r in self.rows]
        return dict(zip(self.columns, self.rows[key]))

    def __str__(self):
        width = [self.wrap.get(c) for c in self.columns]
        rows = []  # each cell as a list of lines
        for r in self.rows:
            rows.append([textwrap.wrap(str(c), w, break_on_hyphens=False) or [""] if w and len(str(c)) > w
                         else [str(c)] for c, w in zip(r, width)])
        if self.wrap:  # a table that wraps also puts a long header's words on more lines, to fit its column
            body = [max((len(line) for row in rows for line in row[i]), default=0) for i in range(len(width))]
            head = [textwrap.wrap(c, max(b, max(map(len, c.split())))) or [c] for c, b in zip(self.columns, body)]
        else:
            head = [[c] for c in self.columns]
        n_head = max(len(h) for h in head)
        rows.insert(0, [[""] * (n_head - len(h)) + h for h in head])  # headers aligned at the bottom
        widths = [max(len(line) for row in rows for line in row[i]) for i in range(len(self.columns))]
        lines = []
        for row in rows:
            for k in range(max(len(cell) for cell in row)):
                parts = [(cell[k] if k < len(cell) else "").ljust(w) for cell, w in zip(row, widths)]
                lines.append("  ".join(parts).rstrip())
        lines.insert(n_head, "  ".join("-" * w for w in widths))
        return "\n".join(([self.title] if self.title else []) + lines)

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in self.rows
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f'<table class="companion-table">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
