"""The website: it builds with warnings as errors, and every page works in a real browser, offline.

The build runs once per session (``jupyter-book build --all -W -n --keep-going``)
into ``_build/html``.  The browser tests serve that folder on 127.0.0.1 and
open each page of ``_toc.yml`` in headless Chromium (Debian's ``chromium`` and
``chromium-driver``).  Where Chromium is missing they are skipped with the
reason, unless ``BPD_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _localserver import serve

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def toc_pages():
    """Every document in _toc.yml, as the path of its HTML page."""
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
    return [f + ".html" for f in files]


PAGES = toc_pages()


@pytest.fixture(scope="session")
def site():
    """Build the site once; the result (return code and log) is checked by test_site_builds_without_warnings."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(ROOT), "--all", "-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    return result


def test_site_builds_without_warnings(site):
    log = site.stdout + site.stderr
    assert site.returncode == 0, log[-5000:]
    assert "WARNING" not in log, log[-5000:]
    for page in PAGES:
        assert (HTML / page).is_file(), f"{page} was not built"


def test_mathjax_is_served_locally(site):
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (HTML / "_static" / "mathjax" / "input" / "tex" / "extensions" / "cancel.js").is_file()
    for page in PAGES:
        text = (HTML / page).read_text()
        assert "cdn.jsdelivr.net" not in text and "mathjax@3" not in text, page


@pytest.fixture(scope="session")
def server(site):
    if site.returncode != 0:
        pytest.skip("the site did not build")
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        reason = "Chromium not found: install Debian's chromium and chromium-driver to run the browser tests"
        if os.environ.get("BPD_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def open_page(driver, url):
    """Load ``url``, wait for MathJax to finish, and return the network events of the load."""
    driver.get_log("performance")  # drop events from earlier pages
    driver.get(url)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (window.MathJax && MathJax.startup && MathJax.startup.promise) {"
        "  MathJax.startup.promise.then(() => done(true), () => done(false)); } else { done(true); }"
    )
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    return events


@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(page, server, browser):
    events = open_page(browser, server + page)

    requested = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    # chrome:// pages are the browser's own, never the network
    outside = [u for u in requested if not u.startswith((server, "data:", "blob:", "about:", "chrome://"))]
    assert not outside, f"requests left localhost: {outside}"
    failed = [(e["params"]["response"]["url"], e["params"]["response"]["status"]) for e in events
              if e["method"] == "Network.responseReceived" and e["params"]["response"]["status"] >= 400]
    assert not failed, f"failed responses: {failed}"

    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"console errors: {errors}"

    broken = browser.execute_script(
        "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src);")
    assert not broken, f"images that did not load: {broken}"

    math = browser.execute_script(
        "const n = document.querySelectorAll('.math').length;"
        "const typeset = document.querySelectorAll('mjx-container').length;"
        "const body = document.querySelector('main') || document.body;"
        "const prose = body.cloneNode(true);"
        "prose.querySelectorAll('pre, code, script, mjx-container, .highlight').forEach(e => e.remove());"
        "return {n: n, typeset: typeset, text: prose.innerText};")
    assert math["typeset"] >= math["n"], f"{math['n']} math elements but only {math['typeset']} typeset"
    for raw in ("\\(", "\\)", "\\[", "\\]", "$$", "\\frac", "\\begin{"):
        assert raw not in math["text"], f"raw LaTeX {raw!r} left on the page"
