"""The dashboard's kept facts and stored results: the facts equal a full recount after any
mix of the paths that complete, change, exclude or remove responses, and results computed by
one app server are taken over by another on the same database instead of recomputed."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select, update

from dialog import auth, create_app
from dialog.dashboard.cli import rebuild_facts_command
from dialog.demo import DemoGenerator
from dialog.extensions import db
from dialog.models import Response, ResponseFact, StoredResults, SurveyRecord, utcnow
from dialog.operations.retention import plan_purge, purge_version
from dialog.services import catalog, responses
from dialog.services.results import compute, facts, store
from dialog.services.results.facts import FactLayout
from surveys import analysis_spec
from tests.dialog.conftest import TEST_CONFIG
from tests.dialog.helpers import remove_text

# On PostgreSQL too: upserts of the kept facts, results shared by app servers.
pytestmark = pytest.mark.postgres

STAFF = ("samordnare@kommun.se", "korrekt-häst-batteri")


def _survey():
    record = catalog.find_survey("trygghet")
    return record, catalog.definition_of(record.current_version)


def _bulk_insert(app, count: int, seed: int) -> None:
    """Complete responses written past the services, as ``flask seed-demo`` writes them."""
    with app.app_context():
        record, survey = _survey()
        generator = DemoGenerator(survey, seed)
        now = utcnow()
        db.session.execute(insert(Response), [{
            "version_id": record.current_version_id, "status": "complete", "token_hash": None,
            "channel": generator.channel(), "language": generator.language(),
            "page_index": 0, "answers": generator.response(), "started_at": now,
            "updated_at": now, "completed_at": now} for _ in range(count)])
        db.session.commit()


def _complete(app, count: int, seed: int, channel: str) -> list[int]:
    """Responses completed through the service the web and kiosk pages use."""
    with app.app_context():
        record, survey = _survey()
        generator = DemoGenerator(survey, seed)
        done = []
        for _ in range(count):
            started, _token = responses.start_response(record.current_version_id,
                                                       language="sv", channel=channel)
            answers = generator.response()
            # A client tag as the web pages give it, so staff can exclude it as a repeat.
            assert responses.complete_response(started, survey, answers, page_fields=(),
                                               language="sv", client_tag="tag")
            # A second submit of the same page completes nothing more.
            assert not responses.complete_response(started, survey, answers, page_fields=(),
                                                   language="sv")
            done.append(started.id)
        return done


def _signed_in_staff(app, client, csrf):
    with app.app_context():
        auth.create_user(*STAFF, "staff")
    page = client.get("/staff/login")
    resp = client.post("/staff/login", data={"csrf_token": csrf(page.text), "email": STAFF[0],
                                             "password": STAFF[1]})
    assert resp.status_code == 302
    return client


def _recount(app) -> pd.DataFrame:
    """Every analysed field of every complete response (excluded ones have another status),
    read from the answer documents themselves: value counts per column."""
    with app.app_context():
        record, _ = _survey()
        spec = analysis_spec(catalog.definition_of(record.current_version))
        rows = db.session.execute(select(Response.channel, Response.answers)
                                  .where(Response.status == "complete")).all()
    position = {code: i + 1 for i, code in enumerate(spec.valid_codes)}
    position.update({code: 0 for code in spec.dont_know_codes})
    counted = []
    for channel, answers in rows:
        row = {"channel": channel,
               **{item: position.get(answers.get(column)) for item, column in
                  zip(spec.item_codes, spec.item_columns, strict=True)},
               **{role: (answers.get(column) or None) for role, column in (
                   ("age_band", spec.age_band_column), ("gender", spec.gender_column),
                   ("area", spec.area_column))}}
        counted.append(row)
    return _value_counts(pd.DataFrame(counted))


def _kept(app) -> pd.DataFrame:
    with app.app_context():
        record, _ = _survey()
        spec = analysis_spec(catalog.definition_of(record.current_version))
        frame = facts.read_frame(db.session.connection(), record.id, FactLayout(spec))
    return _value_counts(frame[["channel", *spec.item_codes, "age_band", "gender", "area"]])


def _value_counts(frame: pd.DataFrame) -> pd.DataFrame:
    counts = {column: frame[column].astype(object).where(frame[column].notna(), None)
              .map(lambda v: str(int(v)) if isinstance(v, float) else str(v)).value_counts()
              for column in frame.columns}
    return pd.concat(counts, names=["column", "value"]).sort_index()


def test_kept_facts_match_a_full_recount_after_every_kind_of_change(app, client, csrf):
    _bulk_insert(app, 30, seed=1)
    web = _complete(app, 6, seed=2, channel="web")
    kiosk = _complete(app, 3, seed=3, channel="kiosk")
    with app.app_context():
        record, survey = _survey()
        responses.start_response(record.current_version_id, language="sv")  # stays partial
        # Bulk-inserted rows are coded when the results are first read.
        assert store.results_for(record).n_complete == 39
        paper = {k: v if isinstance(v, list) else [v]
                 for k, v in DemoGenerator(survey, 4).response().items()}
        free_text = next(q.id for q in survey.questions() if q.type == "free_text")
    staff = _signed_in_staff(app, client, csrf)
    page = staff.get("/staff/surveys/trygghet/paper")
    for _ in range(2):
        resp = staff.post("/staff/surveys/trygghet/paper",
                          data={**paper, "paper_language": "sv", "csrf_token": csrf(page.text)})
        assert resp.status_code == 302, resp.text[:500]
    with app.app_context():
        db.session.execute(update(Response).where(Response.id == web[0]).values(
            answers={**db.session.get(Response, web[0]).answers, free_text: "Ring 070-1234567"}))
        db.session.commit()
    _shown, resp = remove_text(staff, f"/staff/surveys/trygghet/free-text/{web[0]}/{free_text}",
                               {"csrf_token": csrf(page.text), "scope": "all"})
    assert resp.status_code == 303
    # Likely repeats left out of the analysis by staff, and one taken back in.
    repeats = staff.get("/staff/surveys/trygghet/repeats")
    for ids, action in (([web[1], web[2], kiosk[0]], "exclude"), ([web[2]], "include")):
        resp = staff.post("/staff/surveys/trygghet/repeats", data={
            "csrf_token": csrf(repeats.text), "response": ids, "action": action})
        assert resp.status_code == 303
    with app.app_context():
        assert set(db.session.scalars(select(ResponseFact.response_id).where(
            ResponseFact.excluded.is_(True)))) == {web[1], kiosk[0]}
        assert store.results_for(_survey()[0]).n_complete == 41 - 2
    pd.testing.assert_series_equal(_kept(app), _recount(app))

    # Retention: the round closes, the oldest answers are purged, their facts go with them.
    with app.app_context():
        old = [*web[3:], *kiosk[1:]]
        db.session.execute(update(Response).where(Response.id.in_(old)).values(
            completed_at=utcnow() - timedelta(days=400)))
        db.session.execute(update(SurveyRecord).values(status="closed"))
        db.session.commit()
        for plan in plan_purge(utcnow() - timedelta(days=365)):
            purge_version(plan, utcnow() - timedelta(days=365))
        assert db.session.scalar(select(ResponseFact).where(
            ResponseFact.response_id.in_(old))) is None
        # The purged answers are still analysed, from the counts retention kept.
        after = store.results_for(_survey()[0])
        assert (after.n_complete, after.channels[compute.RETAINED_CHANNEL]) == (39, len(old))
    pd.testing.assert_series_equal(_kept(app), _recount(app))


def test_rebuild_command_codes_every_response_again(app):
    _bulk_insert(app, 25, seed=5)
    _complete(app, 2, seed=6, channel="web")
    with app.app_context():
        db.session.execute(delete(ResponseFact))
        db.session.commit()
        result = CliRunner().invoke(rebuild_facts_command, [])
        assert result.exit_code == 0, result.output
        assert "27 " in result.output
    pd.testing.assert_series_equal(_kept(app), _recount(app))


def test_results_computed_by_one_server_are_taken_over_by_another(app, monkeypatch):
    """Two app objects on one database stand for two servers (or one after a restart)."""
    _bulk_insert(app, 60, seed=8)
    other = create_app({**TEST_CONFIG,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    computed: list[int] = []

    def counting_analyse(*args, **kwargs):
        computed.append(1)
        return compute.analyse(*args, **kwargs)

    monkeypatch.setattr(store, "analyse", counting_analyse)
    with app.app_context():
        first = store.results_for(_survey()[0])
    with other.app_context():
        taken_over = store.results_for(_survey()[0])
        assert store.results_for(_survey()[0]) is taken_over  # then from memory
    assert len(computed) == 1
    assert taken_over is not first and taken_over.stamp == first.stamp
    pd.testing.assert_frame_equal(taken_over.ranking.table, first.ranking.table)
    assert taken_over.n_complete == 60

    # A new answer through one server: that server computes, the other takes it over.
    _complete(other, 1, seed=9, channel="web")
    with other.app_context():
        assert store.results_for(_survey()[0]).n_complete == 61
    with app.app_context():
        assert store.results_for(_survey()[0]).n_complete == 61
    assert len(computed) == 2

    # Stored results that do not carry this app's signature are never unpickled.
    with other.app_context():
        store.forget_cached()
        record = _survey()[0]
        db.session.execute(insert(StoredResults).values(
            survey_id=record.id, data_version=store.data_version(store.results_stamp(record)),
            payload=b"x" * 64))
        db.session.commit()
    restarted = create_app({**TEST_CONFIG,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with restarted.app_context():
        assert store.results_for(_survey()[0]).n_complete == 61
    assert len(computed) == 3
    for server in (other, restarted):
        with server.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("app_config", [{"MIN_GROUP_SIZE": 7}])
def test_a_different_smallest_group_is_a_different_data_version(app):
    _bulk_insert(app, 20, seed=10)
    with app.app_context():
        stamp = store.results_stamp(_survey()[0])
        mine = store.data_version(stamp)
        app.config["MIN_GROUP_SIZE"] = 5
        assert store.data_version(stamp) != mine


@pytest.mark.parametrize("app_config", [{"RESULTS_BACKGROUND_AFTER_SECONDS": 0.0}])
def test_a_slow_round_shows_its_previous_results_while_the_new_ones_are_computed(app):
    _bulk_insert(app, 40, seed=11)
    with app.app_context():
        first = store.results_for(_survey()[0])
        assert first.n_complete == 40 and not store.is_refreshing(_survey()[0])
    _complete(app, 1, seed=12, channel="web")
    with app.app_context():
        record = _survey()[0]
        assert store.results_for(record) is first  # at once, without waiting
        store.wait_for_refresh()
        assert not store.is_refreshing(record)
        assert store.results_for(record).n_complete == 41
