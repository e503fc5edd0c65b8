"""Exports: CSV for Swedish Excel, XLSX with codes, labels and codebook, formula injection,
streaming, the audit log, and the fast row path matching ``flatten_answers``."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import insert, select

from analysis.rounding import whole_percent
from dialog import auth
from dialog.demo import DemoGenerator
from dialog.extensions import db
from dialog.models import AuditEvent, Response, utcnow
from dialog.services import catalog
from dialog.services.export import (
    iter_csv,
    iter_response_rows,
    iter_responses_csv,
    neutralise,
)
from surveys import export_columns, flatten_answers

# On PostgreSQL too: server-side cursors (yield_per) and dates cast to text in SQL.
pytestmark = pytest.mark.postgres

PASSWORD = "korrekt-häst-batteri"
EMAIL = "analytiker@kommun.se"


@pytest.fixture
def staff(app, client, csrf):
    with app.app_context():
        auth.create_user(EMAIL, PASSWORD, "staff")
    page = client.get("/staff/login")
    client.post("/staff/login", data={"csrf_token": csrf(page.text), "email": EMAIL,
                                      "password": PASSWORD})
    return client


def seed(app, survey, count, *, extra=None, status="complete"):
    generator = DemoGenerator(survey, 7)
    now = utcnow()
    with app.app_context():
        version_id = catalog.find_survey("trygghet").current_version_id
        rows = [{"version_id": version_id, "status": status, "channel": generator.channel(),
                 "language": "sv", "page_index": 0,
                 "answers": {**generator.response(), **(extra or {})},
                 "started_at": now, "updated_at": now, "completed_at": now}
                for _ in range(count)]
        db.session.execute(insert(Response), rows)
        db.session.commit()


def free_text_field(survey):
    return next(q.id for q in survey.questions() if q.type == "free_text")


def test_fast_rows_equal_flatten_answers(app, survey):
    seed(app, survey, 300)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        rows = list(iter_response_rows(record, survey, batch=64))
        stored = db.session.scalars(select(Response).order_by(Response.id)).all()
        assert rows[0][5:] == export_columns(survey)
        assert len(rows) == 301
        for row, response in zip(rows[1:], stored, strict=True):
            flat = flatten_answers(survey, response.answers)
            assert row[5:] == [neutralise(flat[c]) for c in export_columns(survey)]
            assert row[:5] == [str(response.id), "1", response.completed_at.date().isoformat(),
                               response.channel, "sv"]


@pytest.mark.parametrize("delimiter", [";", ","])
def test_fast_csv_equals_the_csv_module(app, survey, delimiter):
    field = free_text_field(survey)
    texts = ['Han sa "stopp"; sen sprang han', "rad ett\r\nrad två", "=1+1", "a,b", ""]
    for text in texts:
        seed(app, survey, 3, extra={field: text})
    with app.app_context():
        record = catalog.find_survey("trygghet")
        fast = "".join(iter_responses_csv(record, survey, delimiter=delimiter, bom=True,
                                          chunk_rows=4))
        reference = "".join(iter_csv(iter_response_rows(record, survey), delimiter=delimiter,
                                     bom=True))
    assert fast == reference
    parsed = list(csv.reader(io.StringIO(fast.lstrip("\ufeff")), delimiter=delimiter))
    assert len(parsed) == 16
    assert {row[parsed[0].index(field)] for row in parsed[1:]} == {
        'Han sa "stopp"; sen sprang han', "rad ett\r\nrad två", "'=1+1", "a,b", ""}


def test_csv_for_swedish_excel_streamed_and_audited(app, staff, survey):
    field = free_text_field(survey)
    seed(app, survey, 3, extra={field: "=HYPERLINK(\"http://x\")"})
    seed(app, survey, 2, status="partial")
    resp = staff.get("/staff/surveys/trygghet/export?format=csv&delimiter=semicolon&bom=y")
    assert resp.status_code == 200
    assert resp.is_streamed
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    body = resp.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4  # header + complete responses only
    column = rows[0].index(field)
    assert all(r[column] == "'=HYPERLINK(\"http://x\")" for r in rows[1:])
    plain = staff.get("/staff/surveys/trygghet/export?format=csv&delimiter=comma")
    assert not plain.get_data().startswith("\ufeff".encode())
    assert plain.get_data().decode().splitlines()[0].startswith("response_id,survey_version,")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action != "sign_in").order_by(AuditEvent.id)).all()
    assert [(e.actor, e.action, e.target) for e in events] == [
        (EMAIL, "export_responses", "trygghet")] * 2
    assert "bom=yes" in events[0].detail and "bom=no" in events[1].detail


def test_a_cancelled_xlsx_download_leaves_no_file_with_answers_behind(app, staff, survey,
                                                                       tmp_path):
    app.instance_path = str(tmp_path)  # the workbook is built in the instance folder
    resp = staff.get("/staff/surveys/trygghet/export?format=xlsx", buffered=False)
    assert resp.status_code == 200
    assert list(tmp_path.glob("tmp*.xlsx"))  # the workbook is ready
    resp.close()  # the browser gave up
    assert not list(tmp_path.glob("tmp*.xlsx"))


def test_xlsx_has_codes_labels_and_codebook(app, staff, survey):
    field = free_text_field(survey)
    seed(app, survey, 5, extra={field: "@SUM(A1:A2)", "alder": "65-79"})
    resp = staff.get("/staff/surveys/trygghet/export?format=xlsx&lang=en")
    assert resp.status_code == 200
    assert "spreadsheetml" in resp.headers["Content-Type"]
    book = openpyxl.load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    assert book.sheetnames == ["codes", "labels", "codebook"]
    codes = list(book["codes"].iter_rows(values_only=True))
    labels = list(book["labels"].iter_rows(values_only=True))
    assert len(codes) == len(labels) == 6
    age = codes[0].index("alder")
    assert codes[1][age] == "65-79" and labels[1][age] == "65–79 years"
    assert isinstance(codes[1][0], int)  # response ids are numbers, not text
    text_col = codes[0].index(field)
    # a text, not a formula, and as the resident wrote it (no apostrophe in front)
    assert codes[1][text_col] == "@SUM(A1:A2)" == labels[1][text_col]
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert codebook[0][:4] == ("column", "question", "type", "code")
    assert ("alder", "alder", "single_choice", "80plus") in {r[:4] for r in codebook}
    book.close()
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action != "sign_in"))
    assert (event.action, event.detail) == ("export_responses", "xlsx rows=5")


def test_ranked_results_workbook(app, staff, survey):
    seed(app, survey, 120)
    resp = staff.get("/staff/surveys/trygghet/ranking.xlsx?lang=sv")
    assert resp.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    # The first sheet is for people: Swedish headers, the label first, whole per cent
    # (halves up), intervals and ranks as text, no count where the figure is withheld.
    assert book.sheetnames[0] == "Rangordning"
    readable = list(book["Rangordning"].iter_rows(values_only=True))
    assert readable[0][:6] == ("Problem", "Stort problem", "95 % konfidensintervall",
                               "Plats", "Bland de tre viktigaste prioriteringarna", "Svar")
    assert "16–24 år" in readable[0]
    columns, *rows = book["overall"].iter_rows(values_only=True)
    by_label = {row[columns.index("label")]: dict(zip(columns, row, strict=True))
                for row in rows}
    shown = [row for row in readable[1:] if row[1] is not None]
    assert shown and all(re.fullmatch(r"\d+–\d+ %", row[2]) for row in shown)
    assert all(re.fullmatch(r"\d+:[ae](–\d+:[ae])?", row[3]) for row in shown)
    for row in shown:
        figures = by_label[row[0]]
        assert row[1] == whole_percent(figures["share"]) / 100
        assert row[2] == f"{whole_percent(figures['ci_low'])}–{whole_percent(figures['ci_high'])} %"
        assert row[5] == figures["n"]
    assert all(row[5] is None for row in readable[1:] if row[1] is None)
    sheet = book["overall"]
    header = next(sheet.iter_rows(values_only=True))
    assert "label" in header
    labels = {row[header.index("label")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Nedskräpning" in labels
    # The key figures and the ranking by area come along, as on the dashboard.
    assert {"nyckeltal", "per område"} <= set(book.sheetnames)
    figures = list(book["nyckeltal"].iter_rows(values_only=True))
    assert figures[0][:4] == ("group", "item", "label", "n")
    assert ("all", "otrygg_ute", "Känner sig otrygga ute ensamma sent en kväll") in {
        row[:3] for row in figures[1:]}
    areas = list(book["per område"].iter_rows(values_only=True))
    assert {row[0] for row in areas[1:]} >= {"all", "soderhamn", "sandarne"}
    # Withheld groups show neither a share nor their number of answers; shown ones have 10+.
    assert all(row[4] is None for row in areas[1:] if row[3] is None)
    assert all(row[3] >= 10 for row in areas[1:] if row[4] is not None)
    book.close()
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action != "sign_in"))
    assert (event.actor, event.action, event.target) == (EMAIL, "export_ranking", "trygghet")


def test_codebook_download_is_audited(app, staff):
    resp = staff.get("/staff/surveys/trygghet/codebook.csv")
    assert resp.status_code == 200 and "alder" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action != "sign_in")) == "export_codebook"


def test_unknown_export_format_is_a_clear_400(staff):
    assert staff.get("/staff/surveys/trygghet/export?format=pdf").status_code == 400


def test_iter_csv_chunks_and_bom():
    rows = [["a", "b"], *[[str(i), "x;y"] for i in range(2500)]]
    chunks = list(iter_csv(iter(rows), delimiter=";", bom=True, chunk_rows=1000))
    assert chunks[0] == "\ufeff" and len(chunks) == 4
    text = "".join(chunks[1:])
    assert text.startswith('a;b\r\n0;"x;y"\r\n')
    assert text.count("\r\n") == 2501
