"""Reading CSV without pandas: the numpy route and the csv-module route give the same
columns, and both what pandas.read_csv gave before."""

import codecs
import csv
import io
import os
import threading
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import AnalysisError, csvfile, read_population, textfiles
from analysis.cli import read_csv
from analysis.columns import Coded, Columns
from analysis.csvfile import MISSING_WORDS, CsvError, EmptyCsv, TooManyFields, parse_csv
from analysis.textfiles import read_text, read_utf8
from tests.analysis.helpers import REPO_ROOT, packages_loaded

SHARED = REPO_ROOT.parent / "shared"

NUMBERS = ["1", "2", "2.0", " 3 ", "-4", "+5", "1e3", "1E-2", ".5", "5.", "007", "1.25", "-0",
           "inf", "-Infinity", "\t6"]
# Text, including what Python's float() reads but pandas did not: "1_000", Arabic-Indic
# digits, "NAN", blanks.
TEXTS = ["man", "kvinna", "16-24", "80+", "Ärende", "a b", " x", "ö ", "1_000", "١٢", "NAN",
         "  ", "#c", "-", ".", "1.5.2", "0x10", "1e", " inf", "ett längre svar i fritext"]
MISSING = ["", "", "NA", "nan", "N/A", "null", "None", "#N/A"]
# Only inside quotes.
AWKWARD = ["a,b", "a;b", "a\tb", 'sa "hej"', "rad\nbrytning", '"', ","]
NAMES = ["age_band", "gender", "item", "item", "", "Fråga 1", " pad "]


@st.composite
def csv_texts(draw) -> tuple[str, str, bool]:
    """A CSV text, its separator and whether it is plain (the numpy route must read it)."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    quoted = draw(st.booleans())
    width = draw(st.integers(1, 5))
    pools = []
    for _ in range(width):
        kind = draw(st.sampled_from(["numbers", "numbers", "text", "missing"]))
        pool = {"numbers": NUMBERS + MISSING, "text": TEXTS + NUMBERS + MISSING,
                "missing": MISSING}[kind]
        if quoted:
            pools.append(pool + AWKWARD if kind == "text" else pool)
        else:
            pools.append([value for value in pool if sep not in value])
    header = [draw(st.sampled_from(NAMES)) for _ in range(width)]
    rows = [[draw(st.sampled_from(pool)) for pool in pools]
            for _ in range(draw(st.integers(0, 12)))]
    ragged = draw(st.integers(0, 3)) == 0
    if ragged and rows:
        row = draw(st.integers(0, len(rows) - 1))
        rows[row] = rows[row][:draw(st.integers(0, width))]
        if draw(st.booleans()):
            rows[draw(st.integers(0, len(rows) - 1))].append("7")
    if quoted:
        style = draw(st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]))
        lines = []
        for row in [header, *rows]:
            out = io.StringIO()
            csv.writer(out, delimiter=sep, quoting=style, lineterminator="").writerow(row)
            lines.append(out.getvalue())
    else:
        lines = [sep.join(row) for row in [header, *rows]]
    blank = draw(st.integers(0, 3)) == 0
    if blank:
        at = draw(st.integers(1, len(lines)))
        lines.insert(at, draw(st.sampled_from(["", "  ", " \t" if sep != "\t" else " "])))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    plain = not quoted and not ragged and not blank and width > 1 and len(rows) > 0
    return text, sep, plain


def _pandas(text: str, sep: str) -> Columns:
    """What the old reader gave: pandas' C parser, only the empty field and pandas' words
    missing, numbers inferred after that."""
    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), sep=sep, index_col=False,
                        keep_default_na=False, na_values=["", *MISSING_WORDS],
                        low_memory=False)
    return Columns.of(frame)


def _words(text: str, sep: str) -> list[tuple[str, str, int]]:
    """The missing words and their counts per column, as the old reader reported them."""
    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), sep=sep, index_col=False,
                        dtype=str, keep_default_na=False, low_memory=False)
    return sorted((str(name), word, int(count)) for name in frame.columns
                  for word, count in frame[name].value_counts().items()
                  if word in MISSING_WORDS)


def assert_same(ours: Columns, theirs: Columns) -> None:
    assert ours.columns == theirs.columns
    assert len(ours) == len(theirs)
    for name in ours.columns:
        mine, other = ours.raw(name), theirs.raw(name)
        if isinstance(other, Coded):
            assert isinstance(mine, Coded), name
            assert mine.levels.tolist() == other.levels.tolist(), name
            assert all(type(v) is str for v in mine.levels), name
            np.testing.assert_array_equal(mine.codes, other.codes, err_msg=name)
        else:
            assert isinstance(mine, np.ndarray) and mine.dtype == np.float64, name
            np.testing.assert_array_equal(mine, other.astype(float), err_msg=name)


def _utf8(text: str) -> bytearray:
    """``text`` as read_utf8 reads a UTF-8 file for parse_csv."""
    return bytearray(text.encode("utf-8") + bytes(csvfile.PADDING))


def _slow(text: str, sep: str, **options) -> tuple[Columns, list]:
    with mock.patch.object(csvfile, "_split_bytes", lambda data, sep: None):
        return parse_csv(text, sep, **options)


def check(text: str, sep: str) -> None:
    """Both routes read ``text`` as pandas did, or refuse what pandas refused."""
    try:
        expected = _pandas(text, sep)
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        with pytest.raises(TooManyFields):
            parse_csv(text, sep)
        with pytest.raises(TooManyFields):
            _slow(text, sep)
        return
    except pd.errors.EmptyDataError:
        with pytest.raises(EmptyCsv):
            parse_csv(text, sep)
        with pytest.raises(EmptyCsv):
            _slow(text, sep)
        return
    table, found = parse_csv(text, sep)
    assert_same(table, expected)
    assert sorted(found) == _words(text, sep)
    slow, slow_found = _slow(text, sep)
    assert_same(slow, table)
    assert slow_found == found
    # The bytes of a file, as the command line reads them, by either route.
    for read in (parse_csv, _slow):
        from_bytes, bytes_found = read(_utf8(text), sep)
        assert_same(from_bytes, table)
        assert bytes_found == found
    # The numpy route's other ways: fewer rows hashed at a time; values not all among the
    # first rows; a hash that must try its next multiplier, or finds none; values looked
    # up by binary search instead; every value looked up after a sort of all of them; long
    # fields coded one by one.
    for options in ({"_FIELDS": 3}, {"_PROBE": 2, "_FIELDS": 7},
                    {"_MULTIPLIERS": [np.uint64(1), *csvfile._MULTIPLIERS]},
                    {"_MULTIPLIERS": [np.uint64(1)]}, {"_HASHED": 0},
                    {"_HASHED": 0, "_PROBE": 1}, {"_WIDE_BYTES": 0}):
        with mock.patch.multiple(csvfile, **options):
            assert_same(parse_csv(_utf8(text), sep)[0], table)
    text_only, _ = parse_csv(text, sep, as_text=True)
    assert all(isinstance(text_only.raw(name), Coded) for name in text_only.columns)


@settings(max_examples=250, deadline=None, derandomize=True, database=None)
@given(csv_texts())
def test_both_routes_read_what_pandas_read(case):
    text, sep, plain = case
    if plain:
        assert csvfile._split_bytes(_utf8(text), sep) is not None
    check(text, sep)


def test_a_column_of_numbers_with_missing_words_is_numeric():
    table, found = parse_csv("a,b\n1,x\nNA,y\n3,NA\n", ",")
    np.testing.assert_array_equal(table["a"], [1.0, np.nan, 3.0])
    assert table.raw("b").levels.tolist() == ["x", "y"]
    assert found == [("a", "NA", 1), ("b", "NA", 1)]


def test_missing_words_most_frequent_first():
    _, found = parse_csv("a\nnull\nNA\nNA\n1\n", ",")
    assert found == [("a", "NA", 2), ("a", "null", 1)]


def test_too_many_fields_names_the_row():
    with pytest.raises(TooManyFields, match="row 4 has 3 fields but the header has 2"):
        parse_csv("a,b\n1,2\n3,4\n5,6,7\n8,9\n", ",")


def test_a_quote_never_closed_is_refused_when_it_swallows_the_file():
    with pytest.raises(CsvError, match="never closed"):
        parse_csv('a,b\n1,"' + "x," * 100_000 + "\n", ",")


def test_population_text_keeps_every_value():
    table, found = parse_csv("age_band;count\n16-24;\nNA;12\n", ";", as_text=True)
    assert table["age_band"].tolist() == ["16-24", "NA"]
    assert table["count"].tolist() == ["", "12"]
    assert found == []


def test_population_row_with_too_many_fields_is_named_below_a_title_line(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("Folkmängd, Söderhamn\nage_band,gender,count\n16-24,man,5\n"
                    "16-24,kvinna,6,7\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="row 4 has 4 fields but the header has 3"):
        read_population(path, ["age_band", "gender"])


def _csv_files() -> list[Path]:
    files = sorted((SHARED / "fixtures").rglob("*.csv"))
    files += sorted((REPO_ROOT / "tests").rglob("*.csv"))
    return files + sorted((REPO_ROOT / "dialog" / "data").glob("*.csv"))


@pytest.mark.parametrize("path", _csv_files(), ids=lambda p: p.name)
def test_the_csv_files_here_read_as_pandas_read_them(path):
    text = path.read_text(encoding="utf-8-sig")
    sep = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    check(text, sep)


def test_the_survey_export_takes_the_numpy_route(reference_dir):
    text = (reference_dir / "public_responses.csv").read_text(encoding="utf-8")
    assert csvfile._split_bytes(_utf8(text), ",") is not None


def test_reading_responses_and_a_tidy_population_leaves_pandas_unloaded(reference_dir):
    code = (
        "from analysis.cli import read_csv\n"
        "from analysis.population import read_population\n"
        f"table = read_csv({str(reference_dir / 'public_responses.csv')!r})\n"
        f"pop = read_population({str(reference_dir / 'public_population.csv')!r}, "
        "['age_band', 'gender'])\n"
        "assert len(table) > 0 and len(pop) > 0\n"
    )
    assert packages_loaded(code, ("pandas",)) == set()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_utf8_file_is_split_as_bytes_as_its_text_is(newline, tmp_path):
    text = newline.join(["fråga,svar,kön", "1,ja,kvinna", "2,nej,man", "NA,vet ej,annat", ""])
    path = tmp_path / "svar.csv"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    data = read_utf8(path, padding=csvfile.PADDING)
    assert isinstance(data, bytearray) and csvfile._split_bytes(data, ",") is not None
    assert csvfile.first_line(data) == csvfile.first_line(text) == "fråga,svar,kön" + newline[:-1]
    table, found = parse_csv(data, ",")
    assert_same(table, parse_csv(text, ",")[0])
    assert table.raw("svar").levels.tolist() == ["ja", "nej", "vet ej"]
    assert found == [("fråga", "NA", 1)]
    assert read_text(path) == text


def test_utf8_is_checked_a_slice_at_a_time(tmp_path):
    """A character cut at a slice's end is read whole; the first bad byte is named by its
    offset in the file, byte-order mark included."""
    path = tmp_path / "svar.csv"
    text = "a,b\n" + "å,ö\n" * 10
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    with mock.patch.object(textfiles, "_CHUNK", 5):
        assert read_text(path) == text
        good = codecs.BOM_UTF8 + text.encode("utf-8")[:-3]  # without the last "ö\n"
        path.write_bytes(good + b"\x81\n")
        with pytest.raises(AnalysisError, match=rf"byte {len(good)} \(0x81\)"):
            read_text(path)


def test_a_pipe_is_read_whole(tmp_path):
    fifo = tmp_path / "svar.csv"
    os.mkfifo(fifo)
    text = "a,b\n" + "1,2\n" * 50_000

    def write() -> None:
        fifo.write_text(text, encoding="utf-8")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        data = read_utf8(fifo, padding=csvfile.PADDING)
    finally:
        writer.join()
    assert data == bytearray(text.encode("utf-8") + bytes(csvfile.PADDING))


def test_a_value_first_seen_late_is_not_taken_for_another_columns():
    """Hashed columns share one table: a value of column a, first seen in column b after
    the probe rows, must not be read as a's."""
    text = "a,b\nx,y\nx,z\nx,x\nw,x\n"
    with mock.patch.multiple(csvfile, _PROBE=2, _FIELDS=4):
        check(text, ",")


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_the_other_encodings_are_read_as_text(encoding, tmp_path):
    text = "kön;ärende\r\nkvinna;1\r\nman;NA\r\n"
    path = tmp_path / "svar.csv"
    path.write_bytes(text.encode(encoding))
    assert read_utf8(path, padding=csvfile.PADDING) == text
    assert_same(read_csv(path), parse_csv(text, ";")[0])
