"""Workbooks: a label that looks like a formula stays text, in every sheet, with no apostrophe."""

from __future__ import annotations

from openpyxl import load_workbook

from analysis import write_report
from analysis.workbook import open_workbook

HOSTILE = '=HYPERLINK("http://evil.example/","Klicka")'


def test_ranking_workbook_writes_formula_like_labels_as_text(tmp_path, by_age):
    labels = {item: HOSTILE for item in by_age.items}
    write_report(by_age, tmp_path, labels=labels, charts=False)
    book = load_workbook(tmp_path / "ranking.xlsx")
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                seen += cell.value == HOSTILE
    assert seen >= len(by_age.items) * 2


def test_every_workbook_opens_with_text_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = open_workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write(0, 0, HOSTILE)  # even write(), which guesses the type, keeps it a text
    sheet.write(1, 0, "https://evil.example/")
    workbook.close()
    cells = load_workbook(path).active
    assert (cells["A1"].data_type, cells["A1"].value) == ("s", HOSTILE)
    assert cells["A2"].hyperlink is None
