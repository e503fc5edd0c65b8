"""Who gets what: every staff and dashboard route × {anonymous, councillor, staff, admin}.

302 = sent to the login page (or, for the login page itself, away from it), 403 = signed in
without the role, 404 = allowed but the object does not exist. Councillors never reach raw
responses, free text or exports.
"""

from __future__ import annotations

import re

import pytest

from tests.dialog.helpers import sign_in_with_password

ROLES = ("anonymous", "councillor", "staff", "admin")

T = "trygghet"
GET_ROUTES: list[tuple[str, tuple[int, int, int, int]]] = [
    ("/staff/login", (200, 302, 302, 302)),
    ("/staff/", (302, 302, 200, 200)),  # a councillor starts at the results instead
    ("/staff/password", (302, 200, 200, 200)),
    ("/staff/users", (302, 403, 403, 200)),
    ("/staff/audit", (302, 403, 403, 200)),
    (f"/staff/surveys/{T}/", (302, 403, 200, 200)),
    ("/staff/surveys/finns-inte/", (302, 403, 404, 404)),
    ("/staff/upload", (302, 403, 200, 200)),
    ("/staff/new-round", (302, 403, 200, 200)),
    ("/staff/pending/999/", (302, 403, 404, 404)),
    ("/staff/pending/999/preview/sv/", (302, 403, 404, 404)),
    (f"/staff/surveys/{T}/preview/sv/", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/preview/en/", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/paper", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/paper/codes", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/paper/999/void", (302, 403, 404, 404)),
    (f"/staff/surveys/{T}/free-text", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/repeats", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/export?format=csv", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/export?format=xlsx", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/codebook.csv", (302, 403, 200, 200)),
    (f"/staff/surveys/{T}/ranking.xlsx", (302, 403, 404, 404)),  # too few answers
    ("/dashboard/", (302, 200, 200, 200)),
    ("/staff/lofte/", (302, 200, 200, 200)),
    (f"/dashboard/{T}/", (302, 200, 200, 200)),
    (f"/dashboard/{T}/chart/heatmap.svg", (302, 404, 404, 404)),  # too few answers
    (f"/dashboard/{T}/print.css", (302, 200, 200, 200)),
    (f"/dashboard/{T}/places.geojson", (302, 200, 200, 200)),  # whole squares, never a point
    (f"/dashboard/{T}/places/", (302, 200, 200, 200)),  # aggregates only, like the GeoJSON
    (f"/dashboard/{T}/lofte/", (302, 404, 404, 404)),  # no löfte drafted yet
    (f"/dashboard/{T}/lofte/ny", (302, 403, 200, 200)),
    (f"/dashboard/{T}/lofte/atgarder/1/andra", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/utskrift", (302, 404, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/andra", (302, 403, 404, 404)),
    ("/staff/translations/", (302, 403, 200, 200)),
    ("/staff/atgardsplan/", (302, 200, 200, 200)),
    ("/staff/atgardsplan/ny", (302, 403, 200, 200)),
    ("/staff/atgardsplan/1", (302, 404, 404, 404)),  # no measure yet
    ("/staff/atgardsplan/rapport/2026", (302, 200, 200, 200)),
    ("/staff/atgardsplan/rapport/2026.xlsx", (302, 200, 200, 200)),
    (f"/staff/translations/surveys/{T}/ar/", (302, 403, 200, 200)),
    (f"/staff/translations/surveys/{T}/sv/", (302, 403, 404, 404)),  # the source language
    ("/staff/translations/interface/fi/", (302, 403, 200, 200)),
    ("/staff/translations/interface/sv/", (302, 403, 404, 404)),
    (f"/staff/translations/surveys/{T}/ar/xliff", (302, 403, 200, 200)),
    ("/staff/indicators/", (302, 403, 200, 200)),
    ("/staff/indicators/finns-inte", (302, 403, 404, 404)),
    ("/staff/lagesbild/", (302, 403, 200, 200)),
    ("/staff/lagesbild/2026-03", (302, 403, 404, 404)),  # no lägesbild drafted yet
    ("/staff/urval/", (302, 403, 200, 200)),
    (f"/staff/urval/{T}/", (302, 403, 200, 200)),  # the import page: no sample yet
    ("/staff/urval/finns-inte/", (302, 403, 404, 404)),
    (f"/staff/urval/{T}/brev/999", (302, 403, 404, 404)),
    (f"/staff/urval/{T}/koder.csv", (302, 403, 409, 409)),  # no sample, so no codes
    # Walks are staff working notes: councillors see neither the notes nor the photos.
    ("/staff/trygghetsvandringar/", (302, 403, 200, 200)),
    ("/staff/trygghetsvandringar/1", (302, 403, 404, 404)),
    ("/staff/trygghetsvandringar/stopp/1", (302, 403, 404, 404)),
    ("/staff/trygghetsvandringar/foto/1.jpg", (302, 403, 404, 404)),
    ("/staff/trygghetsvandringar/1/protokoll", (302, 403, 404, 404)),
    ("/staff/atgardsplan/ny?observation=1", (302, 403, 404, 404)),  # no walk observation yet
]
POST_ROUTES: list[tuple[str, tuple[int, int, int, int]]] = [
    ("/staff/login", (422, 302, 302, 302)),
    ("/staff/logout", (302, 302, 302, 302)),
    ("/staff/password", (302, 422, 422, 422)),
    ("/staff/users", (302, 403, 403, 422)),
    ("/staff/users/999/active", (302, 403, 403, 404)),
    (f"/staff/surveys/{T}/schedule", (302, 403, 302, 302)),
    ("/staff/upload", (302, 403, 422, 422)),
    ("/staff/new-round", (302, 403, 422, 422)),
    ("/staff/pending/999/publish", (302, 403, 404, 404)),
    ("/staff/pending/999/cancel", (302, 403, 404, 404)),
    (f"/staff/surveys/{T}/population", (302, 403, 302, 302)),
    (f"/staff/surveys/{T}/paper", (302, 403, 422, 422)),  # an all-blank form is refused
    (f"/staff/surveys/{T}/paper/codes", (302, 403, 422, 422)),  # blank as well
    (f"/staff/surveys/{T}/paper/999/void", (302, 403, 404, 404)),
    (f"/staff/surveys/{T}/free-text/999/tryggare", (302, 403, 404, 404)),
    (f"/staff/surveys/{T}/free-text/999/tryggare/reviewed", (302, 403, 404, 404)),
    (f"/staff/surveys/{T}/repeats", (302, 403, 303, 303)),
    (f"/dashboard/{T}/lofte/ny", (302, 403, 422, 422)),
    (f"/dashboard/{T}/lofte/atgarder", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/ta-bort", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/andra", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/flytta/upp", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/signera", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/uppfoljning", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/andra", (302, 403, 404, 404)),
    (f"/dashboard/{T}/lofte/atgarder/1/flytta/upp", (302, 403, 404, 404)),
    ("/staff/atgardsplan/ny", (302, 403, 422, 422)),
    ("/staff/atgardsplan/1", (302, 403, 404, 404)),
    ("/staff/atgardsplan/1/uppfoljning", (302, 403, 404, 404)),
    # An empty review form or upload is sent back to the page with a message.
    (f"/staff/translations/surveys/{T}/ar/", (302, 403, 303, 303)),
    ("/staff/translations/interface/fi/", (302, 403, 303, 303)),
    (f"/staff/translations/surveys/{T}/ar/xliff", (302, 403, 303, 303)),
    ("/staff/users/999/organisation", (302, 403, 403, 404)),
    ("/staff/indicators/", (302, 403, 422, 422)),  # no file
    ("/staff/indicators/confirm", (302, 403, 400, 400)),  # no previewed file
    ("/staff/indicators/finns-inte", (302, 403, 404, 404)),
    ("/staff/lagesbild/", (302, 403, 422, 422)),  # no month
    ("/staff/lagesbild/2026-03/texts", (302, 403, 404, 404)),
    ("/staff/lagesbild/2026-03/rebuild", (302, 403, 404, 404)),
    ("/staff/lagesbild/2026-03/approve", (302, 403, 404, 404)),
    ("/staff/lagesbild/2026-03/publish", (302, 403, 404, 404)),
    ("/staff/lagesbild/2026-03/correct", (302, 403, 404, 404)),
    (f"/staff/urval/{T}/", (302, 403, 422, 422)),  # no files chosen
    # Incomplete forms go back to the sample page with a message.
    (f"/staff/urval/{T}/utskick", (302, 403, 302, 302)),
    (f"/staff/urval/{T}/utfall", (302, 403, 302, 302)),
    (f"/staff/urval/{T}/brev-klara", (302, 403, 302, 302)),
    ("/staff/trygghetsvandringar/", (302, 403, 422, 422)),  # no date or area
    ("/staff/trygghetsvandringar/1/stopp", (302, 403, 404, 404)),
    ("/staff/trygghetsvandringar/stopp/1/observation", (302, 403, 404, 404)),
    ("/staff/trygghetsvandringar/stopp/1/foto", (302, 403, 404, 404)),
    ("/staff/trygghetsvandringar/foto/1/ta-bort", (302, 403, 404, 404)),
]
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(app, role: str):
    """A client as ``role`` and a CSRF token of its session."""
    client = app.test_client()
    if role != "anonymous":
        sign_in_with_password(app, client, _token, role)
        return client, _token(client.get("/staff/password").text)
    return client, _token(client.get("/staff/login").text)


def _token(html: str) -> str:
    return TOKEN_RE.search(html).group(1)


@pytest.mark.parametrize("role", ROLES)
def test_access_table(app, role):
    client, token = signed_in(app, role)
    column = ROLES.index(role)
    got = {}
    for path, expected in GET_ROUTES:
        # Closing the response ends a streamed download, which holds a database connection.
        with client.get(path) as resp:
            got[("GET", path)] = (resp.status_code, expected[column])
    for path, expected in POST_ROUTES:
        if path == "/staff/logout":
            continue  # signing out would end the session for the rest of the table
        status = client.post(path, data={"csrf_token": token}).status_code
        got[("POST", path)] = (status, expected[column])
    wrong = {key: value for key, value in got.items() if value[0] != value[1]}
    assert not wrong, f"{role}: (got, expected) {wrong}"
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302


def test_anonymous_is_sent_to_login_with_next(client):
    resp = client.get(f"/staff/surveys/{T}/export?format=csv")
    assert resp.headers["Location"].startswith("/staff/login?next=")


def _pattern(path: str) -> str:
    return path.split("?")[0]


def test_table_covers_every_staff_and_dashboard_route(app):
    listed = {(method, _pattern(p)) for method, routes in (("GET", GET_ROUTES),
                                                           ("POST", POST_ROUTES))
              for p, _ in routes}
    adapter = app.url_map.bind("localhost")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/staff", "/dashboard")) or rule.endpoint.endswith("static"):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            covered = any(m == method and adapter.match(path, method=method)[0] == rule.endpoint
                          for m, path in listed)
            if not covered:
                missing.append((method, rule.rule))
    assert not missing, f"routes missing from the access table: {missing}"
