"""The rank command: files written, and bad input ending in a message and exit 2."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def _run_module(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def _one_line_exit_2(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    for needle in needles:
        assert needle in last, last


@pytest.mark.parametrize("which", ["responses", "population"])
def test_undecodable_bytes_name_the_file_and_offset(which, reference_dir, tmp_path):
    source = reference_dir / f"public_{which}.csv"
    raw = source.read_bytes()
    # 0x81 is neither UTF-8 (a lone continuation byte) nor Windows-1252 (undefined).
    broken = tmp_path / f"{which}.csv"
    broken.write_bytes(raw[:40] + b"\x81" + raw[40:])
    files = {"responses": reference_dir / "public_responses.csv",
             "population": reference_dir / "public_population.csv", which: broken}
    proc = _run_module(_args(files["responses"], files["population"], tmp_path / "out"))
    _one_line_exit_2(proc, str(broken), "byte 40", "0x81")


def test_utf16_export_is_read(reference_dir, tmp_path):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""
    table = pd.read_csv(reference_dir / "public_responses.csv")
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(table.to_csv(sep="\t", index=False).encode("utf-16"))
    out = tmp_path / "out"
    code = main(_args(utf16, reference_dir / "public_population.csv", out))
    assert code == 0
    assert len(pd.read_csv(out / "ranking.csv")) == 60


def test_infinite_population_count_is_refused(reference_dir, population, tmp_path):
    pop = population.astype({"count": object})
    pop.loc[3, "count"] = "inf"
    p = tmp_path / "p.csv"
    pop.to_csv(p, index=False)
    proc = _run_module(_args(reference_dir / "public_responses.csv", p, tmp_path / "out"))
    _one_line_exit_2(proc, "not a finite number", "inf")


def test_raking_refuses_a_missing_population_cell(reference_dir, population, tmp_path):
    pop = population.loc[~((population["age_band"] == "45-64")
                           & (population["gender"] == "man"))]
    p = tmp_path / "p.csv"
    pop.to_csv(p, index=False)
    for method in ("rake", "poststratify"):
        proc = _run_module(_args(reference_dir / "public_responses.csv", p, tmp_path / "out",
                                 "--method", method))
        _one_line_exit_2(proc, "45-64", "man")
    assert not (tmp_path / "out" / "ranking.csv").exists()


def test_extra_fields_in_the_first_row_name_the_row(reference_dir, tmp_path):
    lines = (reference_dir / "public_responses.csv").read_text(encoding="utf-8").splitlines()
    lines[1] += ",7"
    r = tmp_path / "r.csv"
    r.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = _run_module(_args(r, reference_dir / "public_population.csv", tmp_path / "out"))
    _one_line_exit_2(proc, "row 2 has 13 fields but the header has 12")


def test_extra_fields_in_a_later_row_name_the_row(reference_dir, tmp_path, capsys):
    lines = (reference_dir / "public_responses.csv").read_text(encoding="utf-8").splitlines()
    lines[6] += ";x,7"
    r = tmp_path / "r.csv"
    r.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(_args(r, reference_dir / "public_population.csv", tmp_path / "out"))
    assert code == 2
    assert "row 7 has 13 fields but the header has 12" in capsys.readouterr().err


def test_quoted_fields_and_short_rows_are_read(reference_dir, tmp_path):
    """Quotes around fields, a separator and a line break inside one, a row cut short: the
    same ranking as from a plain file (which takes the other way through the reader) with
    the cut row's answers missing."""
    table = pd.read_csv(reference_dir / "public_responses.csv")
    table.insert(2, "kommentar", "")
    table.loc[3, "kommentar"] = 'hej, "svar"\nrad två'
    quoted = tmp_path / "quoted.csv"
    lines = table.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).splitlines(keepends=True)
    lines[-1] = ",".join(lines[-1].split(",", 3)[:3]) + "\n"  # age band, gender, comment
    quoted.write_text("".join(lines), encoding="utf-8")
    table.loc[3, "kommentar"] = "hej"
    table.iloc[-1, 3:] = np.nan
    plain = tmp_path / "plain.csv"
    table.to_csv(plain, index=False)
    assert '"' not in plain.read_text(encoding="utf-8")
    population = reference_dir / "public_population.csv"
    for path in (plain, quoted):
        assert main(_args(path, population, tmp_path / path.stem, "--no-charts")) == 0
    assert ((tmp_path / "plain" / "ranking.csv").read_bytes()
            == (tmp_path / "quoted" / "ranking.csv").read_bytes())


def test_text_read_as_missing_is_counted(reference_dir, tmp_path):
    table = pd.read_csv(reference_dir / "public_responses.csv").astype({"klotter": object})
    table.loc[[0, 5, 9], "klotter"] = "NA"
    r = tmp_path / "r.csv"
    table.to_csv(r, index=False)
    proc = _run_module(_args(r, reference_dir / "public_population.csv", tmp_path / "out",
                             "--no-charts"))
    assert proc.returncode == 0, proc.stderr
    assert "3 values read as missing: 'NA' in klotter ×3" in proc.stderr
    # `python -m analysis` skips the interpreter's teardown (os._exit): the files it wrote
    # must be complete all the same.
    out = tmp_path / "out"
    assert len(pd.read_csv(out / "ranking.csv")) == 60
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["items"]
    assert load_workbook(out / "ranking.xlsx").sheetnames[0] == "overall"
