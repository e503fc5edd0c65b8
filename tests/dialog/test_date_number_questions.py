"""Date and bounded number questions on the resident's page: a labelled native field, the
format and range as hints tied to the field, errors in the resident's language (Arabic right
to left included), no script needed; paper entry uses the same fields."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dialog.extensions import db
from dialog.services import catalog
from surveys import parse_definition

# On PostgreSQL too: dates and numbers stored and read back.
pytestmark = pytest.mark.postgres

DEFINITION = """\
slug: handelser
title: {sv: Händelser, en: Incidents, ar: حوادث}
languages: [sv, en, ar]
default_language: sv
intro:
  responsible: {sv: Kommunen, en: The municipality, ar: البلدية}
  purpose: {sv: Syfte, en: Purpose, ar: الغرض}
  anonymity: {sv: Anonymt, en: Anonymous, ar: مجهول}
  retention: {sv: Två år, en: Two years, ar: سنتان}
  voluntary: {sv: Frivilligt, en: Voluntary, ar: طوعي}
pages:
  - id: handelse
    title: {sv: Händelsen, en: The incident, ar: الحادث}
    questions:
      - id: nar
        type: date
        text: {sv: "När hände det?", en: "When did it happen?", ar: "متى حدث ذلك؟"}
        help: {sv: Ungefär räcker., en: Roughly is fine., ar: التقريب يكفي.}
        required: true
        min: 2020-01-01
        max: today
      - id: antal
        type: number
        text: {sv: "Hur många gånger?", en: "How many times?", ar: "كم مرة؟"}
        min: 1
        max: 20
  - id: mer
    title: {sv: Mer, en: More, ar: المزيد}
    questions:
      - id: ovrigt
        type: free_text
        text: {sv: Övrigt, en: Anything else, ar: أي شيء آخر}
"""


@pytest.fixture
def published(app):
    with app.app_context():
        catalog.publish(parse_definition(DEFINITION), status="open")
        db.session.commit()


def _page(client, csrf, lang: str):
    start = client.get(f"/{lang}/s/handelser/")
    assert start.status_code == 200
    resp = client.post(f"/{lang}/s/handelser/", data={"csrf_token": csrf(start.text)})
    assert resp.status_code == 302
    return client.get(f"/{lang}/s/handelser/p/1")


def test_date_field_is_labelled_native_and_hinted(client, csrf, published):
    page = _page(client, csrf, "sv")
    assert page.status_code == 200
    today = dt.date.today().isoformat()
    field = re.search(r'<input type="date"[^>]*>', page.text).group(0)
    assert 'name="nar" id="nar"' in field
    assert f'min="2020-01-01" max="{today}"' in field
    assert 'aria-describedby="hint-nar fmt-nar"' in field
    assert '<label for="nar" class="legend">När hände det? <span class="req">' in page.text
    assert "År-månad-dag, till exempel 2024-03-14. Från 1 januari 2020 till" in page.text
    number = re.search(r'<input type="text" inputmode="numeric"[^>]*>', page.text).group(0)
    assert 'aria-describedby="range-antal"' in number
    assert '<p class="hint" id="range-antal">Från 1 till 20.</p>' in page.text
    assert "<script" not in page.text.split("</form>")[0].split('<form method="post"')[-1]


def test_errors_are_in_the_residents_language_right_to_left(client, csrf, published):
    page = _page(client, csrf, "ar")
    assert 'dir="rtl"' in page.text
    resp = client.post("/ar/s/handelser/p/1", data={
        "csrf_token": csrf(page.text), "action": "next", "nar": "14/3/2019", "antal": "99"})
    assert resp.status_code == 422
    assert "اكتب تاريخًا من" in resp.text  # "write a date from … to …", dates in Arabic
    assert "2020" in resp.text
    assert 'id="err-nar"' in resp.text
    assert 'aria-describedby="hint-nar fmt-nar err-nar"' in resp.text
    assert 'id="err-antal"' in resp.text
    field = re.search(r'<input type="date"[^>]*>', resp.text).group(0)
    assert 'dir="ltr"' in field and 'value="14/3/2019"' in field  # kept as typed, to correct
    resp = client.post("/ar/s/handelser/p/1", data={
        "csrf_token": csrf(resp.text), "action": "next", "nar": "2024-3-14"})
    assert resp.status_code == 302
    again = client.get("/ar/s/handelser/p/1")
    assert 'value="2024-03-14"' in again.text


def test_format_error_in_swedish(client, csrf, published):
    page = _page(client, csrf, "sv")
    resp = client.post("/sv/s/handelser/p/1", data={
        "csrf_token": csrf(page.text), "action": "next", "nar": "igår"})
    assert resp.status_code == 422
    assert "Skriv datumet som år-månad-dag, till exempel 2024-03-14." in resp.text


def test_paper_entry_has_the_date_field(app, staff, csrf, published):
    page = staff.get("/staff/surveys/handelser/paper")
    assert page.status_code == 200
    assert re.search(r'<input type="date" name="nar"', page.text)
    resp = staff.post("/staff/surveys/handelser/paper", data={
        "csrf_token": csrf(page.text), "paper_language": "sv", "nar": "3.5.2023", "antal": "2"})
    assert resp.status_code == 302, resp.text[-2000:]
