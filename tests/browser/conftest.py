"""Browser tests: Debian's Chromium driven by Playwright against a live server on a fresh SQLite file."""

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
