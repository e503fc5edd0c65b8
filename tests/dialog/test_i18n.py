"""Eight languages, two of them right-to-left: every resident page, whole walks in Arabic and
Persian, switching language mid-survey, undeclared languages, and language-free exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialog.config import LANGUAGES, RTL_LANGUAGES
from dialog.extensions import db
from dialog.models import Response
from dialog.services import catalog
from dialog.services.export import iter_response_rows
from surveys import load_definition, visible_questions
from tests.dialog.page_text import TRANSLATIONS, check_page

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE_RE = re.compile(r"/s/trygghet/p/(\d+)")

SMALL_SURVEY = """\
slug: liten
title: {sv: Liten enkät, en: Small survey}
languages: [sv, en]
default_language: sv
intro:
  responsible: {sv: Kommunen, en: The municipality}
  purpose: {sv: Ett test, en: A test}
  anonymity: {sv: Anonym, en: Anonymous}
  retention: {sv: Ett år, en: One year}
  voluntary: {sv: Frivillig, en: Voluntary}
pages:
  - id: sida
    title: {sv: Sidan, en: The page}
    questions:
      - id: fraga
        type: free_text
        text: {sv: "Vad tycker du?", en: "What do you think?"}
"""


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs() -> None:
    """The pages are only translated when the catalogs are compiled (make test does that)."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, \
            f"{mo} is missing or older than its .po: run `flask --app app translate compile`"


def fill(page, answers: dict) -> dict[str, list[str]]:
    """Valid answers for every visible question of a page: the first alternatives."""
    data: dict[str, list[str]] = {}
    for q in visible_questions(page, answers):
        if q.type in ("single_choice", "multiple_choice"):
            data[q.id] = [q.options[0].code]
        elif q.type == "pick_top":
            data[q.id] = [o.code for o in q.options[: q.max_selections]]
        elif q.type == "likert_matrix":
            data.update({name: [q.scale.options[-2].code] for name in q.field_names()})
        elif q.type == "free_text":
            # Latin text with digits, as residents write place names and times in any language.
            data[q.id] = ["Gatan vid ICA, kl. 22–23"]
        elif q.type == "place":
            # One place from the list, with the first reason of each choice follow-up.
            data[f"{q.id}.1.place"] = [q.places[0].code]
            data.update({f"{q.id}.1.{f.id}": [f.options[0].code] for f in q.follow_up
                         if f.options})
        else:
            data[q.id] = [str(int(q.min_value or 0))]
    return data


def as_answers(data: dict[str, list[str]]) -> dict:
    return {k: (v if len(v) > 1 else v[0]) for k, v in data.items()}


def _answer_everything(client, csrf, survey, lang: str, pages: list[str]) -> str:
    start = client.get(f"/{lang}/s/trygghet/")
    pages.append(start.text)
    resp = client.post(f"/{lang}/s/trygghet/", data={"csrf_token": csrf(start.text)})
    assert resp.status_code == 302
    number, answers = 1, {}
    while True:
        page_html = client.get(f"/{lang}/s/trygghet/p/{number}")
        assert page_html.status_code == 200
        pages.append(page_html.text)
        page = survey.pages[number - 1]
        data = fill(page, answers)
        answers.update(as_answers(data))
        resp = client.post(f"/{lang}/s/trygghet/p/{number}",
                           data={**data, "csrf_token": csrf(page_html.text), "action": "next"})
        assert resp.status_code == 302
        match = PAGE_RE.search(resp.headers["Location"])
        if not match:
            return resp.headers["Location"]
        number = int(match.group(1))


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_resident_page_renders_in_the_language(app, client, csrf, survey, lang):
    pages = [client.get(f"/{lang}/").text, client.get(f"/{lang}/tillganglighet").text]
    location = _answer_everything(client, csrf, survey, lang, pages)
    assert location.endswith(f"/{lang}/s/trygghet/klart")
    pages.append(client.get(location).text)
    for html in pages:
        check_page(html, lang)
    # Survey wording comes from the definition in the same language, not the Swedish fallback.
    if lang != "sv":
        assert survey.title["sv"] not in pages[2]
        assert survey.title[lang] in pages[2]


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_error_pages_and_form_errors_speak_the_language(app, client, csrf, survey, lang):
    missing = client.get(f"/{lang}/s/finns-inte/")
    assert missing.status_code == 404
    check_page(missing.text, lang)
    refused = client.post(f"/{lang}/s/trygghet/", data={})
    assert refused.status_code == 400
    check_page(refused.text, lang)
    wrong_method = client.delete(f"/{lang}/")
    assert wrong_method.status_code == 405
    check_page(wrong_method.text, lang)
    start = client.get(f"/{lang}/s/trygghet/")
    client.post(f"/{lang}/s/trygghet/", data={"csrf_token": csrf(start.text)})
    page = client.get(f"/{lang}/s/trygghet/p/1")
    unanswered = client.post(f"/{lang}/s/trygghet/p/1",
                             data={"csrf_token": csrf(page.text), "action": "next"})
    assert unanswered.status_code == 422
    check_page(unanswered.text, lang)
    with app.app_context():
        catalog.find_survey("trygghet").status = "closed"
        db.session.commit()
    closed = client.get(f"/{lang}/s/trygghet/")
    assert closed.status_code == 410
    check_page(closed.text, lang)


def test_leak_check_would_catch_an_english_sentence():
    arabic = '<html lang="ar" dir="rtl"><body><p>Start the survey</p></body></html>'
    with pytest.raises(AssertionError, match="Start the survey"):
        check_page(arabic, "ar")
    check_page('<html lang="ar" dir="rtl"><body><p>ابدأ الاستبيان</p></body></html>', "ar")
    with pytest.raises(AssertionError):
        check_page('<html lang="ar" dir="ltr"><body></body></html>', "ar")


@pytest.mark.parametrize("lang", sorted(RTL_LANGUAGES))
def test_walk_in_right_to_left_language_stores_the_same_codes(app, client, csrf, survey, lang):
    pages: list[str] = []
    location = _answer_everything(client, csrf, survey, lang, pages)
    assert location.endswith(f"/{lang}/s/trygghet/klart")
    thanks = client.get(location)
    assert thanks.status_code == 200
    for html in pages:
        assert f'<html lang="{lang}" dir="rtl">' in html
        # Free text and numbers keep their own direction inside the right-to-left page.
        for textarea in re.findall(r"<textarea[^>]*>", html):
            assert 'dir="auto"' in textarea
    # A hidden Next comes first in the source (Enter submits it); the visible Back and Next
    # follow in visual order, which mirrors with the page's direction.
    last_page = pages[-1]
    assert last_page.index('value="next"') < last_page.index('value="back"') \
        < last_page.index('class="primary" type="submit" name="action" value="next"')

    swedish = app.test_client()
    _answer_everything(swedish, csrf, survey, "sv", [])
    with app.app_context():
        stored = db.session.scalars(db.select(Response).order_by(Response.id)).all()
        assert [r.language for r in stored] == [lang, "sv"]
        assert stored[0].answers == stored[1].answers
        rows = list(iter_response_rows(catalog.find_survey("trygghet"), survey))
    header, first, second = rows[0], rows[1], rows[2]
    language_column = header.index("language")
    assert (first[language_column], second[language_column]) == (lang, "sv")
    assert [v for i, v in enumerate(first) if header[i] not in ("response_id", "language")] == \
        [v for i, v in enumerate(second) if header[i] not in ("response_id", "language")]


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)" value="([^"]+)" id="[^"]+" checked', html))


def test_switching_language_mid_survey_keeps_answers_and_page(app, client, csrf, survey):
    start = client.get("/sv/s/trygghet/")
    client.post("/sv/s/trygghet/", data={"csrf_token": csrf(start.text)})
    first = client.get("/sv/s/trygghet/p/1")
    chosen = {"alder": ["45-64"], "kon": ["kvinna"], "omrade": ["ljusne"]}
    switched = client.post("/sv/s/trygghet/p/1",
                           data={**chosen, "csrf_token": csrf(first.text), "switch_lang": "ar"})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/ar/s/trygghet/p/1")
    arabic = client.get("/ar/s/trygghet/p/1")
    check_page(arabic.text, "ar")
    assert {("alder", "45-64"), ("kon", "kvinna"), ("omrade", "ljusne")} <= _checked(arabic.text)

    # Half-filled pages switch too: what was written so far comes along, nothing is required.
    client.post("/ar/s/trygghet/p/1",
                data={**chosen, "csrf_token": csrf(arabic.text), "action": "next"})
    client.post("/ar/s/trygghet/p/2", data={
        **fill(survey.pages[1], {}), "csrf_token": csrf(arabic.text), "action": "next"})
    places = client.get("/ar/s/trygghet/p/3")
    written = "Busstationen vid Köpmantorget – 22:00"
    switched = client.post("/ar/s/trygghet/p/3", data={
        "otrygga_platser": [written], "csrf_token": csrf(places.text), "switch_lang": "fi"})
    assert switched.headers["Location"].endswith("/fi/s/trygghet/p/3")
    finnish = client.get("/fi/s/trygghet/p/3")
    check_page(finnish.text, "fi")
    assert written in finnish.text
    with app.app_context():
        response = db.session.scalars(db.select(Response)).one()
        assert response.answers["alder"] == "45-64"
        assert response.answers["otrygga_platser"] == written
        assert response.page_index == 2
        assert response.status == "partial"


def test_language_menu_on_survey_pages_submits_the_answers(client, csrf):
    start = client.get("/uk/s/trygghet/")
    client.post("/uk/s/trygghet/", data={"csrf_token": csrf(start.text)})
    page = client.get("/uk/s/trygghet/p/1").text
    buttons = re.findall(r'<button type="submit" form="answers" name="switch_lang" '
                         r'value="(\w+)" lang="\1"', page)
    assert buttons == list(LANGUAGES)
    for name in LANGUAGES.values():
        assert name in page


def test_undeclared_language_lands_on_the_default_with_a_notice(app, client, tmp_path):
    definition = tmp_path / "liten.yaml"
    definition.write_text(SMALL_SURVEY, encoding="utf-8")
    with app.app_context():
        catalog.publish(load_definition(definition))
    resp = client.get("/fa/s/liten/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/sv/s/liten/")
    landed = client.get(resp.headers["Location"])
    assert landed.status_code == 200
    page = check_page(landed.text, "sv")
    assert "Liten enkät" in page.text
    # The notice is in the language the visitor asked for, naming both languages by own name.
    assert "این پرسشنامه به زبان فارسی موجود نیست" in page.text
    assert "Svenska" in page.text
    menu = re.search(r'<details class="languages".*?</details>', landed.text, re.S).group(0)
    assert re.findall(r'hreflang="(\w+)"', menu) == ["sv", "en"]


def test_accept_language_picks_the_first_visit_language(client):
    for header, lang in (("ar,en;q=0.5", "ar"), ("fa-IR", "fa"), ("ti-ER,ti;q=0.9", "ti"),
                         ("de-DE,uk;q=0.8", "uk"), ("de-DE", "sv")):
        resp = client.get("/", headers={"Accept-Language": header})
        assert resp.status_code == 302
        assert resp.headers["Location"].endswith(f"/{lang}/")


def test_numbers_are_formatted_in_the_page_locale(client, csrf, survey):
    start = client.get("/sv/s/trygghet/")
    client.post("/sv/s/trygghet/", data={"csrf_token": csrf(start.text)})
    for number in (1, 2):
        page = client.get(f"/sv/s/trygghet/p/{number}")
        client.post(f"/sv/s/trygghet/p/{number}", data={
            **fill(survey.pages[number - 1], {}),
            "csrf_token": csrf(page.text), "action": "next"})
    swedish = client.get("/sv/s/trygghet/p/3").text
    assert "Högst 2\xa0000 tecken." in swedish
    english = client.post("/sv/s/trygghet/p/3", data={
        "csrf_token": csrf(swedish), "switch_lang": "en"})
    assert english.status_code == 302
    assert "At most 2,000 characters." in client.get("/en/s/trygghet/p/3").text


def test_stylesheet_uses_only_logical_directions():
    css = (REPO_ROOT / "dialog" / "static" / "style.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:"
        r"|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)"
        r"|clear\s*:\s*(?:left|right)|border-(?:top|bottom)-(?:left|right)-radius", css)
    assert not physical, f"physical properties do not mirror in Arabic and Persian: {physical}"
    # Four-value shorthands with different left and right sides would not mirror either.
    for prop, values in re.findall(r"(?<![-\w])(margin|padding|border-width|inset)\s*:\s*([^;}]+)",
                                   css):
        parts = values.split()
        if len(parts) == 4:
            assert parts[1] == parts[3], f"{prop}: {values} has different left and right sides"


def test_builtin_survey_speaks_every_language_and_marks_machine_translations(survey):
    assert set(survey.languages) == set(LANGUAGES)
    assert survey.default_language == "sv"
    assert survey.review == {lang: "machine" for lang in LANGUAGES if lang != "sv"}
    # A dash between two numbers reads backwards in right-to-left text ("15–13"): words instead.
    dash_range = re.compile(r"\d\s*[–-]\s*\d")
    for lang in RTL_LANGUAGES:
        for option in survey.question_with_role("age_band").options:
            assert not dash_range.search(option.label[lang]), option.label[lang]


def test_staff_error_pages_speak_the_staff_language_of_the_session(app, client):
    # The browser prefers Swedish, but the staff member chose English in the staff area.
    headers = {"Accept-Language": "sv"}
    client.get("/staff/login?lang=en", headers=headers)
    missing = client.get("/staff/finns-inte/alls", headers=headers)
    assert missing.status_code == 404
    assert "We could not find the page" in missing.text and 'lang="en"' in missing.text
    resident = client.get("/sv/s/finns-inte/", headers=headers)
    assert resident.status_code == 404 and 'lang="sv"' in resident.text
