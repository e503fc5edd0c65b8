"""`flask indicators import`: errors with row and column, replacing a period, the audit log."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from dialog.extensions import db
from dialog.lagesbild.models import IndicatorSeries, Measurement
from dialog.models import AuditEvent

MARCH = """indicator,period,area,value,label,category,unit,source
brott_vald,2026-03,,40,Våldsbrott utomhus,våld i offentlig miljö,antal,Polisen
brott_vald,2026-03,Ljusne,3,,,,
brott_vald,2026-03,Mo,7,,,,
vald_nara,2026-03,,9,Våld i nära relation,våld i nära relation,antal,Polisen
"""


def _import(app, tmp_path, text: str | bytes, name: str = "figurer.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return app.test_cli_runner().invoke(args=["indicators", "import", str(path)])


def _stored(app) -> dict[tuple[str, str, str], float]:
    with app.app_context():
        rows = db.session.execute(select(IndicatorSeries.code, Measurement.period,
                                         Measurement.area, Measurement.value)
                                  .join(Measurement.series))
        return {(code, period, area): value for code, period, area, value in rows}


def test_an_import_stores_describes_and_audits(app, tmp_path):
    result = _import(app, tmp_path, MARCH)
    assert result.exit_code == 0, result.output
    assert "4 rader, 2 perioder: 4 nya" in result.output
    assert _stored(app)[("brott_vald", "2026-03", "Ljusne")] == 3.0
    with app.app_context():
        series = db.session.scalar(select(IndicatorSeries).filter_by(code="vald_nara"))
        assert series.category == "vald_i_nara_relation" and series.sensitive
        assert series.per_year == 12 and series.label == {"sv": "Våld i nära relation"}
        event = db.session.scalar(select(AuditEvent).filter_by(action="indicators.import"))
        assert (event.actor, event.target) == ("kommandorad", "figurer.csv")
        assert '"added": 4' in event.detail


@pytest.mark.postgres
def test_reimporting_a_period_replaces_it_and_says_what_changed(app, tmp_path):
    assert _import(app, tmp_path, MARCH).exit_code == 0
    corrected = ("indicator;period;area;value\n"
                 "brott_vald;2026-03;;41\nbrott_vald;2026-03;Ljusne;4\n"
                 "brott_vald;2026-03;Mo;7\n")
    result = _import(app, tmp_path, corrected, "rättelse.csv")
    assert result.exit_code == 0, result.output
    assert "brott_vald 2026-03: ersatt – hela kommunen 40 → 41; Ljusne 3 → 4" in result.output
    assert "2 ändrade" in result.output and "1 oförändrade" in result.output
    stored = _stored(app)
    assert stored[("brott_vald", "2026-03", "")] == 41.0
    # The other indicator's period was not in the file: it is kept.
    assert stored[("vald_nara", "2026-03", "")] == 9.0
    dropped = "indicator,period,area,value\nbrott_vald,2026-03,,41\n"
    result = _import(app, tmp_path, dropped)
    assert "Ljusne borttagen (var 4)" in result.output
    assert ("brott_vald", "2026-03", "Ljusne") not in _stored(app)


def test_errors_name_row_and_column_in_swedish_and_nothing_is_stored(app, tmp_path):
    bad = ("indicator,period,area,value,label\n"
           "brott_vald,2026-3,,40,Våld\n"
           "brott_vald,2026-04,,fyrtio,\n"
           "ny,2026-04,,1,\n")
    result = _import(app, tmp_path, bad)
    assert result.exit_code == 1
    assert ('Rad 2, kolumn B (period): "2026-3" är inte en period. Skriv en månad som 2026-03 '
            'eller ett kvartal som 2026-Q1.') in result.output
    assert 'Rad 3, kolumn D (value): "fyrtio" är inte ett tal.' in result.output
    assert "Rad 4, kolumn E (label): Indikatorn ny är ny" in result.output
    assert "Inget importerades (3 fel)" in result.output
    assert _stored(app) == {}


def test_a_workbook_is_read_like_a_csv(app, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator", "period", "area", "value", "label"])
    sheet.append(["klotter", "2026-Q1", "", 12, "Klotter anmält till kommunen"])
    sheet.append(["klotter", "2026-Q1", "Mo", "x", None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = _import(app, tmp_path, buffer.getvalue(), "klotter.xlsx")
    assert result.exit_code == 1
    assert 'Rad 3, kolumn D (value): "x" är inte ett tal.' in result.output
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    assert _import(app, tmp_path, buffer.getvalue(), "klotter.xlsx").exit_code == 0
    assert _stored(app) == {("klotter", "2026-Q1", ""): 12.0}


def test_a_file_that_is_not_a_table_is_refused_with_a_message(app, tmp_path):
    result = _import(app, tmp_path, b"\xff\xfe\x00garbage", "figurer.csv")
    assert result.exit_code == 1
    assert "inte UTF-8" in result.output
    result = _import(app, tmp_path, b"PK\x03\x04 not a zip", "figurer.xlsx")
    assert result.exit_code == 1 and "Excel" in result.output


def test_the_demo_figures_are_labelled_and_added_only_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["indicators", "demo", "--if-empty"])
    assert first.exit_code == 0 and "syntetiska demodata" in first.output
    with app.app_context():
        series = list(db.session.scalars(select(IndicatorSeries)))
        assert series and all(s.demo and s.label["sv"].endswith("(demo)") for s in series)
        assert all("Syntetiska demodata" in s.source for s in series)
        count = db.session.query(Measurement).count()
    again = runner.invoke(args=["indicators", "demo", "--if-empty"])
    assert "inga demodata tillagda" in again.output
    with app.app_context():
        assert db.session.query(Measurement).count() == count
