"""Hostile survey files, made on the spot: the shapes an outside probe used to exhaust the
server (issue #15). Shared by the importer tests, the staff upload test and the CLI test."""

from __future__ import annotations

import zipfile
from pathlib import Path

_LSS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             "<!DOCTYPE document [\n  <!ENTITY e \"{payload}\">\n]>\n"
             "<document><LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>366</DBVersion>"
             "<surveys><rows><row><sid>1</sid><language>en</language></row></rows></surveys>"
             "<surveys_languagesettings><rows><row><surveyls_language>en</surveyls_language>"
             "<surveyls_title>")
_LSS_TAIL = ("</surveyls_title></row></rows></surveys_languagesettings></document>")


def entity_amplification_lss(path: Path) -> Path:
    """A 0.3 MB .lss whose title expands to 20 MB: 200 characters times 100,000 references,
    an amplification (≈66×) that stays under expat's own cap of 100×."""
    path.write_text(_LSS_HEAD.format(payload="x" * 200) + "&e;" * 100_000 + _LSS_TAIL,
                    encoding="utf-8")
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               "<sheetData>")
_SHEET_TAIL = "</sheetData></worksheet>"


def _row(number: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _workbook(path: Path, write_rows) -> Path:  # noqa: ANN001 - a callable writing to a stream
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            write_rows(sheet)
            sheet.write(_SHEET_TAIL.encode())
    return path


def many_rows_xlsform(path: Path, rows: int = 50_000) -> Path:
    """A workbook of ~0.3 MB whose survey sheet has ``rows`` text questions."""
    def write(sheet) -> None:  # noqa: ANN001
        sheet.write(_row(1, "type", "name", "label").encode())
        for n in range(2, rows + 2):
            sheet.write(_row(n, "text", f"q{n}", "Q").encode())
    return _workbook(path, write)


def huge_cell_xlsform(path: Path, megabytes: int = 200) -> Path:
    """A workbook of a few hundred KB with one label cell of ``megabytes`` MB."""
    def write(sheet) -> None:  # noqa: ANN001
        sheet.write(_row(1, "type", "name", "label").encode())
        sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c>'
                    b'<c r="B2" t="inlineStr"><is><t>q</t></is></c>'
                    b'<c r="C2" t="inlineStr"><is><t>')
        chunk = b"x" * (1024 * 1024)
        for _ in range(megabytes):
            sheet.write(chunk)
        sheet.write(b"</t></is></c></row>")
    return _workbook(path, write)


def long_cell_xlsform(path: Path, characters: int = 100_000) -> Path:
    """A small workbook whose one label is longer than any real label (under the size caps)."""
    def write(sheet) -> None:  # noqa: ANN001
        sheet.write(_row(1, "type", "name", "label").encode())
        sheet.write(_row(2, "text", "q", "x" * characters).encode())
    return _workbook(path, write)
