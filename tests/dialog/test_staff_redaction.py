"""Pattern pre-flagging of personal data in free text, and irreversible redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialog.services.redaction import (
    REDACTED,
    Finding,
    find_personal_data,
    is_personnummer,
    luhn_valid,
    redact_flagged,
    redact_spans,
    segments,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in find_personal_data(text)]


@pytest.mark.parametrize("number", [
    "811228-9874",      # Skatteverket's example, 10 digits with hyphen
    "8112289874",       # without hyphen
    "19811228-9874",    # 12 digits with hyphen
    "198112289874",     # 12 digits
    "121212+1212",      # + marks a person aged 100 or more
    "701063-2391",      # samordningsnummer: day + 60
])
def test_valid_personnummer_are_flagged(number):
    text = f"Mitt nummer är {number}, ring inte."
    assert kinds(text) == [("personnummer", number)]


@pytest.mark.parametrize("text", [
    "811228-9875",      # wrong check digit
    "811328-9874",      # month 13
    "2023-05-01",       # a date
    "Klockan 22-23 vid 7-Eleven",
    "Vi var 12 personer, 4 barn",
    "Busslinje 1234 går 19.45",
])
def test_numbers_that_are_not_personnummer_are_left(text):
    assert [k for k, _ in kinds(text)] == []


def test_luhn_against_known_values():
    assert luhn_valid("8112289874")
    assert not luhn_valid("8112289875")
    assert luhn_valid("79927398713")  # the textbook Luhn example
    assert is_personnummer("19811228", "9874") and not is_personnummer("811200", "9874")


@pytest.mark.parametrize("phone", [
    "070-123 45 67", "0701234567", "+46 70 123 45 67", "+46701234567", "08-123 456 78",
    "0046 70 123 45 67", "0270-123 45",
])
def test_swedish_phone_numbers(phone):
    assert kinds(f"Ring {phone} efter sex") == [("phone", phone)]


@pytest.mark.parametrize("address", ["anna.svensson@soderhamn.se", "x+y@example.co.uk"])
def test_email_addresses(address):
    assert kinds(f"Maila {address}.") == [("email", address)]


def test_names_after_naming_words_and_common_first_names():
    assert kinds("Grannen som heter Kalle Ek stör") == [("name", "Kalle Ek")]
    assert kinds("Ring Anna om lampan") == [("name", "Anna")]
    assert kinds("Per Olsson kör för fort") == [("name", "Per Olsson")]
    # Places and ordinary capitalised words are not names.
    assert kinds("Söderhamn tätort och Sandarne är mörka. Parken också.") == []


def test_first_matching_kind_wins_and_findings_do_not_overlap():
    text = "anna@example.se 811228-9874 070-123 45 67"
    found = find_personal_data(text)
    assert [f.kind for f in found] == ["email", "personnummer", "phone"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_redaction_replaces_only_the_flagged_text():
    text = "Ring Anna på 070-123 45 67 om belysningen vid torget"
    assert redact_flagged(text) == f"Ring {REDACTED} på {REDACTED} om belysningen vid torget"
    assert redact_flagged("Mörkt vid stationen") == "Mörkt vid stationen"


def test_redact_spans_ignores_overlaps_and_order():
    text = "abcdefghij"
    spans = [Finding("name", 6, 8), Finding("name", 0, 3), Finding("name", 2, 5)]
    assert redact_spans(text, spans) == f"{REDACTED}def{REDACTED}ij"


def test_segments_reassemble_the_text():
    text = "Hej, jag heter Maria och mitt nummer är 070-123 45 67."
    pieces = segments(text)
    assert "".join(piece for piece, _ in pieces) == text
    assert [kind for _, kind in pieces if kind] == ["name", "phone"]


def test_redaction_module_is_pure():
    import dialog.services.redaction as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "import flask" not in source and "sqlalchemy" not in source


@pytest.mark.parametrize(("text", "found"), [
    ("Kalle Svensson säljer knark", [("name", "Kalle Svensson")]),
    ("Det är Svenssons hund som skäller", [("name", "Svenssons")]),
    ("Lasse och Fatima bråkar", [("name", "Lasse"), ("name", "Fatima")]),
    ("Mörkt vid Storgatan 12 på kvällen", [("address", "Storgatan 12")]),
    ("Bor på Köpmangatan 3 B, ring inte", [("address", "Köpmangatan 3 B")]),
    ("hörnet av björkvägen 7a och Norra Storgatan 5",
     [("address", "björkvägen 7a"), ("address", "Norra Storgatan 5")]),
    ("Lingonstigen 14, Skolgränd 2, Stortorget 1 och Kyrkbacken 9",
     [("address", "Lingonstigen 14"), ("address", "Skolgränd 2"),
      ("address", "Stortorget 1"), ("address", "Kyrkbacken 9")]),
    ("Björkallén 2 A och Järnvägsplatsen 3", [("address", "Björkallén 2 A"),
                                            ("address", "Järnvägsplatsen 3")]),
])
def test_names_and_street_addresses(text, found):
    assert kinds(text) == found


@pytest.mark.parametrize("text", [
    "Vägen 3 km bort är mörk",          # a road, not an address
    "Storgatan är mörk efter klockan 22",  # a street without a number is not an address
    "Bo i centrum är tryggt",           # Bo is left out of the name list: an everyday word
    "Gatan 12 meter bort",
])
def test_everyday_words_and_streets_without_numbers_are_left(text):
    assert kinds(text) == []


def test_the_name_list_is_read_from_its_documented_file():
    names = Path(__file__).resolve().parents[2] / "dialog" / "data" / "first_names_sv.txt"
    listed = [line for line in names.read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#")]
    assert len(listed) > 200 and all(name == name.lower().strip() for name in listed)
    assert "kalle" in listed and "bo" not in listed
    readme = (names.parent / "README.md").read_text(encoding="utf-8")
    assert "first_names_sv.txt" in readme and "SCB" in readme
