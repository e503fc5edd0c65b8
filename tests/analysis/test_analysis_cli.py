"""The rank command: files written, and bad input ending in a message and exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import RANKING_COLUMNS
from analysis.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
ITEMS = ("nedskrapning,klotter,belysning,fortkorning,buskorning,ungdomar_stor,berusade,"
         "narkotikahandel,inbrott,ungdomskriminalitet")


def _args(responses: Path, population: Path, out: Path, *extra: str) -> list[str]:
    return ["rank", str(responses), "--population", str(population), "--group", "age_band",
            "--weight-by", "age_band,gender", "--method", "poststratify", "--items", ITEMS,
            "--positive", "3,4", "--valid", "1,2,3,4", "--min-n", "40", "--seed", "5",
            "--n-boot", "200", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def report_dir(reference_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = main(_args(reference_dir / "public_responses.csv",
                      reference_dir / "public_population.csv", out))
    assert code == 0
    return out


def test_ranking_csv_has_the_agreed_columns(report_dir):
    table = pd.read_csv(report_dir / "ranking.csv")
    assert list(table.columns[: len(RANKING_COLUMNS)]) == RANKING_COLUMNS
    assert set(table["group"]) == {"all", "16-24", "25-44", "45-64", "65-79", "80+"}
    withheld = table.loc[table["suppressed"]]
    # Each item: the small 16-24 group and one more, so that it cannot be subtracted out.
    assert len(withheld) == 20 and withheld["share"].isna().all()
    assert withheld["n"].isna().all() and withheld["dont_know_share"].isna().all()


def test_excel_has_overall_group_difference_and_notes_sheets(report_dir):
    book = load_workbook(report_dir / "ranking.xlsx", read_only=True)
    try:
        names = book.sheetnames
        assert names[0] == "overall" and names[-2:] == ["differences", "method notes"]
        assert "age_band_80+" in names and len(names) == 8
        notes = [row for row in book["method notes"].iter_rows(values_only=True)]
        assert notes[0] == ("svenska", "english")
        assert any("Rao–Scott" in (row[1] or "") for row in notes)
    finally:
        book.close()


def test_summary_json_keeps_suppressed_rows_empty(report_dir):
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["weighting"]["method"] == "poststratify"
    young = summary["ranking"]["16-24"]
    assert all(r["suppressed"] and r["share"] is None and r["rank"] is None for r in young)
    assert summary["ranking"]["all"][0]["rank"] == 1
    assert summary["suppressed"] == 20
    assert summary["weighting"]["max_to_mean"] > 1
    assert {"sv", "en"} <= set(summary["method_notes"][0])


def test_charts_are_written(report_dir):
    for name in ("heatmap", "dotplot", "small_multiples"):
        assert (report_dir / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (report_dir / f"{name}.svg").read_bytes()[:2000]


def _write_bad(tmp_path: Path, responses: pd.DataFrame, population: pd.DataFrame):
    r, p = tmp_path / "r.csv", tmp_path / "p.csv"
    responses.to_csv(r, index=False)
    population.to_csv(p, index=False)
    return r, p


def _bad_cases(responses, population):
    unknown_code = responses.copy()
    unknown_code.loc[2, "klotter"] = 6
    extra_gender = responses.copy()
    extra_gender.loc[0, "gender"] = "annat"
    extra_band = pd.concat([population, pd.DataFrame(
        {"age_band": ["13-15"], "gender": ["man"], "count": [500]})])
    negative = population.copy()
    negative.loc[1, "count"] = -3
    return {
        "unknown column": (responses, population, ["--items", "klotter,graffiti"],
                           "graffiti"),
        "code outside valid": (unknown_code, population, [], "'klotter' has code 6"),
        "data cell not in population": (extra_gender, population, [], "gender='annat'"),
        "population cell not in data": (responses, extra_band, [], "age_band='13-15'"),
        "negative count": (responses, negative, [], "negative"),
    }


@pytest.mark.parametrize("case", ["unknown column", "code outside valid",
                                  "data cell not in population", "population cell not in data",
                                  "negative count"])
def test_bad_input_gives_message_and_exit_2(case, responses, population, tmp_path, capsys):
    data, pop, extra, message = _bad_cases(responses, population)[case]
    r, p = _write_bad(tmp_path, data, pop)
    code = main(_args(r, p, tmp_path / "out") + extra)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "ranking.csv").exists()


def test_module_entry_point_exits_2_without_traceback(reference_dir, tmp_path):
    args = _args(reference_dir / "public_responses.csv", reference_dir / "public_population.csv",
                 tmp_path / "out", "--method", "rake", "--group", "kommundel")
    proc = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "unknown column 'kommundel'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_responses_file_is_reported(tmp_path, reference_dir, capsys):
    code = main(_args(tmp_path / "nope.csv", reference_dir / "public_population.csv",
                      tmp_path / "out"))
    assert code == 2
    assert "nope.csv" in capsys.readouterr().err
