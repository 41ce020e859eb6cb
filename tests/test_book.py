"""The book's structure: every chapter has what a reader and a teacher rely on.

nbval (``pytest --nbval``) re-executes the notebooks and compares outputs; these
tests check what nbval cannot: that each chapter has learning goals, a summary
and at least three exercises with worked solutions, that every figure has a
caption and alt text, that the stored outputs come from one clean top-to-bottom
run, and that the table of contents and the files agree.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import nbformat
import pytest
from _toc import toc_files

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


CHAPTERS = sorted(p for p in BOOK.glob("[0-9][0-9]_*.ipynb"))
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def test_toc_and_files_agree():
    listed = set(toc_files())
    on_disk = {f"book/{p.stem}" for p in BOOK.glob("*.ipynb")} | {f"book/{p.stem}" for p in BOOK.glob("*.md")}
    assert listed == on_disk, f"in the toc only: {listed - on_disk}; on disk only: {on_disk - listed}"


@functools.lru_cache(maxsize=None)
def read(path):
    """A notebook, parsed once for all the tests below (none of them modifies it)."""
    return nbformat.read(path, as_version=4)


def markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_goals_summary_and_exercises_with_solutions(path):
    text = markdown(read(path))
    assert "Learning goals" in text, "no learning goals"
    assert "## Summary" in text, "no summary"
    exercises = text.split("## Exercises", 1)
    assert len(exercises) == 2, "no Exercises section"
    n_exercises = len(re.findall(r"^\*\*Exercise \d+\.\*\*", exercises[1], flags=re.M))
    n_solutions = len(re.findall(r"^:::\{dropdown\} Solution", exercises[1], flags=re.M))
    assert n_exercises >= 3, f"{n_exercises} exercises"
    assert n_solutions == n_exercises, f"{n_exercises} exercises but {n_solutions} solutions in dropdowns"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_has_caption_and_alt_text(path):
    nb = read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if any("image/png" in o.get("data", {}) for o in cell.outputs):
            meta = cell.metadata.get("mystnb", {})
            assert meta.get("figure", {}).get("caption"), f"cell {i}: figure without a caption"
            assert meta.get("image", {}).get("alt"), f"cell {i}: figure without alt text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_from_one_clean_run(path):
    nb = read(path)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert all(n is not None for n in counts), "some code cells were never executed"
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}: re-execute top to bottom"
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"cell {i} stored an error"
            if out.output_type == "stream" and out.name == "stderr":
                assert "nbval-ignore-output" in cell.metadata.get("tags", []), f"cell {i} wrote to stderr: {out.text[:200]}"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_chapters_named_in_package_docstrings_exist():
    named = set()
    for module in sorted((ROOT / "companion").glob("*.py")):
        named |= set(re.findall(r"book/[0-9a-z_]+\.ipynb", module.read_text()))
    assert named, "no chapter references found"
    missing = sorted(n for n in named if not (ROOT / n).is_file())
    assert not missing, f"docstrings name chapters that do not exist: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_have_an_opaque_light_background_for_dark_mode(path):
    """In the site's dark mode a transparent figure would put black labels on a dark page."""
    import base64
    import io

    import matplotlib.image

    nb = read(path)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png is None:
                continue
            img = matplotlib.image.imread(io.BytesIO(base64.b64decode(png)), format="png")
            if img.shape[2] == 4:
                assert img[..., 3].min() == 1.0, f"cell {i}: figure has transparent pixels"
            corners = img[[0, 0, -1, -1], [0, -1, 0, -1], :3]
            assert corners.min() > 0.95, f"cell {i}: figure background is not white"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_the_page(path):
    # 79 characters: no horizontal scroll bar on the site, no wrapped lines in the PDF
    long = [(i, line) for i, cell in enumerate(read(path).cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > 79]
    assert not long, f"{len(long)} code lines over 79 characters, e.g. cell {long[0][0]}: {long[0][1]!r}"
