"""A fresh app and a migrated database per test, with the built-in survey published.

Every test that uses ``app`` runs on SQLite. A test marked ``postgres`` (on the test, or
``pytestmark`` for a whole module) runs on a PostgreSQL 15 cluster that the session starts
itself as well; see ``postgres_too`` for which tests are marked and why.
``TEST_DATABASES=sqlite`` runs SQLite only, ``TEST_ALL_ON_POSTGRES=1`` runs every test on
both (``make upgrade`` does, as a new SQLAlchemy or psycopg can move the differences).
Both databases are copied from a template migrated once per test process, which is much
faster than migrating each one (half a second of CPU and many disk syncs on SQLite).
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

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
ALL_ON_POSTGRES = os.environ.get("TEST_ALL_ON_POSTGRES") == "1"
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    # Fresh dashboard results after every change, however slow the machine; the background
    # refresh has tests of its own (test_results_store.py).
    "RESULTS_BACKGROUND_AFTER_SECONDS": None,
    # A cheaper scrypt: every sign-in here would otherwise cost 0.15 s of CPU (a few minutes
    # of the suite, most of it in fuzzing the login form). The default is tested on its own.
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite database per test process at the newest migration, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    template = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    _prepare(template)
    with template.app_context():
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def app_config() -> dict:
    """Extra settings for ``app``; a test overrides it with ``@pytest.mark.parametrize``."""
    return {}


@pytest.fixture
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        database = tmp_path / "test.db"
        # SQLite's own copy: consistent whatever the template's journal holds.
        with closing(sqlite3.connect(request.getfixturevalue("sqlite_template"))) as source, \
                closing(sqlite3.connect(database)) as copy:
            source.backup(copy)
        yield f"sqlite:///{database}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{os.getpid()}_{next(_numbers)}"
    yield cluster.create_database(name, template=_TEMPLATE)
    cluster.drop_database(name)


def postgres_too(metafunc) -> bool:
    """Whether a test runs on PostgreSQL as well as on SQLite.

    The rule: mark a test (or its module) ``postgres`` when what it proves rests on SQL that
    the two databases do differently, that is when it tests
    - concurrency, locking or several processes or app servers on one database, crash safety;
    - migrations (DDL, data moved by a migration, downgrades);
    - upserts (``on_conflict``), unique-constraint races, server-side cursors (``yield_per``);
    - what SQLite lets through and PostgreSQL refuses: NUL characters, over-long text (fuzzing);
    - dates or numbers cast or compared in SQL, binary data, deletes that cascade through
      foreign keys, sampling, backups and purges.
    Everything else – pages, forms, languages, access rules, the figures – goes through the
    same SQLAlchemy queries on both. Running every test twice (until December 2026) doubled
    the database tests' time; the failures only PostgreSQL showed in that time were a NUL
    character (fuzzing) and a server-side cursor (exports), both in marked tests.
    """
    return ALL_ON_POSTGRES or metafunc.definition.get_closest_marker("postgres") is not None


def pytest_generate_tests(metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        backends = [b for b in BACKENDS if b != "postgres" or postgres_too(metafunc)]
        # TEST_DATABASES=postgres alone: every test on PostgreSQL.
        metafunc.parametrize("database_url", backends or BACKENDS, indirect=True)


@pytest.fixture
def app(database_url, app_config):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **app_config})
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
