"""Every cell reader, with the forms the data contract allows and the ones it refuses."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest

from reform.datasets import FUND_TYPES, TIERS
from reform.ingest import cells
from reform.ingest.cells import CellError, Period


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", 1234),
        ("1,234", 1234),
        ("1 234", 1234),
        ("１２３４", 1234),
        ("１，２３４", 1234),
        (" 7 ", 7),
        ("12.0", 12),
        (12.0, 12),
        (5, 5),
        ("0", 0),
        ("1\u00a0000", 1000),
    ],
)
def test_read_integer_accepts(raw: object, expected: int) -> None:
    assert cells.read_integer(raw, 0) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12.5", "fraction"),
        ("-1", "below_minimum"),
        ("abc", "not_integer"),
        ("1,2a", "not_integer"),
        ("", "not_integer"),
        (True, "not_integer"),
        ("25万", "not_integer"),
    ],
)
def test_read_integer_refuses(raw: object, code: str) -> None:
    with pytest.raises(CellError) as info:
        cells.read_integer(raw, 0)
    assert info.value.code == code


def test_read_integer_minimum_is_in_the_message_parameters() -> None:
    with pytest.raises(CellError) as info:
        cells.read_integer("0", 1)
    assert info.value.params == {"minimum": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("250000", "250000"),
        ("25万", "250000"),
        ("25万元", "250000"),
        ("2.5万", "25000"),
        ("¥250,000", "250000"),
        ("￥250,000", "250000"),
        ("250,000元", "250000"),
        ("１２.５", "12.5"),
        ("0.01", "0.01"),
        (250000.0, "250000"),
        ("1.5亿", "150000000"),
        ("RMB 100", "100"),
    ],
)
def test_read_amount_accepts(raw: object, expected: str) -> None:
    assert cells.read_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-5", "below_minimum"),
        ("1.005", "too_many_decimals"),
        ("万", "not_amount"),
        ("abc", "not_amount"),
        ("1" + "0" * 27, "too_large"),
        ("2亿亿", "not_amount"),
    ],
)
def test_read_amount_refuses(raw: str, code: str) -> None:
    with pytest.raises(CellError) as info:
        cells.read_amount(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    "raw",
    [
        "2022-03-15",
        "2022/3/15",
        "2022.3.15",
        "2022年3月15日",
        "2022年03月15日",
        "２０２２-０３-１５",
        "2022-03-15 00:00:00",
        datetime(2022, 3, 15, 0, 0),
        date(2022, 3, 15),
    ],
)
def test_read_date_accepts(raw: object) -> None:
    assert cells.read_date(raw) == date(2022, 3, 15)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("03/04/2022", "ambiguous_date"),
        ("3.4.2022", "ambiguous_date"),
        ("2022-02-30", "no_such_date"),
        ("March 3", "not_date"),
    ],
)
def test_read_date_refuses(raw: str, code: str) -> None:
    with pytest.raises(CellError) as info:
        cells.read_date(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("raw", "label", "kind"),
    [
        ("2022", "2022", "year"),
        ("2022年", "2022", "year"),
        (2022, "2022", "year"),
        ("2022年度", "2022", "year"),
        ("2022-Q1", "2022-Q1", "quarter"),
        ("2022Q1", "2022-Q1", "quarter"),
        ("2022q3", "2022-Q3", "quarter"),
        ("2022年第一季度", "2022-Q1", "quarter"),
        ("2022年一季度", "2022-Q1", "quarter"),
        ("2022年第4季度", "2022-Q4", "quarter"),
        ("2022-03", "2022-03", "month"),
        ("2022/3", "2022-03", "month"),
        ("2022.03", "2022-03", "month"),
        ("2022年3月", "2022-03", "month"),
        ("2022年12月", "2022-12", "month"),
    ],
)
def test_read_period_accepts(raw: object, label: str, kind: str) -> None:
    period = cells.read_period(raw)
    assert (period.label, period.kind) == (label, kind)


def test_period_first_and_last_day() -> None:
    assert cells.read_period("2022年第一季度") == Period(date(2022, 1, 1), "quarter")
    assert cells.read_period("2022-Q4").end == date(2022, 12, 31)
    assert cells.read_period("2024-02").end == date(2024, 2, 29)
    assert cells.read_period("2022").end == date(2022, 12, 31)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("2022-13", "not_period"), ("2022Q5", "not_period"), ("Q1", "not_period"), ("1999", "year_out_of_range")],
)
def test_read_period_refuses(raw: str, code: str) -> None:
    with pytest.raises(CellError) as info:
        cells.read_period(raw)
    assert info.value.code == code


@pytest.mark.parametrize(("raw", "expected"), [("2022", 2022), ("2022年", 2022), (2022.0, 2022), ("２０２２", 2022)])
def test_read_year(raw: object, expected: int) -> None:
    assert cells.read_year(raw) == expected


def test_read_year_range_is_2000_to_next_year() -> None:
    next_year = date.today().year + 1
    assert cells.read_year(str(next_year)) == next_year
    for bad in ("1999", str(next_year + 1)):
        with pytest.raises(CellError):
            cells.read_year(bad)


@pytest.mark.parametrize(
    ("raw", "expected"), [("第一轮", 1), ("第1轮", 1), ("1", 1), (1, 1), ("第十二轮", 12), ("第二十轮", 20), ("3轮", 3)]
)
def test_read_round(raw: object, expected: int) -> None:
    assert cells.read_round(raw) == expected


@pytest.mark.parametrize("raw", ["第零轮", "0", "first", "第一百轮"])
def test_read_round_refuses(raw: str) -> None:
    with pytest.raises(CellError):
        cells.read_round(raw)


@pytest.mark.parametrize("raw", ["是", "有", "Y", "y", "yes", "YES", "true", "True", "1", "√", True])
def test_read_bool_yes(raw: object) -> None:
    assert cells.read_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "无", "N", "no", "false", "0", "×", False])
def test_read_bool_no(raw: object) -> None:
    assert cells.read_bool(raw) is False


def test_read_bool_refuses_other_text() -> None:
    with pytest.raises(CellError):
        cells.read_bool("也许")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("旗舰店", "flagship"), ("flagship", "flagship"), ("Specialty", "specialty"), ("共营店 ", "shared")],
)
def test_read_choice(raw: str, expected: str) -> None:
    assert cells.read_choice(raw, TIERS) == expected


def test_read_choice_lists_the_labels() -> None:
    with pytest.raises(CellError) as info:
        cells.read_choice("专项", FUND_TYPES)
    assert info.value.params["choices"] == "改革试点专项、青少年发展专项"
    assert cells.read_choice("youth_development", FUND_TYPES) == "youth_development"


TOWNS = ("罗塘街道", "三水街道", "张甸镇", "张甸乡")


@pytest.mark.parametrize(
    ("raw", "expected"), [("罗塘街道", "罗塘街道"), ("罗塘", "罗塘街道"), (" 三水 ", "三水街道"), ("团区委", "团区委")]
)
def test_read_township(raw: str, expected: str) -> None:
    assert cells.read_township(raw, TOWNS, "团区委") == expected


def test_read_township_refuses_ambiguous_and_unknown_listing_valid_names() -> None:
    for raw in ("张甸", "北京"):
        with pytest.raises(CellError) as info:
            cells.read_township(raw, TOWNS, "团区委")
        assert info.value.code == "unknown_township"
        assert "罗塘街道" in info.value.params["choices"]
        assert "团区委" in info.value.params["choices"]


def test_read_city() -> None:
    cities = ("上海", "南京")
    assert cells.read_city("上海市", cities) == "上海"
    assert cells.read_city("南京", cities) == "南京"
    with pytest.raises(CellError):
        cells.read_city("北京", cities)


def test_read_text_keeps_formulas_as_text_and_limits_length() -> None:
    assert cells.read_text("=SUM(A1:A3)") == "=SUM(A1:A3)"
    assert cells.read_text("<b>x</b>") == "<b>x</b>"
    with pytest.raises(CellError) as info:
        cells.read_text("x" * 101, 100)
    assert info.value.params == {"max_length": 100}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("合计", True), ("合 计", True), ("总计", True), ("小计", True), ("合计人数", False), ("罗塘", False)],
)
def test_totals_label(raw: str, expected: bool) -> None:
    assert cells.is_totals_label(raw) is expected


# ---------------------------------------------------------------- shortcuts that must equal the full rule
def _every_character() -> list[str]:
    return [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_blank_by_strip_equals_blank_after_nfkc_for_every_character() -> None:
    """is_blank strips without normalising: no character may become a space under NFKC (or stop being one)."""
    differ = [c for c in _every_character() if (unicodedata.normalize("NFKC", c).strip() == "") != (c.strip() == "")]
    assert differ == []
    assert cells.is_blank(" \u3000\u00a0\t") and not cells.is_blank("\u3000合计")


def test_totals_hint_holds_every_character_that_can_spell_a_totals_word() -> None:
    """Text without a hint character is not normalised at all, so the hint must miss nothing."""
    needed = [c for c in _every_character() if {"计", "t"} & set(unicodedata.normalize("NFKC", c).lower())]
    assert [c for c in needed if not cells._TOTALS_HINT.fullmatch(c)] == []
    assert cells.is_totals_label("ＴＯＴＡＬ") and cells.is_totals_label("合 计") and cells.is_totals_label("Subtotal")
    assert not cells.is_totals_label("合作社") and not cells.is_totals_label("小学")
