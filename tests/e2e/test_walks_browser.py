"""A trygghetsvandring on a 390 px phone outdoors: a walk is started, a stop added with the
phone's position, an observation and a camera photo noted, "Gör till åtgärd" opened and the
protocol printed on A4 – every page axe-clean and no wider than the screen."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.e2e.conftest import (
    STAFF_EMAIL,
    Seeded,
    Server,
    assert_accessible,
    development_server,
    print_staff_page,
    shot,
    sign_in,
)

pytestmark = pytest.mark.e2e
WIDTH = 390


@pytest.fixture(scope="module")
def walk_server(seeded: Seeded, tmp_path_factory) -> Iterator[Server]:
    """The app with its walk photos in a throwaway folder instead of instance/."""
    photos = tmp_path_factory.mktemp("walk-photos")
    with development_server(seeded, "walk-server", WALK_PHOTO_DIR=str(photos)) as running:
        yield running


def _fits(page, label: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, label
    assert_accessible(page, label)
    shot(page, f"walk-{label}")


def test_a_walk_on_a_phone(walk_server, new_page):
    server = walk_server
    page = new_page(WIDTH, 844, has_touch=True, is_mobile=True, permissions=["geolocation"],
                    geolocation={"latitude": 61.303512, "longitude": 17.059034, "accuracy": 12})
    sign_in(page, server, STAFF_EMAIL, "sv")
    page.goto(f"{server.url}/staff/trygghetsvandringar/")
    page.fill("input[name=area]", "Centrum och resecentrum")
    page.fill("textarea[name=participants]", "Trygghetssamordnare, LPO, bostadsbolaget")
    _fits(page, "list")
    with page.expect_navigation():
        page.get_by_role("button", name="Starta vandringen").click()

    # The round's named places are offered; this stop is added from where the walkers stand.
    assert page.locator("select[name=choice] option", has_text="Resecentrum").count() == 1
    page.get_by_role("button", name="Använd min position").click()
    page.wait_for_function("document.getElementById('lat').value !== ''")
    assert "inom 12 meter" in page.locator("#position-status").inner_text()
    page.fill("input[name=text]", "Gångtunneln vid järnvägen")
    _fits(page, "walk")
    with page.expect_navigation():
        page.get_by_role("button", name="Lägg till stoppet").click()
    assert "Gångtunneln vid järnvägen" in page.locator("h1").inner_text()
    assert "61.30351, 17.05903" in page.locator("main").inner_text()

    page.get_by_label("Belysning", exact=True).check()
    page.fill("textarea[name=text]", "Två lampor i tunneln är trasiga")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara iakttagelsen").click()
    photo = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 120, 160)).save(photo, "JPEG")
    page.set_input_files("input[name=photo]", files=[{
        "name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": photo.getvalue()}])
    with page.expect_navigation():
        page.get_by_role("button", name="Ladda upp fotot").click()
    image = page.get_by_role("img", name="Foto 1 från stoppet")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1200
    assert image.bounding_box()["width"] <= WIDTH
    _fits(page, "stop")

    with page.expect_navigation():
        page.get_by_role("link", name="Gör till åtgärd").click()
    assert page.locator("textarea[name=what_sv]").input_value() == \
        "Två lampor i tunneln är trasiga"
    _fits(page, "measure-form")

    page.go_back()
    with page.expect_navigation():
        page.get_by_role("link", name="Tillbaka till vandringen: Centrum och resecentrum").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Protokollet (skriv ut eller spara som PDF)").click()
    main = page.locator("main").inner_text()
    assert "Protokoll från trygghetsvandringen: Centrum och resecentrum" in main
    assert "Två lampor i tunneln är trasiga" in main
    _fits(page, "protocol")
    print_staff_page(page, "trygghetsvandring-protokoll.pdf")
