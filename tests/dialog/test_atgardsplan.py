"""The åtgärdsplan: the staff register (create, edit, follow up, errors in Swedish), the
löfte's åtgärder moved into it by the migration, and the public page."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialog.atgardsplan import service
from dialog.atgardsplan.models import Measure
from dialog.extensions import db
from dialog.lagesbild.models import IndicatorSeries
from dialog.lagesbild.models import Measurement as IndicatorMeasurement
from dialog.models import AuditEvent
from dialog.promises.models import Promise
from dialog.services import catalog
from dialog.templating import percent
from tests.dialog.helpers import seed, sign_in

BASE = "/staff/atgardsplan"
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _stored(app) -> list[Measure]:
    with app.app_context():
        rows = list(db.session.scalars(select(Measure).options(
            selectinload(Measure.followups)).order_by(Measure.id)))
        db.session.expunge_all()
        return rows


def _survey_id(app) -> int:
    with app.app_context():
        return catalog.find_survey("trygghet").id


def _new(client, csrf, app, **extra):
    page = client.get(BASE + "/ny")
    assert page.status_code == 200
    data = {"csrf_token": csrf(page.text),
            "problem": f"item:{_survey_id(app)}:narkotikahandel",
            "what_sv": "Fler kameror vid resecentrum", "what_en": "",
            "how_sv": "Antal anmälda brott vid resecentrum", "how_en": "",
            "responsible": "kommun", "responsible_name": "Samhällsbyggnadsförvaltningen",
            "starts": "2026-01-01", "ends": "2026-12-31", "status": "planned",
            "indicator": "", "baseline_period": "", "baseline_value": "", "target_value": "",
            **extra}
    return client.post(BASE + "/ny", data=data)


def test_register_create_edit_and_follow_up(app, client, csrf):
    sign_in(app, client, "staff")
    resp = _new(client, csrf, app)
    assert resp.status_code == 302
    measure = _stored(app)[0]
    assert (measure.what, measure.problem_kind, measure.problem_code, measure.status,
            measure.promise_id) == ({"sv": "Fler kameror vid resecentrum"}, "item",
                                    "narkotikahandel", "planned", None)
    page = client.get(f"{BASE}/{measure.id}")
    assert page.status_code == 200
    assert "Narkotikahandel" in page.text
    assert "kommunen – Samhällsbyggnadsförvaltningen" in page.text
    # The name is offered to the next measure.
    assert '<option value="Samhällsbyggnadsförvaltningen">' in client.get(BASE + "/ny").text

    edit = {"csrf_token": csrf(page.text), "problem": f"item:{_survey_id(app)}:klotter",
            "what_sv": "Klotter saneras inom ett dygn", "what_en": "Graffiti removed in a day",
            "how_sv": "", "how_en": "", "responsible": "annan",
            "responsible_name": "Söderhamns Bostäder", "starts": "2026-02-01",
            "ends": "2027-01-31", "status": "ongoing", "indicator": "",
            "baseline_period": "", "baseline_value": "", "target_value": ""}
    assert client.post(f"{BASE}/{measure.id}", data=edit).status_code == 302
    measure = _stored(app)[0]
    assert (measure.problem_code, measure.responsible, measure.status, measure.ends) == (
        "klotter", "annan", "ongoing", date(2027, 1, 31))

    resp = client.post(f"{BASE}/{measure.id}/uppfoljning", data={
        "csrf_token": csrf(page.text), "followup-on": "2026-06-30",
        "followup-status": "done", "followup-text_sv": "Alla anmälningar åtgärdade"})
    assert resp.status_code == 302
    # A later entry without a status keeps the status; an earlier one with a status does
    # not undo the newer one.
    for on, status in (("2026-07-15", ""), ("2026-05-01", "ongoing")):
        assert client.post(f"{BASE}/{measure.id}/uppfoljning", data={
            "csrf_token": csrf(page.text), "followup-on": on, "followup-status": status,
            "followup-text_sv": "Notering"}).status_code == 302
    measure = _stored(app)[0]
    assert measure.status == "done"
    assert [(f.on.isoformat(), f.status) for f in measure.followups] == [
        ("2026-05-01", "ongoing"), ("2026-06-30", "done"), ("2026-07-15", None)]
    listing = client.get(BASE + "/").text
    assert "Klotter saneras inom ett dygn" in listing and "2026-07-15: Notering" in listing
    with app.app_context():
        actions = [e.action for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("measure.%"))
            .order_by(AuditEvent.id))]
    assert actions == ["measure.create", "measure.edit"] + ["measure.follow_up"] * 3


def test_register_errors_are_in_swedish(app, client, csrf):
    sign_in(app, client, "staff")
    resp = _new(client, csrf, app, what_sv="", responsible="", ends="2025-01-01")
    assert resp.status_code == 422
    assert "Fältet måste fyllas i." in resp.text
    assert "Välj vem som är ansvarig." in resp.text
    resp = _new(client, csrf, app, ends="2025-12-31", baseline_value="tolv")
    assert resp.status_code == 422
    assert "Skriv ett tal" in resp.text
    resp = _new(client, csrf, app, ends="2025-12-31")
    assert resp.status_code == 422
    assert "Slutdatumet kan inte komma före startdatumet." in resp.text
    resp = _new(client, csrf, app, responsible="annan", responsible_name="")
    assert resp.status_code == 422
    assert "Skriv namnet på den ansvariga organisationen." in resp.text
    resp = _new(client, csrf, app, problem="item:x:klotter")
    assert resp.status_code == 422
    assert _stored(app) == []
    measure_page = client.get(BASE + "/ny")
    resp = client.post(f"{BASE}/1/uppfoljning", data={"csrf_token": csrf(measure_page.text)})
    assert resp.status_code == 404


def test_councillors_read_the_register_but_do_not_edit(app, client, csrf):
    sign_in(app, client, "councillor")
    assert client.get(BASE + "/").status_code == 200
    assert client.get(BASE + "/ny").status_code == 403
    assert app.test_client().get(BASE + "/").status_code == 302  # to the sign-in


def _migration_revisions() -> tuple[str, str]:
    script = ScriptDirectory(str(MIGRATIONS))
    revision = next(r for r in script.walk_revisions() if "åtgärdsplan" in (r.doc or ""))
    return revision.revision, revision.down_revision


ACTIONS_FOCUS = [
    {"item": "ungdomskriminalitet", "actions": [{
        "id": "a1b2c3d4",
        "what": {"sv": "Fältassistenter på kvällstid", "en": "Evening youth workers"},
        "responsible": "kommun", "responsible_name": "Socialförvaltningen",
        "start": "2026-03-01", "end": "2027-06-30",
        "follow_up": {"sv": "Antal kvällar redovisas"},
        "followups": [
            {"status": "in_progress", "comment": {"sv": "Två kvällar i veckan"},
             "date": "2026-09-01"},
            {"status": "not_started", "comment": {}, "date": "2026-04-01"}]}]},
    {"item": "inbrott", "actions": [{
        "id": "e5f6a7b8", "what": {"sv": "Grannsamverkan i Ljusne"}, "responsible": "polis",
        "responsible_name": "", "start": "2026-01-15", "end": "2026-12-31",
        "follow_up": {"sv": "Antal anslutna hushåll"}, "followups": []}]},
]


@pytest.mark.postgres
def test_migration_moves_the_loefte_actions_into_the_register(app):
    """On a database at the revision before the åtgärdsplan, with a signed löfte whose
    åtgärder live in the JSON document: upgrading makes them measures, downgrading puts
    them back."""
    head, previous = _migration_revisions()
    promise = sa.table("promise", sa.column("id", sa.Integer), sa.column("survey_id"),
                       sa.column("title", sa.JSON), sa.column("period_start"),
                       sa.column("period_end"), sa.column("status"),
                       sa.column("focus", sa.JSON), sa.column("signatories", sa.JSON),
                       sa.column("signed_on"), sa.column("created_at"),
                       sa.column("updated_at"))
    with app.app_context():
        survey_id = catalog.find_survey("trygghet").id
        # The session's open transaction would hold locks the downgrade's DDL waits for.
        db.session.remove()
        downgrade(revision=previous)
        with db.engine.begin() as connection:
            connection.execute(promise.insert().values(
                survey_id=survey_id, title={"sv": "Tryggare Söderhamn"}, period_start=2026,
                period_end=2027, status="followed_up", focus=ACTIONS_FOCUS,
                signatories=[{"name": "Anna", "role": "KSO"}], signed_on=date(2026, 2, 1),
                created_at=date(2026, 2, 1), updated_at=date(2026, 2, 1)))
        upgrade(revision=head)
        stored = db.session.scalar(select(Promise))
        assert stored.focus == [{"item": "ungdomskriminalitet"}, {"item": "inbrott"}]
        rows = db.session.scalars(select(Measure).order_by(Measure.id)).all()
        assert [(m.promise_id, m.problem_kind, m.problem_code, m.survey_id, m.responsible,
                 m.responsible_name, m.starts, m.ends, m.status) for m in rows] == [
            (stored.id, "item", "ungdomskriminalitet", survey_id, "kommun",
             "Socialförvaltningen", date(2026, 3, 1), date(2027, 6, 30), "ongoing"),
            (stored.id, "item", "inbrott", survey_id, "polis", "", date(2026, 1, 15),
             date(2026, 12, 31), "planned")]
        assert rows[0].what == {"sv": "Fältassistenter på kvällstid",
                                "en": "Evening youth workers"}
        assert rows[0].how == {"sv": "Antal kvällar redovisas"}
        assert [(f.on, f.status, f.text) for f in rows[0].followups] == [
            (date(2026, 4, 1), "planned", {}),
            (date(2026, 9, 1), "ongoing", {"sv": "Två kvällar i veckan"})]
        assert service.is_locked(rows[0])
        db.session.remove()

        downgrade(revision=previous)
        with db.engine.connect() as connection:
            focus = connection.execute(sa.select(promise.c.focus)).scalar_one()
        back = [{**f, "actions": [{k: v for k, v in a.items() if k != "id"}
                                  for a in f["actions"]]} for f in focus]
        expected = [{**f, "actions": [
            {**{k: v for k, v in a.items() if k != "id"},
             "followups": sorted(a["followups"], key=lambda e: e["date"])}
            for a in f["actions"]]} for f in ACTIONS_FOCUS]
        assert back == expected
        upgrade(revision="head")


def _public_measures(app, client, csrf) -> None:
    sign_in(app, client, "staff")
    assert _new(client, csrf, app, what_en="More cameras at the travel centre").status_code == 302
    assert _new(client, csrf, app, what_sv="Belysning i Mo", status="ongoing").status_code == 302
    measure = _stored(app)[0]
    page = client.get(f"{BASE}/{measure.id}")
    assert client.post(f"{BASE}/{measure.id}/uppfoljning", data={
        "csrf_token": csrf(page.text), "followup-on": "2026-05-04",
        "followup-status": "ongoing",
        "followup-text_sv": "Tre kameror är uppsatta"}).status_code == 302


def test_public_page_shows_each_measure_with_its_latest_follow_up(app, client, csrf):
    _public_measures(app, client, csrf)
    resident = app.test_client()
    sv = resident.get("/sv/atgardsplan/")
    assert sv.status_code == 200
    ongoing = re.search(r'<section aria-labelledby="status-ongoing">(.*?)</section>', sv.text,
                        re.S).group(1)
    assert "Fler kameror vid resecentrum" in ongoing and "Belysning i Mo" in ongoing
    assert "Senaste uppföljningen, 4 maj 2026:" in ongoing
    assert "Tre kameror är uppsatta" in ongoing
    assert "Narkotikahandel" in ongoing
    en = resident.get("/en/atgardsplan/")
    assert "More cameras at the travel centre" in en.text
    # Swedish-only texts are marked as Swedish on the English page.
    assert '<h3 lang="sv">Belysning i Mo</h3>' in en.text
    assert '<span lang="sv">Tre kameror är uppsatta</span>' in en.text
    arabic = resident.get("/ar/atgardsplan/")
    assert arabic.status_code == 200 and 'dir="rtl"' in arabic.text
    assert resident.get("/xx/atgardsplan/").status_code == 404


def test_a_draft_loefte_s_actions_are_not_public(app, client, csrf):
    sign_in(app, client, "staff")
    with app.app_context():
        record = catalog.find_survey("trygghet")
        promise = Promise(survey_id=record.id, title={"sv": "Utkast"}, period_start=2026,
                          period_end=2027, status="draft", focus=[{"item": "klotter"}],
                          signatories=[])
        db.session.add(promise)
        db.session.commit()
        service.create_measure(service.MeasureInput(
            what={"sv": "Hemlig plan"}, problem_kind="item", problem_code="klotter",
            survey_id=record.id, responsible="kommun", starts=date(2026, 1, 1),
            ends=date(2026, 12, 31)), promise_id=promise.id)
        assert [m.status for m in service.measure_statuses()] == []
    assert "Hemlig plan" not in app.test_client().get("/sv/atgardsplan/").text
    assert "Hemlig plan" in client.get(BASE + "/").text


def test_effect_indicator_baseline_from_the_figures_and_movement(app, client, csrf):
    """Skadegörelse 10 a month in 2025, 8 a month in 2026: the baseline at 2025-12 is the
    twelve months' sum 120, the latest (2026-12) 96 – a fall, and a rise is bad."""
    with app.app_context():
        series = IndicatorSeries(code="skadegorelse", label={"sv": "Anmäld skadegörelse"},
                                 category="skadegorelse", unit="antal", rise_is_bad=True,
                                 per_year=12)
        db.session.add(series)
        db.session.flush()
        db.session.add_all([
            IndicatorMeasurement(series_id=series.id, period=f"{year}-{month:02d}", area="",
                                 value=10 if year == 2025 else 8)
            for year in (2025, 2026) for month in range(1, 13)])
        db.session.commit()
    sign_in(app, client, "staff")
    assert _new(client, csrf, app, problem="indicator::skadegorelse", indicator="skadegorelse",
                baseline_period="2025-12", target_value="100").status_code == 302
    measure = _stored(app)[0]
    assert (measure.problem_kind, measure.baseline_value, measure.target_value) == (
        "indicator", 120.0, 100.0)
    page = app.test_client().get("/sv/atgardsplan/").text
    assert "Problem: Anmäld skadegörelse." in page
    assert "Utgångsläge: 120 (de tolv månaderna till och med 2025-12)." in page
    assert "Senast: 96 (de tolv månaderna till och med 2026-12)." in page
    assert "Bättre än vid utgångsläget." in page
    resp = _new(client, csrf, app, indicator="", target_value="5")
    assert resp.status_code == 422
    assert "Välj den indikator som utgångsvärdet och målet gäller." in resp.text


def test_yearly_report_page_and_workbook_have_the_same_figures(app, client, csrf):
    seed(app, 200)
    _public_measures(app, client, csrf)
    # With answers, the form offers the round's items biggest problem first, numbered.
    form = client.get(BASE + "/ny").text
    ranked = re.findall(r'<option value="item:\d+:\w+">(\d+)\. ', form)
    assert ranked[:3] == ["1", "2", "3"]
    year = _stored(app)[0].created_at.year
    page = client.get(f"{BASE}/rapport/{year}")
    assert page.status_code == 200
    html = page.text
    assert f"Det brottsförebyggande arbetet {year}: rapport till kommunfullmäktige" in html
    assert "Bilaga till beslutet" in html
    assert f"Ingen lägesbild publicerades {year}." in html
    assert "Fler kameror vid resecentrum" in html and "Tre kameror är uppsatta" in html
    assert "200 personer svarade på enkäten." in html

    resp = client.get(f"{BASE}/rapport/{year}.xlsx")
    assert resp.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["Åtgärder", "Uppföljningar", "Enkät", "Lägesbilder"]
    measures = list(book["Åtgärder"].iter_rows(values_only=True))
    assert measures[0][:3] == ("Nummer", "Åtgärd", "Problem")
    assert [row[1] for row in measures[1:]] == ["Fler kameror vid resecentrum",
                                                "Belysning i Mo"]
    assert measures[1][6] == "Pågår"
    followups = list(book["Uppföljningar"].iter_rows(values_only=True))[1:]
    assert [(row[2], row[3]) for row in followups] == [("Pågår", "Tre kameror är uppsatta")]
    survey = list(book["Enkät"].iter_rows(values_only=True))[1:]
    assert survey, "the survey round of the year is in the workbook"
    # Every share in the workbook is on the page, rounded as the page rounds it.
    with app.test_request_context(), force_locale("sv"):
        for row in survey:
            if row[4] is not None:
                assert f"<th scope=\"row\">{row[2]}</th>" in html
                assert percent(row[4]) in html
    assert {row[1] for row in survey} == {"Nyckeltal", "Problem"}
    assert client.get(f"{BASE}/rapport/1800").status_code == 404


def test_measure_statuses_for_the_lagesbild(app, client, csrf):
    _public_measures(app, client, csrf)
    with app.app_context():
        statuses = service.measure_statuses()
    assert [(s.what["sv"], s.status, s.latest_on, s.latest_text) for s in statuses] == [
        ("Fler kameror vid resecentrum", "ongoing", date(2026, 5, 4),
         {"sv": "Tre kameror är uppsatta"}),
        ("Belysning i Mo", "ongoing", None, {})]
