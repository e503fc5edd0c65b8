"""Sampled rounds end to end in the app: import, codes, answering with a code on two
devices, mailings, outcomes, response rates, and what is deleted when."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, event, func, select, update

from analysis import rank_items
from analysis.population import weighting_population
from analysis.selection import selection_withheld
from dialog.extensions import db
from dialog.models import Response
from dialog.rounds import service as rounds
from dialog.sampling import codes
from dialog.sampling import service as sampling
from dialog.sampling.models import SampleMember, SampleStratum
from dialog.services import catalog
from dialog.services.population import population_for
from dialog.services.results import compute, store
from dialog.services.results.compute import analyse
from dialog.services.results.selection import Selection
from tests.dialog.helpers import PAGE_RE, as_answers, fill, login, make_user, seed, sign_in

# On PostgreSQL too: sampling, codes and their unique constraints.
pytestmark = pytest.mark.postgres

STRATA = "stratum,population\ncentrum,9200\nnorr,4100\n"
SAMPLE = ("id,stratum,age_band,gender,address1,address2\n"
          + "".join(f"p{i},{'centrum' if i % 2 else 'norr'},25-44,kvinna,Namn {i},"
                    f"Storgatan {i}\n" for i in range(1, 9)))


def _import(app, tmp_path, sample=SAMPLE, strata=STRATA):
    (tmp_path / "urval.csv").write_text(sample, encoding="utf-8")
    (tmp_path / "strata.csv").write_text(strata, encoding="utf-8")
    return app.test_cli_runner().invoke(args=[
        "sample", "import", "trygghet", str(tmp_path / "urval.csv"),
        "--strata", str(tmp_path / "strata.csv")])


def _codes(app, tmp_path) -> dict[str, str]:
    out = tmp_path / "koder.csv"
    result = app.test_cli_runner().invoke(args=["sample", "codes", "trygghet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split(",") for line in lines)


def _answer(client, csrf, survey, code: str, stop_after: int | None = None) -> str:
    page = client.get(f"/sv/s/trygghet/?kod={code}")
    assert page.status_code == 200 and code in page.text
    resp = client.post("/sv/s/trygghet/", data={"csrf_token": csrf(page.text), "kod": code})
    assert resp.status_code == 302, resp.text[:500]
    location = resp.headers["Location"]
    answers: dict = {}
    while (match := PAGE_RE.search(location)):
        number = int(match.group(1))
        html = client.get(f"/sv/s/trygghet/p/{number}")
        data = fill(survey.pages[number - 1], answers)
        answers.update(as_answers(data))
        resp = client.post(f"/sv/s/trygghet/p/{number}",
                           data={**data, "csrf_token": csrf(html.text), "action": "next"})
        location = resp.headers["Location"]
        if stop_after is not None and number >= stop_after:
            break
    return location


def test_codes_are_easy_to_type_and_catch_typos():
    code = codes.new_code()
    assert len(code) == 8 and not set(code) & set("01OIL")
    assert codes.normalise(codes.shown(code).lower()) == code
    assert codes.normalise(f" {code[:4]} - {code[4:]} ") == code
    for position in range(8):
        for other in codes.ALPHABET:
            if other != code[position]:
                typo = code[:position] + other + code[position + 1:]
                assert codes.normalise(typo) is None
    swapped = code[1] + code[0] + code[2:]
    assert code[0] == code[1] or codes.normalise(swapped) is None


def test_file_errors_name_row_and_column_and_nothing_is_imported(app, tmp_path):
    bad = SAMPLE + "p1,centrum,,,,\n,norr,,,,\np99,söder,,,,\n"
    result = _import(app, tmp_path, sample=bad, strata=STRATA + "väster,tio\n")
    assert result.exit_code == 1
    out = result.output
    assert "Strata-fil, rad 4, kolumn population" in out
    assert "Urvalsfil, rad 10, kolumn id" in out and '"p1" finns mer än en gång' in out
    assert "Urvalsfil, rad 11, kolumn id" in out
    assert 'Urvalsfil, rad 12, kolumn stratum: stratumet "söder" finns inte i stratafilen' in out
    with app.app_context():
        assert db.session.scalar(select(SampleMember.id)) is None


def test_the_intro_page_asks_the_database_about_a_sample_once_per_cache_time(app, client,
                                                                           tmp_path):
    """Whether a round is sampled is one of the round's facts each process keeps for
    SURVEY_REF_CACHE_SECONDS: the residents' intro page does not ask again each time, and
    importing a sample makes the intro ask for the code at once."""
    app.config["SURVEY_REF_CACHE_SECONDS"] = 60.0
    asked: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "sample_stratum" in statement:
            asked.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert 'name="kod"' not in client.get("/sv/s/trygghet/").text
        assert len(asked) == 1  # read with the round's other facts, then kept
        assert _import(app, tmp_path).exit_code == 0
        for _ in range(3):
            assert 'name="kod"' in client.get("/sv/s/trygghet/").text
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_sampled_round_from_letter_to_closed(app, client, csrf, survey, tmp_path):
    result = _import(app, tmp_path)
    assert result.exit_code == 0, result.output
    by_ref = _codes(app, tmp_path)
    assert len(by_ref) == 8 and len(set(by_ref.values())) == 8

    # The round leaves the start page: only people with a code answer it.
    assert "/sv/s/trygghet/" not in client.get("/sv/").text
    # Without a code nobody starts; a wrong code and an unknown one get the same answer.
    page = client.get("/sv/s/trygghet/")
    assert 'name="kod"' in page.text
    wrong = []
    for typed in ("ABCD-EFGH", by_ref["p1"][:-1] + "2", "x"):
        resp = client.post("/sv/s/trygghet/", data={"csrf_token": csrf(page.text), "kod": typed})
        assert resp.status_code == 422
        wrong.append(re.sub(r'value="[^"]*"', "", resp.text))
    assert wrong[0] == wrong[1] == wrong[2]

    # p1 starts on a phone, stops after page 1 and finishes on a computer with the code.
    phone, computer = app.test_client(), app.test_client()
    _answer(phone, csrf, survey, by_ref["p1"], stop_after=1)
    assert _answer(computer, csrf, survey, by_ref["p1"]).endswith("/sv/s/trygghet/klart")
    third = app.test_client()
    again = third.post("/sv/s/trygghet/", data={
        "csrf_token": csrf(third.get("/sv/s/trygghet/").text), "kod": by_ref["p1"]})
    assert "redan använts" in again.text
    _answer(app.test_client(), csrf, survey, by_ref["p2"], stop_after=1)

    with app.app_context():
        stored = db.session.scalars(select(Response).where(
            Response.sample_stratum.is_not(None))).all()
        assert sorted((r.status, r.sample_stratum) for r in stored) == [
            ("complete", "centrum"), ("partial", "norr")]

    make_user(app)
    staff = app.test_client()
    assert login(staff, csrf).status_code == 302
    page = staff.get("/staff/urval/trygghet/")
    assert page.status_code == 200, page.text
    assert "RR1" in page.text and "Hela urvalet" in page.text
    form = csrf(page.text)
    staff.post("/staff/urval/trygghet/utfall", data={
        "csrf_token": form, "sample_ref": "p3", "disposition": "refused"})
    staff.post("/staff/urval/trygghet/utfall", data={
        "csrf_token": form, "sample_ref": "p4", "disposition": "not_eligible"})
    with app.app_context():
        record = catalog.find_survey("trygghet")
        overall, by_stratum, _ = sampling.rates(record.id)
        # 8 drawn, 1 not eligible: base 7; RR1 = 1/7, RR2 = 2/7.
        assert overall.rates.rr1 == pytest.approx(1 / 7)
        assert overall.rates.rr2 == pytest.approx(2 / 7)
        assert {r.label: r.rates.complete for r in by_stratum} == {"centrum": 1, "norr": 0}

    # A reminder goes only to those who have neither answered nor declined nor moved.
    resp = staff.post("/staff/urval/trygghet/utskick",
                      data={"csrf_token": form, "kind": "reminder1"})
    assert resp.status_code == 302
    letters = staff.get(resp.headers["Location"])
    assert letters.status_code == 200
    for ref in ("p2", "p5", "p6", "p7", "p8"):
        assert f'<p class="letter-ref">{ref}</p>' in letters.text
    for ref in ("p1", "p3", "p4"):
        assert f'<p class="letter-ref">{ref}</p>' not in letters.text
    assert "Storgatan 5" in letters.text and "<svg" in letters.text

    staff.post("/staff/urval/trygghet/brev-klara", data={"csrf_token": form, "confirm": "y"})
    with app.app_context():
        assert db.session.scalars(select(SampleMember.address)).all() == [None] * 8
        assert db.session.scalars(select(SampleMember.code)).all() == [None] * 8
    # Codes still work after the letters are done.
    assert _answer(app.test_client(), csrf, survey, by_ref["p5"]).endswith("/klart")

    with app.app_context():
        record = catalog.find_survey("trygghet")
        rounds.schedule(record, "closed", None, None)
        members = db.session.scalars(select(SampleMember)).all()
        assert all(m.response_id is None and m.code_hash is None for m in members)
        assert {m.sample_ref: m.disposition for m in members}["p5"] == "complete"
        kept = db.session.scalars(select(Response.sample_stratum).where(
            Response.status == "complete", Response.sample_stratum.is_not(None))).all()
        assert sorted(kept) == ["centrum", "centrum"]


def test_a_round_past_its_closing_date_loses_its_code_links(app, tmp_path):
    assert _import(app, tmp_path).exit_code == 0
    runner = app.test_cli_runner()
    assert "i 0 omgångar" in runner.invoke(args=["sample", "close-finished"]).output
    with app.app_context():
        record = catalog.find_survey("trygghet")
        record.closes_at = datetime(2020, 1, 1)
        db.session.commit()
    assert "i 1 omgångar" in runner.invoke(args=["sample", "close-finished"]).output
    with app.app_context():
        assert db.session.scalars(select(SampleMember.code_hash)).all() == [None] * 8


def _sampled_round(app, tmp_path) -> None:
    """80 answers, 60 of them (40 in centrum, 20 in norr) given with a code of the sample."""
    seed(app, 80)
    sample = "id,stratum\n" + "".join(
        f"p{i},{'centrum' if i % 3 else 'norr'}\n" for i in range(60))
    assert _import(app, tmp_path, sample=sample).exit_code == 0
    with app.app_context():
        ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
        for number, response_id in enumerate(ids[:60]):
            db.session.execute(update(Response).where(Response.id == response_id).values(
                sample_stratum="centrum" if number % 3 else "norr"))
        db.session.commit()


def test_the_results_of_a_sampled_round_come_from_the_sample_alone(app, tmp_path):
    _sampled_round(app, tmp_path)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        population = population_for(record)
        results = analyse(record, population)
        assert results.n_complete == 60
        weighting = results.ranking.weighting
        assert weighting.strata is not None and weighting.strata.labels == ("centrum", "norr")
        assert list(weighting.strata.respondents) == [40, 20]
        assert "20 svar från öppna kanaler" in results.notes[0].sv
        assert [r.label for r in results.response_rates] == ["", "centrum", "norr"]
    councillor = app.test_client()
    sign_in(app, councillor, "councillor")
    page = councillor.get("/dashboard/trygghet/")
    assert page.status_code == 200
    assert "Svarsfrekvens i urvalet" in page.text and "20 svar från öppna kanaler" in page.text
    with app.app_context():
        # The same answers as an open round give other shares: the strata were used.
        db.session.execute(delete(SampleStratum))
        db.session.commit()
        open_round = analyse(record, population)
        assert open_round.n_complete == 80
        assert not open_round.ranking.table["share"].equals(results.ranking.table["share"])


def test_a_selection_of_a_sampled_round_is_a_domain_of_the_whole_sample(app, tmp_path):
    """The women of a sampled round are not reweighted on their own: their figures are
    rank_items(within=...) on every sampled answer, protected against everyone's table as an
    open round's selection is."""
    _sampled_round(app, tmp_path)
    councillor = app.test_client()
    sign_in(app, councillor, "councillor")
    assert 'value="gender.kvinna"' in councillor.get("/dashboard/trygghet/").text
    page = councillor.get("/dashboard/trygghet/?urval=gender.kvinna")
    assert page.status_code == 200
    assert "som en del av hela urvalsundersökningen" in page.text
    with app.app_context():
        record = catalog.find_survey("trygghet")
        everyone = store.results_for(record)
        women = store.selection_results(record, Selection("gender", "kvinna"))
        frame, _open = compute._sample_only(record, compute.response_frame(record,
                                                                            everyone.spec))
        population = population_for(record)
        design = sampling.strata_design(record.id)
    frame = frame.loc[frame["age_band"].notna()].reset_index(drop=True)
    params = everyone.ranking.parameters
    withheld = selection_withheld(frame, everyone.ranking, "gender", "kvinna")
    expected = rank_items(
        frame.assign(weight_gender=frame["gender"].where(
            frame["gender"].isin(set(population.table["gender"])).fillna(False),
            compute.OTHER_GENDER)),
        weighting_population(frame, population.table, compute.OTHER_GENDER),
        everyone.ranking.items, group="age_band", weight_by=("age_band", "weight_gender"),
        positive=params["positive"], valid=params["valid"], dont_know=params["dont_know"],
        min_n=params["min_n"], sample=design, withheld_cells=withheld,
        within=("gender", "kvinna")).table
    got = women.ranking.table
    assert women.ranking.weighting.n == 60  # weighted with the whole sample
    assert (got["group"] == "all").sum() == len(everyone.ranking.items)
    pd.testing.assert_frame_equal(got, expected)
    # Withheld stays withheld: the small cells and those everyone's table would give away.
    hidden = {(str(r.group), str(r.item)) for r in got.itertuples() if r.suppressed}
    assert withheld and withheld <= hidden
    assert got.loc[got["suppressed"], "share"].isna().all()
    first = got.loc[(got["group"] == "all") & ~got["suppressed"]].iloc[0]
    shown = re.search(r'<table class="ranking">.*?<td class="num">(\d+)</td></tr>', page.text,
                      re.S)
    assert int(shown.group(1)) == first["n"]


def test_a_sampled_round_has_the_same_figures_after_retention_purged_its_answers(app,
                                                                              tmp_path):
    """Retention keeps each purged answer's stratum among its cells, so the sampled round is
    weighted as before; the code links of a round closed by its date are cut first, with the
    dispositions fixed, so the response rates stay too."""
    seed(app, 80)
    sample = "id,stratum\n" + "".join(
        f"p{i},{'centrum' if i % 3 else 'norr'}\n" for i in range(70))
    assert _import(app, tmp_path, sample=sample).exit_code == 0
    with app.app_context():
        record = catalog.find_survey("trygghet")
        ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
        members = db.session.scalars(select(SampleMember).order_by(SampleMember.id)).all()
        for member, response_id in zip(members[:60], ids[:60], strict=True):
            sampling.link_response(member, response_id)  # ten of the sample never answered
        record.closes_at = datetime(2020, 1, 1)
        db.session.commit()

    def figures() -> tuple:
        with app.app_context():
            results = analyse(catalog.find_survey("trygghet"),
                              population_for(catalog.find_survey("trygghet")))
            return (results.n_complete, results.notes, results.sample, results.response_rates,
                    results.ranking.weighting.strata.respondents.tolist(),
                    [r.table for r in (results.ranking, results.by_area, results.key_figures,
                                       results.key_figures_by_gender)])

    before = figures()
    assert before[0] == 60 and before[4] == [40, 20]
    assert before[3][0].rates.complete == 60
    purged = app.test_cli_runner().invoke(args=["purge", "--before", "2099-01-01", "--apply"])
    assert purged.exit_code == 0, purged.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
        assert db.session.scalar(select(func.count(SampleMember.id))) == 70
        assert db.session.scalars(select(SampleMember.response_id).distinct()).all() == [None]
    after = figures()
    assert after[:5] == before[:5]
    # Rank intervals also rest on how each person's answers combine, which counts do not
    # keep; every estimate and its uncertainty, and the ranks themselves, stay.
    for table_after, table_before in zip(after[5], before[5], strict=True):
        pd.testing.assert_frame_equal(table_after.drop(columns=["rank_low", "rank_high"]),
                                      table_before.drop(columns=["rank_low", "rank_high"]),
                                      check_exact=False, rtol=1e-9)


PAPER = "/staff/surveys/trygghet/paper/codes"
TYPED = {"alder": "3", "kon": "1", "undviker": "1", "problem.klotter": "2"}


def _paper(staff, csrf, code: str, action: str = "save"):
    page = staff.get(PAPER)
    return staff.post(PAPER, data={"csrf_token": csrf(page.text), "paper_language": "sv",
                                   "sample_code": code, "action": action, **TYPED})


def test_paper_and_web_answers_with_one_code_count_once(app, staff, csrf, survey, tmp_path):
    assert _import(app, tmp_path).exit_code == 0
    by_ref = _codes(app, tmp_path)
    assert 'name="sample_code"' in staff.get(PAPER).text
    wrong = _paper(staff, csrf, "ABCD-EFGH", action="check")
    assert wrong.status_code == 422 and "Ingen i urvalet har den här koden" in wrong.text
    # p1 started on the web, then sent the paper questionnaire: the paper one counts.
    phone = app.test_client()
    _answer(phone, csrf, survey, by_ref["p1"], stop_after=1)
    assert by_ref["p1"] in _paper(staff, csrf, by_ref["p1"], action="check").text
    assert _paper(staff, csrf, by_ref["p1"]).status_code == 303
    # The web answer can no longer be continued; the code is used.
    assert phone.get("/sv/s/trygghet/p/2").status_code == 302
    # p2 answered on the web; a paper questionnaire with the same code is voided.
    _answer(app.test_client(), csrf, survey, by_ref["p2"])
    assert _paper(staff, csrf, by_ref["p2"]).status_code == 303
    with app.app_context():
        rows = db.session.execute(select(Response.channel, Response.status,
                                         Response.sample_stratum)
                                  .order_by(Response.id)).all()
        assert rows == [("web", "partial", "centrum"), ("paper", "complete", "centrum"),
                        ("web", "complete", "norr"), ("paper", "excluded", None)]
        member = db.session.scalar(select(SampleMember).where(SampleMember.sample_ref == "p2"))
        assert db.session.get(Response, member.response_id).channel == "web"


def test_the_demo_sample_imports(app):
    data = Path(__file__).resolve().parents[2] / "dialog" / "data"
    result = app.test_cli_runner().invoke(args=[
        "sample", "import", "trygghet", str(data / "demo_sample.csv"),
        "--strata", str(data / "demo_strata.csv")])
    assert result.exit_code == 0, result.output
    assert "600 personer i 4 strata" in result.output


def test_the_full_paper_form_takes_the_code_too(app, staff, csrf, survey, tmp_path):
    assert _import(app, tmp_path).exit_code == 0
    by_ref = _codes(app, tmp_path)
    page = staff.get("/staff/surveys/trygghet/paper")
    assert 'name="sample_code"' in page.text
    data: dict = {}
    for survey_page in survey.pages:
        data.update(fill(survey_page, as_answers(data)))
    wrong = staff.post("/staff/surveys/trygghet/paper", data={
        **data, "csrf_token": csrf(page.text), "sample_code": "ABCD-EFGH"})
    assert wrong.status_code == 422 and 'href="#sample_code"' in wrong.text
    saved = staff.post("/staff/surveys/trygghet/paper", data={
        **data, "csrf_token": csrf(page.text), "sample_code": by_ref["p3"].lower()})
    assert saved.status_code == 302
    with app.app_context():
        member = db.session.scalar(select(SampleMember).where(SampleMember.sample_ref == "p3"))
        response = db.session.get(Response, member.response_id)
        assert (response.channel, response.status, response.sample_stratum) == (
            "paper", "complete", "centrum")
