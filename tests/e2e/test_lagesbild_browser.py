"""The monthly lägesbild in the browser: staff build the figures, write, the municipality and
the police approve with their own accounts, it is published; residents read it at 320 px, in
Swedish and in Arabic (right to left), by keyboard, and print it on A4."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.indicators import Period
from tests.e2e.conftest import PASSWORD, _flask_commands, assert_accessible, shot, sign_in

pytestmark = pytest.mark.e2e

KOMMUN, POLIS = "kommun@kommun.example", "lpo@polisen.example"


def _approve(new_page, server, email: str, month: str, button: str) -> None:
    page = new_page(1280, 800)
    sign_in(page, server, email, "sv")
    page.goto(f"{server.url}/staff/lagesbild/{month}")
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert "Godkänd." in page.locator(".notice").inner_text()


def test_draft_approve_publish_and_read_a_lagesbild(server, new_page):
    _flask_commands(server.env, (["indicators", "demo", "--if-empty"], None), *(
        (["create-user", email, "--role", "staff", "--organisation", organisation,
          "--password-stdin"], PASSWORD + "\n")
        for email, organisation in ((KOMMUN, "kommun"), (POLIS, "polis"))))
    today = date.today()
    month = str(Period(12, today.year, today.month).shift(-1))  # the demo's last month

    page = new_page(1280, 800)
    sign_in(page, server, KOMMUN, "sv")
    page.goto(f"{server.url}/staff/lagesbild/")
    page.fill("input[name=month]", month)
    with page.expect_navigation():
        page.get_by_role("button", name="Bygg siffrorna", exact=True).click()
    page.fill("textarea[name=analysis_sv]", "Narkotikabrotten har ökat i tätorten.")
    page.fill("textarea[name=problems-0-problem_sv]", "Langning vid busstationen")
    page.fill("textarea[name=problems-0-causes_sv]", "Dålig belysning och få vuxna på kvällen")
    page.fill("textarea[name=problems-0-influence_sv]", "Belysning och nattvandringar")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara texterna").click()
    assert_accessible(page, "lägesbild staff page")
    shot(page, "lagesbild-1-staff")

    _approve(new_page, server, KOMMUN, month, "Godkänn för kommunen")
    _approve(new_page, server, POLIS, month, "Godkänn för polisen")
    page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name="Publicera", exact=True).click()
    assert "Publicerad." in page.locator(".notice").inner_text()

    reader = new_page(320, 640)
    reader.goto(f"{server.url}/sv/lagesbild/")
    assert_accessible(reader, "lägesbild list")
    with reader.expect_navigation():
        reader.locator("main ul a").first.click()
    main = reader.locator("main")
    assert reader.get_by_role("heading", level=1).inner_text().startswith("Lägesbild ")
    for text in ("Narkotikabrotten har ökat i tätorten.", "Langning vid busstationen",
                 "påhittade", "Vad invånarna säger"):
        assert text in main.inner_text()
    # Nothing wider than the screen: tables scroll inside their own box.
    assert reader.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(reader, "lägesbild 320 px")
    shot(reader, "lagesbild-2-public-320")

    # By keyboard: the chart's figures open from their summary.
    summary = reader.locator("details summary").first
    summary.focus()
    reader.keyboard.press("Enter")
    assert reader.locator("details").first.get_attribute("open") is not None

    reader.goto(f"{server.url}/ar/lagesbild/{month}")
    assert reader.locator("html").get_attribute("dir") == "rtl"
    assert reader.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(reader, "lägesbild Arabic")
    shot(reader, "lagesbild-3-public-ar")

    # A4: the language menu and forms are left out of the print, every figure is there.
    reader.emulate_media(media="print")
    assert not reader.locator("header.site").is_visible()
    pdf = reader.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
