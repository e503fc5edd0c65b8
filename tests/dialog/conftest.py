"""A fresh app and a migrated database per test, with the built-in survey published.

Every test that uses ``app`` runs twice: on SQLite and on a PostgreSQL 15 cluster that the
session starts itself (``TEST_DATABASES=sqlite`` runs SQLite only). PostgreSQL databases are
copied from a migrated template, which is much faster than migrating each one.
"""

from __future__ import annotations

import itertools
import os
import re

import pytest
from flask_migrate import upgrade

from dialog import create_app
from dialog.extensions import db
from dialog.services import catalog
from surveys import load_definition
from surveys.templates import builtin_template_path
from tests.dialog.helpers import login, make_user
from tests.postgres import cluster as pg

BACKENDS = tuple(os.environ.get("TEST_DATABASES", "sqlite,postgres").split(","))
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    # Fresh dashboard results after every change, however slow the machine; the background
    # refresh has tests of its own (test_results_store.py).
    "RESULTS_BACKGROUND_AFTER_SECONDS": None,
}
_TEMPLATE = "migrated_template"
_numbers = itertools.count()


def _prepare(app) -> None:
    with app.app_context():
        upgrade(revision="head")
        catalog.publish(load_definition(builtin_template_path("trygghet")))


@pytest.fixture(scope="session")
def postgres_cluster():
    """One cluster per test process, with a template database at the newest migration."""
    if not pg.available():
        pytest.skip(f"PostgreSQL 15 is not installed ({pg.PG_BIN})")
    with pg.TemporaryCluster() as cluster:
        template = create_app({**TEST_CONFIG,
                               "SQLALCHEMY_DATABASE_URI": cluster.create_database(_TEMPLATE)})
        _prepare(template)
        with template.app_context():
            db.engine.dispose()
        yield cluster


@pytest.fixture
def app_config() -> dict:
    """Extra settings for ``app``; a test overrides it with ``@pytest.mark.parametrize``."""
    return {}


@pytest.fixture
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{os.getpid()}_{next(_numbers)}"
    yield cluster.create_database(name, template=_TEMPLATE)
    cluster.drop_database(name)


def pytest_generate_tests(metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture
def app(database_url, app_config):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **app_config})
    if database_url.startswith("sqlite"):
        _prepare(app)
    yield app
    _close_sessions(app)


def _close_sessions(app) -> None:
    """Close every session the test left open, then the pool.

    Sessions are kept per app context; a context that was never popped (a streamed download
    the test did not read to the end) keeps its session and so a checked-out connection,
    which ``dispose`` does not close and psycopg would later warn about in another test.
    """
    sessions = db.session.registry.registry
    for session in list(sessions.values()):
        session.close()
    sessions.clear()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def survey(app):
    with app.app_context():
        record = catalog.find_survey("trygghet")
        return catalog.definition_of(record.current_version)


# WTForms writes the hidden field's attributes in its own order (id, name, type, value).
CSRF_RE = re.compile(r'name="csrf_token"[^>]*?\svalue="([^"]+)"')


def _csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf():
    """Reads the CSRF token out of a rendered page, as a browser would submit it."""
    return _csrf_token


@pytest.fixture
def staff(app, client, csrf):
    """A client signed in as staff (samordnare@kommun.se) through the login form."""
    make_user(app)
    assert login(client, csrf).status_code == 302
    return client
