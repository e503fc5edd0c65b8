"""Population tables: tidy CSV and SCB Statistikdatabasen exports folded into bands."""

from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import AnalysisError, read_population, read_scb_population
from analysis.population import parse_age_band

BANDS = ["16-24", "25-44", "45-64", "65-79", "80+"]


def _scb_file(tmp_path: Path, *, encoding: str = "cp1252", sep: str = ",") -> Path:
    lines = ["Folkmängden efter region, ålder, kön och år", "",
             sep.join(['"region"', '"ålder"', '"kön"', '"2023"', '"2024"'])]
    for age in [*range(0, 100), "100+"]:
        label = f"{age} år"
        for kon, base in (("män", 100), ("kvinnor", 110)):
            a = 100 if age == "100+" else age
            lines.append(sep.join(['"2182 Söderhamn"', f'"{label}"', f'"{kon}"',
                                   str(base + a), str(base + a + 1)]))
    lines.append(sep.join(['"2182 Söderhamn"', '"totalt ålder"', '"män"', "99999", "99999"]))
    path = tmp_path / "scb.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def test_scb_export_is_folded_into_bands(tmp_path):
    table = read_scb_population(_scb_file(tmp_path), BANDS)
    assert list(table.columns) == ["age_band", "gender", "count"]
    assert list(table["age_band"].unique()) == BANDS
    men = table.set_index(["age_band", "gender"])["count"]
    # 2024 column: män aged a count 101 + a; 16..24 is nine years.
    assert_allclose(men[("16-24", "man")], sum(101 + a for a in range(16, 25)))
    assert_allclose(men[("80+", "kvinna")], sum(111 + a for a in range(80, 100)) + 211)
    earlier = read_scb_population(_scb_file(tmp_path), BANDS, year="2023")
    # Each single year is one lower in 2023 than in 2024.
    years = table["age_band"].map({"16-24": 9, "25-44": 20, "45-64": 20, "65-79": 15,
                                   "80+": 21})
    assert_allclose(table["count"] - earlier["count"], years)


def test_read_population_detects_scb_and_semicolons(tmp_path):
    path = _scb_file(tmp_path, encoding="utf-8", sep=";")
    table = read_population(path, ["age_band", "gender"], bands=BANDS)
    assert len(table) == 10
    with pytest.raises(AnalysisError, match="age bands"):
        read_population(path, ["age_band", "gender"])


def test_tidy_population(tmp_path, population):
    path = tmp_path / "pop.csv"
    population.to_csv(path, index=False)
    table = read_population(path, ["age_band", "gender"]).to_frame()
    pd.testing.assert_frame_equal(table, population.astype({"count": float}))


@pytest.mark.parametrize("bands, message", [
    (["16-24", "20-44"], "overlap"),
    (["16-24", "äldre"], "'äldre'"),
    (["16-24", "120+"], "120"),
])
def test_bad_bands(tmp_path, bands, message):
    with pytest.raises(AnalysisError, match=message):
        read_scb_population(_scb_file(tmp_path), bands)


def test_unknown_gender_label(tmp_path):
    with pytest.raises(AnalysisError, match="'män'"):
        read_scb_population(_scb_file(tmp_path), BANDS, gender_labels={"kvinnor": "kvinna"})


def test_parse_age_band():
    assert parse_age_band("16-24") == (16, 24)
    assert parse_age_band("80+") == (80, None)
    assert parse_age_band("65–79") == (65, 79)
