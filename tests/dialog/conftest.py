"""A fresh app and a migrated SQLite database per test, with the built-in survey published."""

from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade

from dialog import create_app
from dialog.extensions import db
from dialog.services import catalog
from surveys import load_definition
from surveys.templates import builtin_template_path


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
    })
    with app.app_context():
        upgrade(revision="heads")
        catalog.publish(load_definition(builtin_template_path("trygghet")))
    yield app
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


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf():
    """Reads the CSRF token out of a rendered page, as a browser would submit it."""
    return _csrf_token
