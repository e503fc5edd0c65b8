"""Form posts over https, sent the way a browser sends them, and the untrusted-proxy warning.

``browser_post`` sets ``Referer`` and ``Origin`` from the Referrer-Policy of the page the form
came from, as the Fetch standard tells browsers to; a test client otherwise sends neither.
"""

from __future__ import annotations

import logging

import pytest

from tests.dialog.helpers import PASSWORD, begin, make_user

SITE = "https://dialog.kommun.example"


def browser_post(client, page, data: dict, *, referer: bool = True, origin: bool = True):
    """Post ``data`` to the URL of ``page`` (a response of ``client.get``) as a browser would.

    ``referer=False`` is a browser or add-on that strips the Referer; ``origin=False`` one
    that sends no Origin either (very old browsers).
    """
    url = page.request.url
    policy = page.headers.get("Referrer-Policy", "strict-origin-when-cross-origin")
    headers = {}
    # Fetch: a same-origin form post sends "Origin: null" and no Referer under no-referrer.
    if policy == "no-referrer":
        headers["Origin"] = "null"
    else:
        if origin:
            headers["Origin"] = SITE
        if referer:
            headers["Referer"] = url
    return client.post(url, data=data, headers=headers)


def _intro(client, lang: str = "sv"):
    page = client.get(f"/{lang}/s/trygghet/", base_url=SITE)
    assert page.status_code == 200
    return page


def test_a_resident_starts_the_survey_over_https(client, csrf):
    page = _intro(client)
    assert page.headers["Referrer-Policy"] == "same-origin"
    resp = browser_post(client, page, {"csrf_token": csrf(page.text)})
    assert resp.status_code == 302, resp.text[:500]
    assert resp.headers["Location"].endswith("/sv/s/trygghet/p/1")


@pytest.mark.parametrize("sent", [{"referer": False}, {"origin": False}])
def test_either_origin_or_referer_is_enough(client, csrf, sent):
    page = _intro(client)
    resp = browser_post(client, page, {"csrf_token": csrf(page.text)}, **sent)
    assert resp.status_code == 302, resp.text[:500]


@pytest.mark.parametrize(("lang", "words"), [("sv", "Din webbläsare talade inte om vilken sida"),
                                             ("en", "Your browser did not tell us"),
                                             ("ar", 'lang="ar"')])
def test_a_browser_that_says_nothing_gets_a_page_saying_what_to_change(client, csrf, lang,
                                                                        words):
    page = _intro(client, lang)
    resp = browser_post(client, page, {"csrf_token": csrf(page.text)},
                        referer=False, origin=False)
    assert resp.status_code == 400
    assert words in resp.text
    assert "referrer" in resp.text


@pytest.mark.parametrize("foreign", ["https://evil.example", "http://dialog.kommun.example",
                                     "https://dialog.kommun.example:8443"])
def test_a_post_from_another_origin_is_refused(client, csrf, foreign, caplog):
    page = _intro(client)
    token = csrf(page.text)
    for headers in ({"Origin": foreign}, {"Referer": foreign + "/sv/s/trygghet/"},
                    {"Origin": foreign, "Referer": page.request.url}):
        with caplog.at_level(logging.WARNING):
            resp = client.post(page.request.url, data={"csrf_token": token}, headers=headers)
        assert resp.status_code == 400, headers
        assert "<h1>" in resp.text
    assert "refused a form post" in caplog.text


def test_staff_sign_in_over_https(app, client, csrf):
    make_user(app)
    page = client.get("/staff/login", base_url=SITE)
    resp = browser_post(client, page, {"csrf_token": csrf(page.text),
                                       "email": "samordnare@kommun.se", "password": PASSWORD})
    assert resp.status_code == 302, resp.text[:500]
    assert "/staff/login" not in resp.headers["Location"]


def test_plain_http_needs_no_origin(client, csrf):
    """Development over http (make run) keeps working with the token alone."""
    assert begin(client, csrf).status_code == 302


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 0}])
def test_forwarding_headers_from_an_untrusted_proxy_are_logged_once(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/sv/")
        assert "TRUSTED_PROXIES" not in caplog.text
        for _ in range(3):
            client.get("/sv/", headers={"X-Forwarded-For": "198.51.100.4",
                                        "X-Forwarded-Proto": "https"})
    warnings = [r for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]
    assert len(warnings) == 1
    assert "X-Forwarded-For/X-Forwarded-Proto" in warnings[0].getMessage()
    assert "198.51.100.4" not in caplog.text  # no client address in the log


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_a_trusted_proxy_is_not_warned_about(app, caplog):
    with caplog.at_level(logging.WARNING):
        resp = app.test_client().get("/sv/", headers={"X-Forwarded-For": "198.51.100.4",
                                                      "X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in resp.headers  # https seen through the proxy
    assert "TRUSTED_PROXIES" not in caplog.text
