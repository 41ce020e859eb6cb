"""Serve MathJax 3 from the built site itself, so the math renders with no network.

Sphinx loads MathJax from a CDN by default; offline, a reader then sees raw
LaTeX.  ``_config.yml`` points ``mathjax_path`` at ``mathjax/tex-chtml.js``
(relative paths resolve under ``_static/``), and this extension copies that
file from the ``django-static-mathjax`` package (MathJax 3.2.2, Apache-2.0,
installed by ``requirements.txt``) into ``_build/html/_static/mathjax/`` with
what it loads at run time: the TeX extensions that ``autoload`` fetches for
macros such as ``\\cancel`` and ``\\color``, the CHTML fonts, and the menu.
"""
from __future__ import annotations

import shutil
from pathlib import Path

PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml", "ui", "a11y", "adaptors")
TARGET = "mathjax"


def mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax distribution

    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (src / "tex-chtml.js").is_file():
        raise FileNotFoundError(f"MathJax 3 not found at {src}; run pip install -r requirements.txt")
    return src


def _check_config(app, config):
    expected = f"{TARGET}/tex-chtml.js"
    if config.mathjax_path != expected:
        raise ValueError(f"offline_mathjax: set sphinx.config.mathjax_path to {expected!r} in _config.yml "
                         f"(got {config.mathjax_path!r}), or the site will load MathJax from the network")
    mathjax_source()


def _copy(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    src, dest = mathjax_source(), Path(app.outdir) / "_static" / TARGET
    for part in PARTS:
        s, d = src / part, dest / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def setup(app):
    app.connect("config-inited", _check_config)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
