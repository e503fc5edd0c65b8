"""A new round without a file (from the built-in template, or a copy of an earlier round with
its population table), and the check page's summary of what changed."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import select

from dialog.extensions import db
from dialog.models import AuditEvent
from dialog.services import catalog
from dialog.services.population import DEMO_POPULATION, population_for, store_population
from surveys import builtin_template_path


def new_round(client, csrf, source, slug, **extra):
    page = client.get("/staff/new-round", query_string={"source": source})
    assert page.status_code == 200
    return client.post("/staff/new-round", data={
        "csrf_token": csrf(page.text), "source": source, "slug": slug,
        "title": "Trygghetsundersökning 2027", **extra})


def publish(client, csrf, pending_url):
    page = client.get(pending_url)
    return client.post(pending_url + "publish", data={"csrf_token": csrf(page.text)})


def audit(app):
    with app.app_context():
        return [(e.action, e.target, e.detail)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_new_round_from_the_template_is_a_draft_with_its_dates(app, staff, csrf):
    overview = staff.get("/staff/").text
    assert "/staff/new-round?source=template:trygghet" in overview
    resp = new_round(staff, csrf, "template:trygghet", "trygghet-2027",
                     opens_at="2027-03-01", closes_at="2027-03-31")
    assert resp.status_code == 302
    pending_url = resp.headers["Location"]
    page = staff.get(pending_url).text
    # Compared with the newest round of the same template: nothing that matters changed.
    assert "Vad har ändrats sedan omgången trygghet" in page
    assert "Frågorna, svarsalternativen, villkoren och nyckeltalen är desamma." in page
    assert "1 mars 2027" in page and "31 mars 2027" in page
    assert staff.get(pending_url + "preview/sv/").status_code == 200
    assert publish(staff, csrf, pending_url).status_code == 302
    with app.app_context():
        record = catalog.find_survey("trygghet-2027")
        survey = catalog.definition_of(record.current_version)
        assert record.status == "draft"
        assert catalog.round_period(record) == (date(2027, 3, 1), date(2027, 3, 31))
        assert survey.title["sv"] == "Trygghetsundersökning 2027"
        assert survey.template == "trygghet"
    assert [a[:2] for a in audit(app)][-2:] == [("new_round", "trygghet-2027"),
                                                 ("publish_survey", "trygghet-2027")]


def test_new_round_from_an_earlier_round_takes_its_population_table(app, staff, csrf):
    with app.app_context():
        store_population(catalog.find_survey("trygghet"),
                         DEMO_POPULATION.read_text(encoding="utf-8"), "SCB 2024")
    survey_page = staff.get("/staff/surveys/trygghet/").text
    assert "/staff/new-round?source=round:trygghet" in survey_page
    resp = new_round(staff, csrf, "round:trygghet", "trygghet-2028")
    assert resp.status_code == 302
    page = staff.get(resp.headers["Location"]).text
    assert "en kopia av omgången trygghet" in page
    assert publish(staff, csrf, resp.headers["Location"]).status_code == 302
    with app.app_context():
        population = population_for(catalog.find_survey("trygghet-2028"))
        assert (population.source, population.is_estimate) == ("SCB 2024", False)
    assert ("new_round", "trygghet-2028", "round:trygghet") in audit(app)


def test_a_new_round_needs_a_free_valid_address(app, staff, csrf):
    taken = new_round(staff, csrf, "template:trygghet", "trygghet")
    assert taken.status_code == 422
    assert "Det finns redan en enkätomgång med den här adressen" in taken.text
    bad = new_round(staff, csrf, "template:trygghet", "Trygghet 2027!",
                    opens_at="2027-05-01", closes_at="2027-04-01")
    assert bad.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', bad.text, re.S).group(0)
    assert '<a href="#slug">' in summary and "gemena a–z" in summary
    unknown = new_round(staff, csrf, "round:finns-inte", "trygghet-2029")
    assert unknown.status_code == 422
    with app.app_context():
        assert catalog.find_survey("trygghet-2029") is None


def test_the_check_page_says_what_changed_and_what_breaks_the_trend(app, staff, csrf):
    yaml = builtin_template_path("trygghet").read_text(encoding="utf-8")
    yaml = yaml.replace("Hur gammal är du?", "Hur gammal är du i dag?")
    # The row "Klotter" of the problem matrix goes (and with it the priority option).
    changed = re.sub(r"\n( +)- code: klotter\n(\1  .*\n)+", "\n", yaml)
    assert changed.count("code: klotter") == 0
    page = staff.get("/staff/upload")
    resp = staff.post("/staff/upload", data={
        "csrf_token": csrf(page.text),
        "definition": (io.BytesIO(changed.encode()), "trygghet.yaml")},
        content_type="multipart/form-data")
    assert resp.status_code == 302, resp.text[-2000:]
    page = staff.get(resp.headers["Location"]).text
    assert "Vad har ändrats sedan den nuvarande versionen" in page
    assert "Det här bryter jämförelsen med den tidigare omgången" in page
    assert "ingen trend" in page
    assert "Omformulerade texter per språk: Svenska 1." in page
    assert re.search(r"Påståenden \(rader i en matris\)</th><td>0</td><td>1</td>", page)
    assert "Hur gammal är du i dag?" in page and "<code>problem.klotter</code>" in page
