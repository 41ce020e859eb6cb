"""The documents of ``_toc.yml``, in order, as paths without suffix (``book/01_notation``)."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


def numbered_chapters():
    """The chapters of the parts marked ``numbered: true``, in order: chapter k of the book is entry k − 1."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc.get("parts", []) if part.get("numbered") for c in part["chapters"]]


def title_of(file):
    """The first '# ' heading of a chapter (a notebook's first markdown cell, or a Markdown page)."""
    import json

    path = ROOT / (file + ".ipynb")
    if path.exists():
        cells = json.loads(path.read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / (file + ".md")).read_text()
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))
