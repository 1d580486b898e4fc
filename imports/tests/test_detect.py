"""Recognising a file's format from its content, and the registry of parsers (no database)."""

import pytest

from imports import detect
from imports.parsed import ImportRefused
from imports.tests.conftest import data

IHATEMONEY_JSON = (
    b'[{"what": "Pizza", "bill_type": "Expense", "amount": 12.5, "currency": "EUR", '
    b'"date": "2024-01-02", "payer_name": "Zo\\u00eb", "payer_weight": 1.0, "owers": ["Ann"]}]'
)
SPLIIT_JSON = (
    b'{"id":"g1","name":"Trip","currency":"\xe2\x82\xac","currencyCode":"EUR","expenses":'
    b'[{"id":"e1","title":"Pizza","amount":1250,"paidById":"p1","paidFor":[{"participantId":'
    b'"p1","shares":100}],"isReimbursement":false,"splitMode":"EVENLY"}],'
    b'"participants":[{"id":"p1","name":"Ann"}]}'
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (data("splitwise_basic.csv"), "splitwise"),
        (data("splitwise_german.csv"), "splitwise"),
        (data("splitwise_spanish_bom_crlf.csv"), "splitwise"),
        # A header in Japanese, and one in Thai, as Splitwise writes them.
        ("日付,概要,カテゴリ,費用,通貨,健\n".encode(), "splitwise"),
        ("วันที่,คำอธิบาย,หมวดหมู่,ราคา,สกุลเงิน,A\n".encode(), "splitwise"),
        (IHATEMONEY_JSON, "ihatemoney"),
        (b"[]", "ihatemoney"),
        (IHATEMONEY_JSON[:-8], "ihatemoney"),
        (
            b"what,bill_type,amount,currency,date,payer_name,payer_weight,owers\r\n"
            b"Pizza,Expense,12.5,EUR,2024-01-02,Ann,1.0,Ann\r\n",
            "ihatemoney",
        ),
        (b"what,amount,date,payer_name,payer_weight,owers\r\n", "ihatemoney"),
        (SPLIIT_JSON, "spliit"),
        (SPLIIT_JSON[:150], "spliit"),
        (b'{"id":"g1","name":"Empty","expenses":[],"participants":[]}', "spliit"),
        (b'name,weight,active,color\n"Alice",1,1,"#ddcb55"\n', "cospend"),
        (
            b"what,amount,date,timestamp,payer_name,payer_weight,payer_active,owers,repeat\n"
            b'deleteMeIfYouWant,1,1970-01-01,0,"Alice",1,1,"Alice",n,,,,,,,\n',
            "cospend",
        ),
        (b'{"format": "splitclone-export", "version": 1, "members": []}', "splitclone"),
        (data("splitwise_wrong_header.csv"), None),
        (b'{"name": "something else"}', None),
        (b"[1, 2, 3]", None),
        (b'"unclosed', None),
        (b"\n\n", None),
    ],
)
def test_detects_the_format_from_the_content(content, expected):
    assert detect.detect(content) == expected


def test_formats_whose_module_is_missing_are_not_offered(monkeypatch):
    monkeypatch.setitem(detect.FORMATS, "nothere", "Nowhere (CSV)")

    assert detect.parser("nothere") is None
    assert "nothere" not in detect.available_formats()
    assert detect.available_formats()["splitwise"] == "Splitwise (CSV)"


def test_a_recognised_format_without_its_parser_is_refused_by_name(monkeypatch):
    monkeypatch.setitem(detect.FORMATS, "nothere", "Nowhere (CSV)")
    monkeypatch.setattr(detect, "detect", lambda content: "nothere")

    with pytest.raises(ImportRefused, match=r"^This file looks like a Nowhere \(CSV\) export"):
        detect.read(b"anything")


def test_a_module_failing_to_import_for_another_reason_is_not_hidden(monkeypatch):
    def broken(name):
        raise ModuleNotFoundError("No module named 'somedependency'", name="somedependency")

    monkeypatch.setattr(detect.importlib, "import_module", broken)

    with pytest.raises(ModuleNotFoundError):
        detect.parser("splitwise")


def test_read_uses_the_format_chosen_over_the_content():
    with pytest.raises(ImportRefused, match=r"^This is not a Splitwise export"):
        detect.read(b"what,amount,date,payer_name,payer_weight,owers\r\n", "splitwise")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b" \n", "The file is empty."),
        (b"Payee,Amount\nBakery,3\n", "This file is not an export we recognise. We read these: "),
        (b"x" * (detect.MAX_BYTES + 1), "The file is larger than 5 MB"),
    ],
)
def test_read_refuses(content, message):
    with pytest.raises(ImportRefused) as refused:
        detect.read(content)

    assert str(refused.value).startswith(message)


def test_read_refuses_an_unknown_format_name():
    with pytest.raises(ImportRefused, match=r"^“excel” is not a format we read."):
        detect.read(b"a,b\n", "excel")


def test_at_most_so_many_entries(monkeypatch):
    monkeypatch.setattr(detect, "MAX_ENTRIES", 8)

    with pytest.raises(
        ImportRefused, match=r"^The file has 9 expenses and payments; we import at most 8"
    ):
        detect.read(data("splitwise_basic.csv"))
    monkeypatch.setattr(detect, "MAX_ENTRIES", 9)
    assert len(detect.read(data("splitwise_basic.csv")).expenses) == 8
