"""The report files written without pandas are the files pandas wrote.

Each test writes a ranking with :func:`analysis.report.write_report` and compares it with what
the pandas implementation it replaced produced from ``result.table`` (kept here as the
reference): ``ranking.csv`` byte for byte, every cell of every sheet of ``ranking.xlsx`` with
its type, column widths and frozen panes, and ``summary.json``.
"""

import csv
import io
import json
import math
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import rank_items
from analysis.columns import Columns
from analysis.method_notes import METHOD_NOTES
from analysis.notes import Note
from analysis.report import ReadableSheet, summary, write_report
from analysis.workbook import SAFE_OPTIONS
from tests.analysis.conftest import REPO_ROOT

AWKWARD = ['Klotter, "tags" och skräp', "Cyklar; stölder", "Rad\nbrytning", "=1+1", ""]


def _labels(result) -> dict[str, str]:
    return {item: AWKWARD[i % len(AWKWARD)] + item for i, item in enumerate(result.items)}


@pytest.fixture(scope="module")
def overall_only(survey, population, items):
    """No groups, priorities given: the priority columns carry figures."""
    rng = np.random.default_rng(7)
    picks = [";".join(rng.choice(items, size=3, replace=False)) for _ in range(len(survey))]
    return rank_items(survey.assign(priorities=picks), population, items, min_n=10,
                      n_boot=200, priorities="priorities")


@pytest.fixture(params=["by_age", "by_area", "overall_only"])
def ranking(request):
    return request.getfixturevalue(request.param)


# -- the pandas implementation this replaced, as the reference ------------------------------

def _reference_table(result, labels):
    table = result.table
    if labels:
        table = table.assign(label=table["item"].map(lambda i: labels.get(i, i)))
    return table


def _reference_workbook(result, labels, path, extra_sheets, front_sheets):
    table = _reference_table(result, labels)
    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": SAFE_OPTIONS}) as writer:
        for name, readable in front_sheets.items():
            readable.frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            share = writer.book.add_format({"num_format": "0 %"})
            for column, title in enumerate(readable.frame.columns):
                texts = [str(title), *(str(v) for v in readable.frame[title] if not pd.isna(v))]
                sheet.set_column(column, column, min(max(len(t) for t in texts) + 2, 60),
                                 share if title in readable.percent else None)
            sheet.freeze_panes(1, 1)
        exact = len(writer.sheets)
        table.loc[table["group"] == "all"].to_excel(writer, sheet_name="overall", index=False)
        for g in result.groups:
            table.loc[table["group"] == g].to_excel(
                writer, sheet_name=(f"{result.group}_{g}" if result.group else str(g))[:31],
                index=False)
        result.differences.to_excel(writer, sheet_name="differences", index=False)
        for name, frame in extra_sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        w = result.weighting
        extra = [Note(f"Viktning: {w.method}, n = {w.n:.0f}, effektivt n (Kish) = {w.n_eff:.1f}",
                      f"Weighting: {w.method}, n = {w.n:.0f}, effective n (Kish) = "
                      f"{w.n_eff:.1f}")]
        notes = pd.DataFrame([(n.sv, n.en) for n in [*METHOD_NOTES, *result.notes, *extra]],
                             columns=["svenska", "english"])
        notes.to_excel(writer, sheet_name="method notes", index=False)
        for sheet in list(writer.sheets.values())[exact:]:
            sheet.set_column(0, 15, 14)


def _plain(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def _reference_ranking_and_differences(result):
    ranked = {}
    for group, rows in result.table.groupby("group", sort=False):
        ranked[str(group)] = [
            {k: _plain(r[k]) for k in ["item", "n", "n_eff_kish", "n_eff_design", "share",
                                       "ci_low", "ci_high", "rank", "rank_low", "rank_high",
                                       "suppressed"]}
            for _, r in rows.iterrows()]
    differences = [{k: _plain(v) for k, v in row.items()}
                   for row in result.differences.to_dict(orient="records")]
    return ranked, differences, int(result.table["suppressed"].sum())


# -- the comparisons ------------------------------------------------------------------------

def _sheets(path):
    """Every sheet as (title, cells with their type, column widths and formats, panes)."""
    book = load_workbook(path)
    out = []
    for sheet in book.worksheets:
        cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
        columns = {k: (d.width, d.number_format if d.style_id else None)
                   for k, d in sheet.column_dimensions.items()}
        out.append((sheet.title, cells, columns, sheet.freeze_panes))
    return out


def _bold_headers(path):
    return [c.font.b for sheet in load_workbook(path).worksheets
            for c in next(sheet.iter_rows(max_row=1))]


def _web_sheets():
    """Sheets as the web app hands them in: data frames with missing values of every kind."""
    key_figures = pd.DataFrame({
        "group": ["all", "all", "16-24"], "item": ["i1", "i2", "i1"],
        "label": ["Trygg, \"kväll\"", None, "=HYPERLINK(\"x\")"],
        "n": pd.array([120, None, 7], dtype="Int64"), "share": [0.25, np.nan, 1 / 3],
        "ci_low": [0.2, np.nan, np.inf], "suppressed": [False, True, False]})
    readable = pd.DataFrame([
        {"Problem": "Klotter", "Stort problem": 0.38, "Plats": "1–2", "Svar": 120,
         "16-24": "–", "25-44": 0.4},
        {"Problem": "Skräp", "Stort problem": None, "Plats": "–", "Svar": None,
         "16-24": 0.125, "25-44": 0.5}])
    front = {"Rangordning": ReadableSheet(readable, percent=("Stort problem", "16-24", "25-44"))}
    return {"nyckeltal": key_figures}, front


def test_ranking_csv_is_what_pandas_wrote(tmp_path, ranking):
    for labels in (None, _labels(ranking)):
        write_report(ranking, tmp_path, labels=labels, charts=False)
        expected = _reference_table(ranking, labels).to_csv(index=False)
        assert (tmp_path / "ranking.csv").read_bytes() == expected.encode("utf-8")


def test_ranking_csv_keeps_withheld_rows_empty_and_counts_whole(tmp_path, by_age):
    """The comparison above is only as good as its cases: they hold withheld rows, figures,
    whole-number counts and quoted labels."""
    write_report(by_age, tmp_path, labels=_labels(by_age), charts=False)
    text = (tmp_path / "ranking.csv").read_text(encoding="utf-8")
    assert by_age.table["suppressed"].any() and (~by_age.table["suppressed"]).any()
    assert ',"Klotter, ""tags"" och skräp' in text and ',"Rad\nbrytning' in text
    withheld = next(line for line in text.splitlines() if line.startswith("16-24,"))
    assert ",,,,,,,,,,,,,True," in withheld
    rows = list(csv.DictReader(io.StringIO(text)))
    shown = [r for r in rows if r["suppressed"] == "False"]
    assert shown and all(r["n"].isdigit() and r["rank_high"].isdigit() for r in shown)
    assert all("." in r["share"] for r in shown)


def test_ranking_workbook_has_the_cells_pandas_wrote(tmp_path, ranking):
    extra_sheets, front_sheets = _web_sheets()
    labels = _labels(ranking)
    write_report(ranking, tmp_path, labels=labels, charts=False, extra_sheets=extra_sheets,
                 front_sheets=front_sheets)
    _reference_workbook(ranking, labels, tmp_path / "reference.xlsx", extra_sheets,
                        front_sheets)
    got, expected = _sheets(tmp_path / "ranking.xlsx"), _sheets(tmp_path / "reference.xlsx")
    assert [s[0] for s in got] == [s[0] for s in expected]
    for sheet, reference in zip(got, expected, strict=True):
        assert sheet == reference, sheet[0]
    # What the comparison covers: numbers, booleans, texts, empty cells and a bold header.
    kinds = {kind for sheet in got for row in sheet[1] for _, kind in row}
    assert kinds >= {"n", "b", "s"}
    assert any(value is None for sheet in got for row in sheet[1][1:] for value, _ in row)
    # pandas 3 writes a plain header; ours is bold.
    assert all(_bold_headers(tmp_path / "ranking.xlsx"))


def test_extra_and_front_sheets_may_be_columns(tmp_path, by_age):
    extra_sheets, front_sheets = _web_sheets()
    write_report(by_age, tmp_path / "frames", charts=False, extra_sheets=extra_sheets,
                 front_sheets=front_sheets)
    as_columns = {k: Columns.of(v) for k, v in extra_sheets.items()}
    front_columns = {k: ReadableSheet(Columns.of(v.frame), v.percent)
                     for k, v in front_sheets.items()}
    write_report(by_age, tmp_path / "columns", charts=False, extra_sheets=as_columns,
                 front_sheets=front_columns)
    assert _sheets(tmp_path / "columns" / "ranking.xlsx") == _sheets(
        tmp_path / "frames" / "ranking.xlsx")


def test_summary_json_is_what_pandas_gave(tmp_path, ranking):
    write_report(ranking, tmp_path, charts=False)
    written = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    ranked, differences, suppressed = _reference_ranking_and_differences(ranking)
    assert written == json.loads(json.dumps(summary(ranking)))
    assert written["ranking"] == ranked
    assert written["differences"] == differences
    assert written["suppressed"] == suppressed
    # Counts and ranks stay whole numbers in the JSON text, not 12.0.
    text = json.dumps(summary(ranking))
    assert json.dumps(ranked)[1:-1] in text and json.dumps(differences) in text


def test_writing_the_report_imports_no_pandas(tmp_path, by_age):
    """The command line writes its files without loading pandas (a quarter of its time).

    Unpickling the result imports the modules that made it; any of them that loaded pandas
    is hidden again, and importing it is refused, while the report is written: so the test
    holds the writing to it whatever the statistics modules import."""
    path = tmp_path / "result.pickle"
    path.write_bytes(pickle.dumps(by_age))
    child = textwrap.dedent(f"""
        import pickle, sys
        from pathlib import Path

        class NoPandas:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] == "pandas":
                    raise ImportError(f"writing the report imported {{name}}")

        result = pickle.loads(Path({str(path)!r}).read_bytes())
        from analysis.report import write_report
        for name in [m for m in sys.modules if m.partition(".")[0] == "pandas"]:
            del sys.modules[name]
        sys.meta_path.insert(0, NoPandas())
        files = write_report(result, {str(tmp_path / "out")!r}, labels={{"klotter": "K"}},
                             charts=False)
        print(len(files), sorted(m for m in sys.modules if m.partition(".")[0] == "pandas"))
    """)
    run = subprocess.run([sys.executable, "-c", child], cwd=REPO_ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "3 []"
    assert (tmp_path / "out" / "ranking.xlsx").stat().st_size > 0
