"""Drop exact duplicate <script> entries from each page.

In Jupyter Book 1.x Sphinx fires ``env-before-read-docs`` twice, so extensions
that add inline scripts there (sphinx-thebe's ``const THEBE_JS_URL = …``,
sphinx-togglebutton's selector) add them twice; the second ``const``
declaration is a SyntaxError in the browser console on every page.  This
keeps the first of any identical scripts.  ``tests/test_site.py`` fails on any
console error, so it would notice if this ever stopped working.
"""
from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # what the browser sees: the file and the attributes (an inline script's body is one);
        # the two copies of an inline script differ only in filename None vs ''
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
