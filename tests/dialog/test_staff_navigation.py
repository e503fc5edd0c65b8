"""One staff menu on every page behind the sign-in, with only the links the role may follow
and "Sign out" always there; councillors start at the results of the current round."""

from __future__ import annotations

import re

import pytest

from tests.dialog.helpers import login, make_user, seed

T = "trygghet"
PAGES = ["/staff/", "/staff/password", "/staff/users", "/staff/audit", f"/staff/surveys/{T}/",
         "/staff/upload", "/staff/new-round", f"/staff/surveys/{T}/paper",
         f"/staff/surveys/{T}/free-text",
         "/dashboard/", f"/dashboard/{T}/", "/staff/lofte/", f"/dashboard/{T}/lofte/ny",
         "/kiosk/devices", "/staff/translations/", "/staff/translations/interface/fi/",
         "/staff/lagesbild/", "/staff/indicators/", "/staff/atgardsplan/",
         "/staff/atgardsplan/ny", "/staff/trygghetsvandringar/", "/staff/urval/"]
COMMON = ["/dashboard/", "/staff/lofte/", "/staff/atgardsplan/", "/staff/password"]
MENU = {
    "councillor": COMMON,
    "staff": ["/staff/", *COMMON, "/kiosk/devices", "/staff/translations/",
              "/staff/lagesbild/", "/staff/indicators/", "/staff/urval/",
              "/staff/trygghetsvandringar/"],
    "admin": ["/staff/", *COMMON, "/kiosk/devices", "/staff/translations/", "/staff/lagesbild/",
              "/staff/indicators/", "/staff/urval/", "/staff/trygghetsvandringar/", "/staff/users",
              "/staff/audit"],
}
NAV_RE = re.compile(r'<nav class="languages staff-nav"[^>]*>(.*?)</nav>', re.S)


def _menu(html: str) -> tuple[list[str], str]:
    navs = NAV_RE.findall(html)
    assert len(navs) == 1, f"{len(navs)} staff menus"
    return re.findall(r'<a href="([^"?]+)', navs[0]), navs[0]


@pytest.mark.parametrize("role", sorted(MENU))
def test_every_staff_page_has_the_one_menu_of_the_role(app, client, csrf, role):
    make_user(app, f"{role}@kommun.se", role)
    assert login(client, csrf, f"{role}@kommun.se").status_code == 302
    shown = 0
    for path in PAGES:
        resp = client.get(path)
        if resp.status_code != 200:
            assert resp.status_code in (302, 403), (path, resp.status_code)
            continue
        shown += 1
        links, nav = _menu(resp.text)
        assert sorted(links) == sorted(MENU[role]), path
        assert 'action="/staff/logout"' in nav, path
        current = re.findall(r'<a href="([^"?]+)"[^>]*aria-current="page"', nav)
        assert len(current) <= 1, path
    assert shown >= (3 if role == "councillor" else len(PAGES) - 2)


def test_the_current_page_is_marked_in_the_menu(app, client, csrf, staff):
    for path, link in [("/kiosk/devices", "/kiosk/devices"), ("/dashboard/", "/dashboard/"),
                       ("/staff/lofte/", "/staff/lofte/"), ("/staff/", "/staff/"),
                       ("/staff/atgardsplan/ny", "/staff/atgardsplan/")]:
        nav = _menu(client.get(path).text)[1]
        assert re.findall(r'<a href="([^"?]+)"[^>]*aria-current="page"', nav) == [link], path


def test_a_councillor_lands_on_the_results_of_the_current_round(app, client, csrf):
    make_user(app, "ledamot@kommun.se", "councillor")
    # No round has answers yet: the list of results.
    assert login(client, csrf, "ledamot@kommun.se").headers["Location"] == "/dashboard/"
    assert client.get("/staff/").headers["Location"] == "/dashboard/"
    seed(app, 30)
    assert client.get("/staff/").headers["Location"] == f"/dashboard/{T}/"
    listing = client.get("/dashboard/").text
    cards = re.findall(r'href="/dashboard/([^/"]+)/"', listing)
    assert cards[0] == T
    client.post("/staff/logout", data={"csrf_token": csrf(listing)})
    assert login(client, csrf, "ledamot@kommun.se").headers["Location"] == f"/dashboard/{T}/"
    # An address asked for before signing in still wins.
    client.post("/staff/logout", data={"csrf_token": csrf(client.get("/dashboard/").text)})
    resp = login(client, csrf, "ledamot@kommun.se", next_url="/staff/lofte/")
    assert resp.headers["Location"] == "/staff/lofte/"
