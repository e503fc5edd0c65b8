"""The monthly lägesbild: drafted figures, two approvals, publishing, versioned corrections,
the public page and its figures.csv, small numbers, the staff upload."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from dialog import auth
from dialog.extensions import db
from dialog.lagesbild import service
from dialog.lagesbild.models import Lagesbild
from dialog.models import AuditEvent, Response, User
from tests.dialog.helpers import login, make_user, seed

MONTHS = [f"{2024 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(24)]  # 2024-04 …


def _series_csv() -> str:
    """Assaults 1 … 24 in the whole kommun over 2024-04 … 2026-03; in March 2026 Ljusne 3,
    Mo 7 and Tätort 14 (of 24); domestic violence with areas (a sensitive category)."""
    lines = ["indicator,period,area,value,label,label_en,category,unit,source"]
    for i, month in enumerate(MONTHS):
        described = ("Misshandel utomhus,Assault outdoors,våld i offentlig miljö,antal,Polisen"
                     if i == 0 else ",,,,")
        lines.append(f"misshandel,{month},,{i + 1},{described}")
    lines += ["misshandel,2026-03,Ljusne,3,,,,,", "misshandel,2026-03,Mo,7,,,,,",
              "misshandel,2026-03,Tätort,14,,,,,",
              "vald_nara,2026-03,,9,Våld i nära relation,,våld i nära relation,antal,Polisen",
              "vald_nara,2026-03,Ljusne,2,,,,,", "vald_nara,2026-03,Tätort,7,,,,,"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def drafted(app, tmp_path):
    path = tmp_path / "figurer.csv"
    path.write_text(_series_csv(), encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["indicators", "import", str(path)]).exit_code == 0
    result = runner.invoke(args=["lagesbild", "draft", "2026-03"])
    assert result.exit_code == 0, result.output
    return runner


def _version(app, period="2026-03", version=1) -> Lagesbild:
    with app.app_context():
        found = db.session.scalar(select(Lagesbild).filter_by(period=period, version=version))
        db.session.expunge(found)
        return found


def _approve_both(app, period="2026-03"):
    with app.app_context():
        kommun = User(email="kommun@kommun.se", password_hash="!", role="staff",
                      organisation="kommun")
        polis = User(email="lpo@polisen.se", password_hash="!", role="staff",
                     organisation="polis")
        db.session.add_all([kommun, polis])
        db.session.commit()
        lagesbild = service.latest(period)
        service.approve(lagesbild, kommun)
        service.approve(lagesbild, polis)


def test_the_draft_has_the_hand_computed_comparisons(app, drafted):
    figures = _version(app).figures
    assault = next(p for p in figures["indicators"] if p["code"] == "misshandel")
    # March 2026 is 24, March 2025 is 12; 13 + … + 24 = 222 against 1 + … + 12 = 78.
    assert assault["kommun"] == {"value": 24.0, "value_year_before": 12.0,
                                 "rolling_12m": 222.0, "rolling_12m_year_before": 78.0}
    assert assault["areas"]["Ljusne"]["value"] == 3.0
    assert assault["areas"]["Ljusne"]["rolling_12m"] is None  # one month is not twelve
    assert assault["history"][0] == ["2024-04", 1.0] and len(assault["history"]) == 24


def test_publishing_needs_two_approvals_from_kommun_and_police(app, drafted):
    result = drafted.invoke(args=["lagesbild", "publish", "2026-03"])
    assert result.exit_code == 1
    assert "Både kommunen och polisen måste godkänna" in result.output
    with app.app_context():
        both = User(email="samordnare@kommun.se", password_hash="!", role="staff",
                    organisation="kommun")
        nobody = User(email="ingen@kommun.se", password_hash="!", role="staff")
        db.session.add_all([both, nobody])
        db.session.commit()
        lagesbild = service.latest("2026-03")
        with pytest.raises(service.LagesbildError, match="no_organisation"):
            service.approve(lagesbild, nobody)
        service.approve(lagesbild, both)
        # The same person cannot approve for the police as well.
        both.organisation = "polis"
        with pytest.raises(service.LagesbildError, match="same_person"):
            service.approve(lagesbild, both)
    _approve_both(app)
    lagesbild = _version(app)
    assert (lagesbild.approved_kommun_by, lagesbild.approved_polis_by) == (
        "kommun@kommun.se", "lpo@polisen.se")
    assert lagesbild.approved_kommun_at and lagesbild.approved_polis_at
    # Changing the text afterwards withdraws both approvals.
    with app.app_context():
        service.save_texts(service.latest("2026-03"),
                           {"analysis": {"sv": "Misshandeln har ökat."}}, [])
    assert _version(app).approved_kommun_by is None
    _approve_both_again(app)
    result = drafted.invoke(args=["lagesbild", "publish", "2026-03"])
    assert result.exit_code == 0, result.output
    assert _version(app).status == "published"
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"lagesbild.draft", "lagesbild.publish"} <= actions


def _approve_both_again(app, period="2026-03"):
    with app.app_context():
        lagesbild = service.latest(period)
        for email in ("kommun@kommun.se", "lpo@polisen.se"):
            service.approve(lagesbild, db.session.scalar(select(User).filter_by(email=email)))


def _publish(app, drafted, texts=None):
    with app.app_context():
        service.save_texts(service.latest("2026-03"), texts or {
            "analysis": {"sv": "Misshandeln har ökat i tätorten.", "en": "Assaults rose."}},
            [{"problem": {"sv": "Våld på torget"}, "causes": {"sv": "Sena kvällar"},
              "influence": {"sv": "Belysning och närvaro"}}])
    _approve_both(app)
    assert drafted.invoke(args=["lagesbild", "publish", "2026-03"]).exit_code == 0


@pytest.mark.postgres
def test_a_correction_is_a_new_version_with_its_reason(app, client, drafted):
    _publish(app, drafted)
    with app.app_context():
        published = service.latest("2026-03")
        with pytest.raises(service.LagesbildStateError):
            service.save_texts(published, {"analysis": {"sv": "Ändrad i smyg"}}, [])
        with pytest.raises(service.LagesbildError, match="reason"):
            service.correct(published, {"en": "only English"}, "samordnare@kommun.se")
        new = service.correct(published, {"sv": "Fel siffra för Mo i mars."},
                              "samordnare@kommun.se")
        service.save_texts(new, {"analysis": {"sv": "Misshandeln har ökat, rättad."}}, [])
    # Until the correction is published, residents read version 1.
    page = client.get("/sv/lagesbild/2026-03")
    assert "Misshandeln har ökat i tätorten." in page.text
    with app.app_context():
        for email in ("kommun@kommun.se", "lpo@polisen.se"):
            service.approve(service.latest("2026-03"),
                            db.session.scalar(select(User).filter_by(email=email)))
    assert drafted.invoke(args=["lagesbild", "publish", "2026-03"]).exit_code == 0
    page = client.get("/sv/lagesbild/2026-03")
    assert "Misshandeln har ökat, rättad." in page.text
    assert "Fel siffra för Mo i mars." in page.text and "Rättad." in page.text
    old = client.get("/sv/lagesbild/2026-03/v1")
    assert old.status_code == 200 and "Misshandeln har ökat i tätorten." in old.text
    assert "läs den senaste versionen" in old.text
    assert _version(app, version=1).texts["analysis"]["sv"] == "Misshandeln har ökat i tätorten."
    assert client.get("/sv/lagesbild/").text.count("2026-03") == 1
    # The English page shows the English text where staff wrote one.
    assert "Assaults rose." in client.get("/en/lagesbild/2026-03/v1").text


def _page_cells(html: str, caption: str) -> dict[str, list[str]]:
    """Rows of the table with the caption: area → cell texts."""
    table = re.search(r"<caption>" + re.escape(caption) + r"</caption>(.*?)</table>", html, re.S)
    assert table, caption
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table.group(1), re.S):
        rows[row[0].strip()] = [re.sub(r"<[^>]+>", "", c).strip()
                                for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]
    return rows


def test_figures_csv_is_what_the_page_shows(app, client, drafted):
    _publish(app, drafted)
    html = client.get("/en/lagesbild/2026-03").text
    data = list(csv.DictReader(io.StringIO(client.get("/en/lagesbild/2026-03/figures.csv").text)))
    assert list(data[0])[:8] == ["indicator", "label", "area", "period", "value",
                                 "value_year_before", "rolling_12m", "rolling_12m_year_before"]
    words = {"": "–", "<5": "fewer than 5", "..": "withheld"}
    for code, caption in (("misshandel", "Assault outdoors by area"),
                          ("vald_nara", "Våld i nära relation by area")):
        page = _page_cells(html, caption)
        rows = [r for r in data if r["indicator"] == code]
        assert len(rows) == len(page)
        for row in rows:
            shown = page[row["area"] or "The whole municipality"]
            expected = [words.get(row[f], row[f]) for f in
                        ("value", "value_year_before", "rolling_12m", "rolling_12m_year_before")]
            assert [s.replace(",", "") for s in shown] == expected


def test_small_area_counts_cannot_be_recovered_by_subtraction(app, client, drafted):
    _publish(app, drafted)
    data = list(csv.DictReader(io.StringIO(client.get("/sv/lagesbild/2026-03/figures.csv").text)))
    march = {r["area"]: r["value"] for r in data if r["indicator"] == "misshandel"}
    assert march[""] == "24"
    assert march["Ljusne"] == "<5"  # 3 is under the threshold of 5
    # The attacker subtracts every shown area from the kommun: what is left must not be a
    # single hidden area's count.
    hidden = [a for a, v in march.items() if a and not v.isdigit()]
    left = int(march[""]) - sum(int(v) for a, v in march.items() if a and v.isdigit())
    assert len(hidden) >= 2 and left >= 5
    # The sensitive series is published for the whole kommun only.
    assert [r["area"] for r in data if r["indicator"] == "vald_nara"] == [""]


def test_staff_may_show_a_sensitive_series_by_area(app, client, drafted, csrf):
    make_user(app)
    assert login(client, csrf).status_code == 302
    page = client.get("/staff/indicators/vald_nara")
    form = {"csrf_token": csrf(page.text), "label_sv": "Våld i nära relation",
            "category": "vald_i_nara_relation", "unit": "antal", "source": "Polisen",
            "rise_is_bad": "y", "sensitive": "y", "show_areas": "y"}
    assert client.post("/staff/indicators/vald_nara", data=form).status_code == 302
    with app.app_context():
        rows = service.public_rows(service.build_figures(service.parse_month("2026-03")), 5)
    areas = {r.area: r.cells["value"].state for r in rows if r.indicator == "vald_nara"}
    assert areas == {"": "shown", "Ljusne": "small", "Tätort": "protecting"}


def test_the_staff_upload_previews_then_saves(app, client, csrf):
    make_user(app)
    assert login(client, csrf).status_code == 302
    page = client.get("/staff/indicators/")
    token = csrf(page.text)
    bad = b"indicator,period,area,value\nklotter,2026-3,,4\n"
    resp = client.post("/staff/indicators/", data={
        "csrf_token": token, "file": (io.BytesIO(bad), "klotter.csv")})
    assert resp.status_code == 422
    assert "Rad 2, kolumn B (period)" in resp.text
    good = (b"indicator,period,area,value,label\nklotter,2026-03,,4,Klotter\n"
            b"klotter,2026-03,Mo,1,\n")
    resp = client.post("/staff/indicators/", data={
        "csrf_token": token, "file": (io.BytesIO(good), "klotter.csv")})
    assert resp.status_code == 200 and "Kontrollera importen" in resp.text
    with app.app_context():
        assert service.build_figures(service.parse_month("2026-03"))["indicators"] == []
    fields = dict(re.findall(r'name="(content|filename|digest)" type="hidden" value="([^"]*)"',
                             resp.text))
    saved = client.post("/staff/indicators/confirm", data={"csrf_token": token, **fields})
    assert saved.status_code == 302
    with app.app_context():
        figures = service.build_figures(service.parse_month("2026-03"))
        assert figures["indicators"][0]["kommun"]["value"] == 4.0
        assert db.session.scalar(select(AuditEvent.actor).filter_by(
            action="indicators.import")) == "samordnare@kommun.se"
    # The same preview confirmed again no longer matches what is stored: a new preview.
    again = client.post("/staff/indicators/confirm", data={"csrf_token": token, **fields})
    assert again.status_code == 200 and "ändrats sedan förhandsvisningen" in again.text


def test_the_staff_area_drafts_approves_and_publishes(app, client, csrf, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(_series_csv(), encoding="utf-8")
    app.test_cli_runner().invoke(args=["indicators", "import", str(path)])
    with app.app_context():
        auth.create_user("kommun@kommun.se", "korrekt-häst-batteri", "staff", "sv", "kommun")
        auth.create_user("lpo@polisen.se", "korrekt-häst-batteri", "staff", "sv", "polis")
    assert login(client, csrf, "kommun@kommun.se").status_code == 302
    page = client.get("/staff/lagesbild/")
    resp = client.post("/staff/lagesbild/", data={"csrf_token": csrf(page.text),
                                                   "month": "mars"})
    assert resp.status_code == 422 and "Skriv månaden som ÅÅÅÅ-MM" in resp.text
    resp = client.post("/staff/lagesbild/", data={"csrf_token": csrf(page.text),
                                                   "month": "2026-03"})
    assert resp.status_code == 302
    page = client.get("/staff/lagesbild/2026-03")
    token = csrf(page.text)
    resp = client.post("/staff/lagesbild/2026-03/texts", data={
        "csrf_token": token, "analysis_sv": "Mer våld på torget.",
        "problems-0-problem_sv": "Våld på torget", "problems-0-causes_sv": "Sena kvällar",
        "problems-0-influence_sv": "Belysning"})
    assert resp.status_code == 302
    assert client.post("/staff/lagesbild/2026-03/publish",
                       data={"csrf_token": token}).status_code == 409
    assert client.post("/staff/lagesbild/2026-03/approve",
                       data={"csrf_token": token}).status_code == 302
    client.post("/staff/logout", data={"csrf_token": token})
    assert login(client, csrf, "lpo@polisen.se").status_code == 302
    token = csrf(client.get("/staff/lagesbild/2026-03").text)
    assert client.post("/staff/lagesbild/2026-03/approve",
                       data={"csrf_token": token}).status_code == 302
    assert client.post("/staff/lagesbild/2026-03/publish",
                       data={"csrf_token": token}).status_code == 302
    public = client.get("/sv/lagesbild/2026-03")
    assert public.status_code == 200
    assert "Våld på torget" in public.text and "Belysning" in public.text
    assert client.get("/sv/lagesbild/2026-04").status_code == 404
    assert client.get("/xx/lagesbild/").status_code == 404


def test_an_admin_sets_whom_an_account_approves_for(app, client, csrf):
    make_user(app, "admin@kommun.se", "admin")
    user_id = make_user(app)
    assert login(client, csrf, "admin@kommun.se").status_code == 302
    page = client.get("/staff/users")
    resp = client.post(f"/staff/users/{user_id}/organisation",
                       data={"csrf_token": csrf(page.text), "organisation": "polis"})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).organisation == "polis"


def test_the_places_are_frozen_into_the_figures_and_shown_as_aggregates(app, client, tmp_path):
    """The lägesbild keeps the places as they were when it was drafted: the shown named places
    and 1 km squares with their answers, counts of at least MIN_GROUP_SIZE, no marked point."""
    seed(app, 400)
    path = tmp_path / "figurer.csv"
    path.write_text(_series_csv(), encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["indicators", "import", str(path)]).exit_code == 0
    assert runner.invoke(args=["lagesbild", "draft", "2026-03"]).exit_code == 0
    places = _version(app).figures["survey"]["places"]
    assert places["size"] == 1000 and places["places"] and places["squares"]
    counts = [p["count"] for p in places["places"] + places["squares"]]
    assert min(counts) >= app.config["MIN_GROUP_SIZE"]
    _publish(app, runner)
    seed(app, 200, seed=8)  # later answers do not change a drafted month
    assert _version(app).figures["survey"]["places"] == places
    html = client.get("/sv/lagesbild/2026-03").text
    assert "Namngivna platser, flest invånare först" in html
    top = places["places"][0]
    assert top["label"]["sv"] in html and f'<td class="num">{top["count"]}</td>' in html
    assert "place_results.js" in html and "map-placeholder" in html
    with app.app_context():
        points = [m for answers in db.session.scalars(select(Response.answers))
                  for m in answers.get("otrygg_plats") or () if m["lat"] is not None]
    assert points and not [m for m in points if f'{m["lat"]:.5f}' in html]
