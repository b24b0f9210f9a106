"""Browser tests: Debian's Chromium driven by Playwright against a live server on a fresh SQLite file."""

import json
import os
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def db():
    """The browser tests use their own database behind a live server, not the savepoint fixture."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.exit(f"The browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium).", returncode=3)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def live_server():
    """The app served on 127.0.0.1 from a migrated SQLite file, with demo data; yields (base URL, app)."""
    from flask_migrate import upgrade

    from mentorby.platform.app import create_app
    from mentorby.platform.extensions import db
    from mentorby.tenants.demo import seed_demo

    folder = tempfile.TemporaryDirectory()
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder.name) / 'browser.sqlite'}",
        "SECRET_KEY": "browser-secret-" + "x" * 32,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        # The coordinator's boards kept until the city changes, as in production (platform/kept_pages.py): every
        # board the browser tests open again after a change must show it.
        "REDIS_URL": "redis://127.0.0.1:6379/12",
    })
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()
    folder.cleanup()


def pytest_collection_modifyitems(items):
    """The live server's threads hand static files to the browser; when Chromium drops a connection early (a page
    left mid-load), Werkzeug leaves that file to the garbage collector. That is the test server, not the product."""
    for item in items:
        if "browser" not in item.keywords:
            continue
        item.add_marker(pytest.mark.filterwarnings(
            r"ignore:Exception ignored in. <_io.FileIO name='[^']*/static/:pytest.PytestUnraisableExceptionWarning"))


# --- Accessibility: axe-core on every page and every htmx state the tests reach ---------------------------------
#
# axe-core (shipped by axe-playwright-python) is loaded into every document of the test's browser context. It runs
# by itself once a page has loaded and again after every htmx swap has settled, and reports to Python through an
# exposed binding, so a page cannot be visited without being checked. The content security policy would block the
# injected script, so the context bypasses CSP (the pages' own CSP is tested elsewhere, with the test client).
# Every violation of WCAG 2.0/2.1 A and AA found in any state fails the test at its end, with the rule, the page and
# the offending elements; so does any answer of 500 or more, and any English text found in a Danish page's state.

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

AXE_RUNNER = (Path(__file__).parent / "axe_runner.js").read_text().replace("__AXE_TAGS__", json.dumps(AXE_TAGS))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Contexts that let axe-core in (see above)."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def axe_reports():
    """Every axe-core report of this test: dicts with url, reason and violations (or error)."""
    return []


@pytest.fixture
def context(context, axe_reports):
    """The test's browser context, with axe-core in every page; fails the test on any accessibility violation."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    context.add_init_script(source)
    context.add_init_script(AXE_RUNNER)
    context.expose_binding("__axeReport", lambda _source, report: axe_reports.append(report))
    loaded: list[str] = []
    context.on("page", lambda page: page.on("load", lambda p: loaded.append(p.url)))
    server_errors: list[str] = []
    context.on("response", lambda r: server_errors.append(f"{r.status} {r.request.method} {r.url}")
               if r.status >= 500 else None)
    yield context
    for page in context.pages:
        try:
            page.evaluate("window.__axeIdle ? window.__axeIdle() : null")
        except Exception:  # a page closed or navigating away: what it reported so far still counts
            pass
    # A page the test left before axe-core finished (a redirect straight after a post, say) is loaded again and
    # checked now: it is the page the person saw, minus state only a post could make.
    checked = {r["url"] for r in axe_reports}
    missed = sorted({url for url in loaded if url.startswith("http") and url not in checked})
    landed = {}
    if missed:
        again = context.new_page()
        for url in missed:
            again.goto(url)
            again.evaluate("window.__axeIdle()")
            landed[url] = again.url  # where a page that redirects now leads
        again.close()
    checked = {r["url"] for r in axe_reports}
    missed = [url for url in missed if url not in checked and landed.get(url) not in checked]
    assert not missed, f"pages loaded but never checked by axe-core: {missed}"
    assert not server_errors, f"the server failed: {server_errors}"
    english = _english_in_danish(axe_reports)
    assert not english, "English text on Danish pages:\n" + "\n".join(english)
    failures = [r for r in axe_reports if r.get("violations") or r.get("error")]
    assert not failures, "accessibility (axe-core, WCAG 2.1 A/AA):\n" + "\n".join(_axe_text(r) for r in failures)


def _english_in_danish(reports: list[dict]) -> list[str]:
    from tests.platform.test_danish_forms import ENGLISH, visible_text

    found = []
    for report in reports:
        if report.get("html"):
            text = visible_text(report["html"])
            found.extend(f"- {report['url']} ({report['reason']}): {phrase!r}" for phrase in ENGLISH if phrase in text)
    return sorted(set(found))


def _axe_text(report: dict) -> str:
    if report.get("error"):
        return f"- {report['url']} ({report['reason']}): axe-core failed: {report['error']}"
    lines = [f"- {report['url']} ({report['reason']}):"]
    for violation in report["violations"]:
        lines.append(f"    {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"      {node['target']}: {node['summary']}" for node in violation["nodes"])
    return "\n".join(lines)


def axe_check(page) -> None:
    """Check the page as it is now (after a change the test made without a load or an htmx swap)."""
    page.evaluate("window.__axeCheck('explicit')")
