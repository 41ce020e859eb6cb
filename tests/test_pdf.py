"""The book also builds as a PDF, through pdflatex.

``jupyter-book build . --builder pdflatex`` needs Debian's ``latexmk
texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
tex-gyre``.  Without them the build test is skipped with that reason, unless
``BPD_REQUIRE_PDF=1`` (set by ``.ci/run``) makes it a failure.  The character
test needs no TeX: pdflatex has no glyph for most non-ASCII characters, so
every one used in ``book/`` must be declared in ``_config.yml``'s preamble.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _toc import numbered_chapters, title_of

ROOT = Path(__file__).resolve().parents[1]
# characters pdflatex's utf8 input encoding typesets by itself (Latin-1 letters and signs, dashes, quotes, ellipsis)
NATIVE = set("–—‘’“”…") | {chr(c) for c in range(0xA0, 0x100)} - set("²³·×")


def declared():
    preamble = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["latex_elements"]["preamble"]
    return {chr(int(code, 16)) for code in re.findall(r"\\DeclareUnicodeCharacter\{([0-9A-F]{4})\}", preamble)}


def test_every_non_ascii_character_in_the_book_is_typesettable():
    used = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md")):
        for ch in path.read_text(encoding="utf-8"):
            if ord(ch) > 127:
                used.setdefault(ch, path.name)
    typesettable = NATIVE | declared()
    missing = {f"U+{ord(ch):04X} {ch!r} (first in {where})" for ch, where in used.items() if ch not in typesettable}
    assert not missing, "declare these in _config.yml's latex preamble: " + ", ".join(sorted(missing))


def test_pdf_builds():
    if not shutil.which("latexmk") or not shutil.which("pdflatex"):
        reason = "latexmk/pdflatex not found: install Debian's latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended tex-gyre"
        if os.environ.get("BPD_REQUIRE_PDF") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb) if jb.exists() else "jupyter-book", "build", str(ROOT), "--builder", "pdflatex"],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200)
    pdf = ROOT / "_build" / "latex" / "backprop-derived.pdf"
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert pdf.is_file() and pdf.stat().st_size > 100_000
    log = (ROOT / "_build" / "latex" / "backprop-derived.log").read_text(errors="replace")
    assert "Missing character" not in log
    pages = re.search(r"Output written on backprop-derived\.pdf \((\d+) pages", log)
    assert pages and int(pages.group(1)) > 50, "the PDF is suspiciously short"

    # chapter numbers in the PDF are the site's: the preface is unnumbered front matter
    toc = (ROOT / "_build" / "latex" / "backprop-derived.toc").read_text(errors="replace")
    entries = re.findall(r"\\contentsline \{chapter\}\{(\\numberline \{(\w+)\})?(.*?)\}\{\d+\}", toc)
    numbered = [(num, title) for _, num, title in entries if num.isdigit()]
    titles = [title_of(f) for f in numbered_chapters()]
    assert [int(n) for n, _ in numbered] == list(range(1, len(titles) + 1))
    plain = lambda t: re.sub(r"\\sphinxhyphen \{\}", "-", t)
    assert [plain(t) for _, t in numbered] == titles
    first_numbered = next(i for i, (_, num, _) in enumerate(entries) if num)
    assert first_numbered > 0 and plain(entries[first_numbered][2]) == titles[0]
