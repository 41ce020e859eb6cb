"""``Table``: a minimal table that shows as HTML in notebooks and as aligned text elsewhere.

Used by the gradient-check reports (:mod:`companion.gradcheck`), the shape
table (:func:`companion.network.shape_table`) and chapters that show results
as a table (e.g. ``book/02_forward.ipynb``, ``book/10_clinic.ipynb``).
"""
from __future__ import annotations

import html


class Table:
    """Rows of cells under named columns.

    ``str(table)`` is aligned plain text; notebooks show ``_repr_html_``.
    Indexing by an integer gives a row as a dict; by a column name, that column.
    """

    def __init__(self, columns, rows, title: str = ""):
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.title = title

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
        cells = [self.columns] + [[str(c) for c in r] for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(([self.title] if self.title else []) + lines)

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in self.rows
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f'<table class="companion-table">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
