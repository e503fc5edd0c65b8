"""The dashboard for a selection (one age group, gender or area): in the address, a form
that works without script, the same rules for small groups – also against everyone's
figures – and results kept like everyone's."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from dialog.dashboard.routes import css_string
from dialog.extensions import db
from dialog.models import StoredResults
from dialog.services import catalog
from dialog.services.results import compute, store
from dialog.services.results.selection import Selection
from tests.dialog.helpers import seed, sign_in

GENDERS = ("kvinna", "man", "annat", "vill_inte_svara")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def seeded(app):
    seed(app, 150)
    return app


def test_a_selection_is_an_address_and_a_form_without_script(seeded, client):
    sign_in(seeded, client)
    everyone = client.get("/dashboard/trygghet/").text
    form = re.search(r'<form method="get" class="selection"[^>]*>.*?</form>', everyone, re.S)
    assert form, "no selection form"
    # A labelled select with the three kinds as groups, and a real submit button.
    assert '<label for="urval">' in form.group(0) and 'id="urval" name="urval"' in form.group(0)
    groups = re.findall(r'<optgroup label="([^"]+)"', form.group(0))
    assert groups == ["Åldersgrupp", "Kön", "Område"]
    assert 'value="gender.kvinna"' in form.group(0) and '<button type="submit"' in form.group(0)
    page = client.get("/dashboard/trygghet/?urval=gender.kvinna")
    assert page.status_code == 200
    html = page.text
    assert 'value="gender.kvinna" selected' in html
    assert "Urval: Kvinna" in text_of(html)
    # Charts and the print's running head are of the selection too.
    assert "/dashboard/trygghet/chart/dotplot.svg?urval=gender.kvinna" in html
    assert "/dashboard/trygghet/print.css?urval=gender.kvinna" in html
    assert client.get("/dashboard/trygghet/chart/heatmap.png?urval=gender.kvinna"
                      ).status_code == 200
    style = client.get("/dashboard/trygghet/print.css?urval=gender.kvinna").text
    assert "@top-left" in style and r"Urval\3a  Kvinna" in style
    # The women's figures, not everyone's: the number of answers of the first problem differs.
    def first_count(text):
        return re.search(r'<table class="ranking">.*?<td class="num">(\d+)</td></tr>', text,
                         re.S).group(1)
    assert int(first_count(html)) < int(first_count(everyone))
    # A selection the survey does not have is a 404, not an error.
    for urval in ("gender.nobody", "shoe_size.42", "gender", "."):
        assert client.get(f"/dashboard/trygghet/?urval={urval}").status_code == 404
        assert client.get(f"/dashboard/trygghet/chart/heatmap.svg?urval={urval}"
                          ).status_code == 404
    # The running head cannot be broken out of by a survey title.
    assert css_string('Trygg"; } body { x: "') == \
        r'"Trygg\22 \3b  \7d  body \7b  x\3a  \22 "'


def _published_counts(results, attribute: str) -> dict[tuple[str, str], int]:
    table = getattr(results, attribute).table
    shown = table.loc[~table["suppressed"]]
    return {(str(r.group), str(r.item)): int(r.n) for r in shown.itertuples(index=False)}


def test_no_small_cell_comes_back_and_selections_are_kept(app):
    """The attacker has everyone's table and the same table for every gender, with the
    number of answers of every shown cell. Each is a linear equation in the age (or area) ×
    gender cells; no cell with fewer than min_n answers may be determined by them.

    The selections are kept like everyone's results: in memory, in the database for another
    server or a restart, until an answer arrives."""
    seed(app, 120, seed=3)
    with app.app_context():
        record = catalog.find_survey("trygghet")
        everyone = store.results_for(record)
        views = {g: store.selection_results(record, Selection("gender", g)) for g in GENDERS}
        frame = compute.response_frame(record, everyone.spec)
    frame = frame.loc[frame["age_band"].notna()]
    checked = 0
    for attribute, column in (("ranking", "age_band"), ("by_area", "area")):
        checked += _check_no_small_cell(everyone, views, frame, attribute, column)
    assert checked > 0
    kvinna = Selection("gender", "kvinna")
    with app.app_context():
        record = catalog.find_survey("trygghet")
        first = store.selection_results(record, kvinna)
        assert first is views["kvinna"]  # memory
        rows = db.session.execute(select(StoredResults.selection)).scalars().all()
        assert sorted(rows) == sorted(["", *(f"gender.{g}" for g in GENDERS)])
        app.extensions["dashboard_results"].clear()  # another server, or a restart
        again = store.selection_results(record, kvinna)
        assert again is not first and again.compute_seconds == first.compute_seconds
        pd.testing.assert_frame_equal(again.ranking.table, first.ranking.table)
    seed(app, 1, seed=99)
    with app.app_context():
        fresh = store.selection_results(catalog.find_survey("trygghet"), kvinna)
        assert fresh.stamp != first.stamp


def _check_no_small_cell(everyone, views, frame, attribute: str, column: str) -> int:
    base = getattr(everyone, attribute)
    valid = base.parameters["valid"]
    checked = 0
    for item in base.items:
        answered = frame.loc[frame[item].isin(valid)]
        cells = answered.groupby([answered[column].fillna(""), answered["gender"].fillna("")]
                                 ).size()
        index = list(cells.index)
        equations = []
        for gender, results in [(None, everyone), *views.items()]:
            if getattr(results, attribute) is None:
                continue
            for (group, shown_item), _n in _published_counts(results, attribute).items():
                if shown_item != item:
                    continue
                equations.append([float((group in ("all", g)) and gender in (None, s))
                                  for g, s in index])
        published = np.array(equations)
        rank = np.linalg.matrix_rank(published)
        for k, ((group, gender), n) in enumerate(cells.items()):
            if n >= everyone.min_n:
                continue
            unit = np.eye(len(index))[k]
            checked += 1
            assert np.linalg.matrix_rank(np.vstack([published, unit])) > rank, \
                (attribute, item, group, gender, n)
    return checked
