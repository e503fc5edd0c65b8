"""The command-line workflow: load, seed, export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from dialog.extensions import db
from dialog.models import Response, SurveyRecord
from dialog.services import catalog
from tests.conftest import SHARED
from tests.hostile_files import entity_amplification_lss, many_rows_xlsform

# On PostgreSQL too: bulk inserts and streamed exports from the command line.
pytestmark = pytest.mark.postgres


def run(app, *args):
    # Click 8.2+ keeps stderr apart from output, so messages meant for stderr can be checked.
    return app.test_cli_runner().invoke(args=list(args))


def test_load_survey_lists_errors_with_locations(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: x\ntitle: {sv: X}\nlanguages: [sv]\ndefault_language: en\n", "utf-8")
    result = run(app, "load-survey", str(bad))
    assert result.exit_code == 1
    assert "default_language" in result.stderr


def test_a_loaded_survey_is_a_draft_unless_opened(app, client, tmp_path):
    from surveys.templates import builtin_template_path

    text = builtin_template_path("trygghet").read_text(encoding="utf-8")
    outputs = {}
    for slug, extra in (("prov-utkast", []), ("prov-oppen", ["--open"]),
                        ("prov-dold", ["--open", "--unlisted"])):
        path = tmp_path / f"{slug}.yaml"
        path.write_text(text.replace("slug: trygghet", f"slug: {slug}", 1), encoding="utf-8")
        result = run(app, "load-survey", *extra, str(path))
        assert result.exit_code == 0, result.output
        outputs[slug] = result.output
    assert "--open" in outputs["prov-utkast"] and "--open" not in outputs["prov-oppen"]
    listing = client.get("/sv/").text
    assert "/sv/s/prov-oppen/" in listing and "prov-utkast" not in listing
    assert client.get("/sv/s/prov-utkast/").status_code == 404
    # An unlisted round is open through its own address, and not offered on the start page.
    assert "prov-dold" not in listing and client.get("/sv/s/prov-dold/").status_code == 200
    with app.app_context():
        assert catalog.find_survey("prov-utkast").status == "draft"
        # loading it again (a new version) keeps the status staff gave it
        catalog.find_survey("prov-utkast").status = "open"
        db.session.commit()
    run(app, "load-survey", str(tmp_path / "prov-utkast.yaml"))
    with app.app_context():
        assert catalog.find_survey("prov-utkast").status == "open"


def test_publishing_unchanged_definition_keeps_version(app):
    from surveys.templates import builtin_template_path

    result = run(app, "load-survey", str(builtin_template_path("trygghet")))
    assert result.exit_code == 0, result.output
    assert "trygghet version 1" in result.output


def test_limesurvey_with_unsupported_parts_needs_a_decision(app):
    lss = SHARED / "fixtures" / "limesurvey" / "limesurvey_survey_rankingNative.lss"
    result = run(app, "load-survey", str(lss))
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyRecord.id))) == 1  # only trygghet
    result = run(app, "load-survey", "--skip-unsupported", "--status", "draft", str(lss))
    assert result.exit_code == 0, (result.output, result.stderr)
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyRecord.id))) == 2


def test_skip_unsupported_drops_each_part_with_its_place_and_keeps_the_rest(app):
    # A date question, conditions on a free-text answer (not representable: dropped with a
    # note), an Expression Manager text: LimeSurvey 2.x's sample had none of our gaps.
    lss = SHARED / "fixtures" / "import-corpus" / "lss" / "collabls_limesurvey_survey_981966.lss"
    refused = run(app, "load-survey", str(lss))
    assert refused.exit_code == 1
    assert "Inget importerades" in refused.stderr
    listed = [line for line in refused.stderr.splitlines() if line.startswith("  - ")]
    assert any("relevance" in line and "only whether it is answered can be tested" in line
               for line in listed), listed
    assert "25 av 26 frågor" in refused.stderr
    result = run(app, "load-survey", "--skip-unsupported", "--status", "draft", str(lss))
    assert result.exit_code == 0, result.stderr
    # The same list, and the survey published without those parts.
    assert [line for line in result.stderr.splitlines() if line.startswith("  - ")] == listed
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyRecord.id))) == 2


def test_hostile_file_is_refused_by_load_survey(app, tmp_path):
    bomb = entity_amplification_lss(tmp_path / "bomb.lss")
    result = run(app, "load-survey", "--skip-unsupported", str(bomb))
    assert result.exit_code == 1
    assert "refused: the file declares a document type" in result.stderr
    rows = many_rows_xlsform(tmp_path / "rows.xlsx")
    result = run(app, "load-survey", "--skip-unsupported", str(rows))
    assert result.exit_code == 1
    assert "50,001 rows; at most 10,000 per sheet" in result.stderr


def test_seed_and_export_csv_with_codebook(app, tmp_path, survey):
    result = run(app, "seed-demo", "--responses", "120", "--seed", "7")
    assert result.exit_code == 0, result.output
    again = run(app, "seed-demo", "--if-empty")
    assert "inga demosvar" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 120
    out = tmp_path / "svar.csv"
    result = run(app, "export", "trygghet", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert len(rows) == 120
    matrix = next(q for q in survey.questions() if q.type == "likert_matrix")
    codes = {o.code for o in matrix.scale.options}
    for row in rows:
        for name in matrix.field_names():
            assert row[name] in codes | {""}
    codebook = list(csv.DictReader(io.StringIO(
        (tmp_path / "svar-codebook.csv").read_text("utf-8"))))
    assert {"column", "code", "label_sv", "label_en"} <= set(codebook[0])
    assert any(r["column"] == matrix.field_names()[0] and r["code"] == "4" for r in codebook)


def test_export_to_stdout_and_excel_variant(app):
    run(app, "seed-demo", "--responses", "5")
    result = run(app, "export", "trygghet")
    assert result.output.startswith("response_id,")
    result = run(app, "export", "trygghet", "--excel")
    assert result.output.startswith("\ufeffresponse_id;")


def test_unknown_survey_is_a_clear_error(app):
    result = run(app, "export", "nope")
    assert result.exit_code == 1


def test_init_db_with_load_builtin_does_both_in_one_start(tmp_path):
    """What ``make serve`` runs before every start: the schema, then the built-in survey,
    kept as it is on a second start."""
    from dialog import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"})
    first = run(app, "init-db", "--load-builtin")
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == "trygghet version 1"
    again = run(app, "init-db", "--load-builtin")
    assert again.exit_code == 0 and again.output.splitlines()[-1] == "trygghet version 1"
    with app.app_context():
        assert catalog.find_survey("trygghet").status == "open"
        db.session.remove()
        db.engine.dispose()
