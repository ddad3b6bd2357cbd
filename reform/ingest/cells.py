"""Read one cell as the contract allows: numbers, amounts, dates, periods, names.

Each reader takes what a township clerk typed (or what Excel stored) and returns
the canonical value, or raises ``CellError`` with a message code and the values
the message needs. Readers are pure and small so each can be tested on its own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any


class CellError(ValueError):
    """A cell that cannot be read; ``code`` names the message in reform.i18n."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u3000]+")


def clean(value: Any) -> str:
    """Text of a cell with full-width forms folded (NFKC) and outer spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: Any) -> bool:
    """Empty or only spaces. For text, ``strip`` alone decides: NFKC never turns a non-space
    into a space (tests/test_cells.py checks every code point), and this runs per distinct value."""
    if isinstance(value, str):
        return not value.strip()
    return clean(value) == ""


def _compact(value: Any) -> str:
    return _SPACES.sub("", clean(value))


# ---------------------------------------------------------------- numbers
MAX_NUMBER = 10**12  # no count or amount of a district comes near; a larger one is a typing slip
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _decimal(text: str, code: str) -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise CellError(code)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise CellError(code) from exc


def _numeric_text(value: Any) -> str:
    """Text of a number with thousands separators and spaces taken out."""
    return _compact(value).replace(",", "").replace("，", "")


def read_integer(value: Any, minimum: int | None = None) -> int:
    """``1,234``, ``1 234``, ``１２３４`` or an Excel number; ``12.0`` is 12, ``12.5`` is an error."""
    if isinstance(value, bool):
        raise CellError("not_integer")
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = _numeric_text(value)
        number = _decimal(text, "not_integer")
    if abs(number) > MAX_NUMBER:
        raise CellError("too_large", maximum=f"{MAX_NUMBER:,}")
    if number != number.to_integral_value():
        raise CellError("fraction")
    result = int(number)
    if minimum is not None and result < minimum:
        raise CellError("below_minimum", minimum=minimum)
    return result


_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_CURRENCY = re.compile(r"^(¥|￥|rmb|cny)|(元|rmb|cny)$", re.IGNORECASE)


def read_amount(value: Any, minimum: int | None = 0) -> Decimal:
    """Yuan: ``250000``, ``25万``, ``25万元``, ``2.5万``, ``¥250,000``; at most two decimals."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = _numeric_text(value)
        text = _CURRENCY.sub("", text)  # a ¥ prefix and a 元 suffix, in one pass
        scale = Decimal(1)
        if text[-1:] in _MULTIPLIERS:
            scale, text = _MULTIPLIERS[text[-1]], text[:-1]
        number = _decimal(text, "not_amount") * scale
    if abs(number) > MAX_NUMBER:
        raise CellError("too_large", maximum=f"{MAX_NUMBER:,}")
    if number != number.quantize(Decimal("0.01")):
        raise CellError("too_many_decimals")
    if minimum is not None and number < minimum:
        raise CellError("below_minimum", minimum=minimum)
    return number.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- dates and periods
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """``1``, ``一``, ``十``, ``十二``, ``二十一`` … up to 99; None when it is not one."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
)
_AMBIGUOUS_DATE = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_TIME_SUFFIX = re.compile(r"[ T]0{1,2}:00(:00(\.0+)?)?$")


def read_date(value: Any) -> date:
    """``2022-03-15``, ``2022/3/15``, ``2022.3.15``, ``2022年3月15日`` or an Excel date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _TIME_SUFFIX.sub("", clean(value)).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise CellError("no_such_date") from exc
    if _AMBIGUOUS_DATE.fullmatch(text):
        raise CellError("ambiguous_date")
    raise CellError("not_date")


@dataclass(frozen=True, order=True)
class Period:
    """A canonical reporting period: its first day and its kind (year, quarter, month)."""

    start: date
    kind: str

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def end(self) -> date:
        months = {"year": 12, "quarter": 3, "month": 1}[self.kind]
        month = self.start.month + months
        year = self.start.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1) - timedelta(days=1)


_PERIOD_YEAR = re.compile(r"(\d{4})年?(度)?")
_PERIOD_QUARTER = (
    re.compile(r"(\d{4})[-\s]?Q([1-4])", re.IGNORECASE),
    re.compile(r"(\d{4})年?第?([1-4一二三四])季度?"),
)
_PERIOD_MONTH = (
    re.compile(r"(\d{4})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月份?"),
)


def _check_year(year: int) -> int:
    if not 2000 <= year <= date.today().year + 1:
        raise CellError("year_out_of_range", low=2000, high=date.today().year + 1)
    return year


def read_period(value: Any) -> Period:
    """A year, quarter or month in any of the contract's forms."""
    if isinstance(value, datetime | date):  # Excel turns a typed "2022-03" into the date 2022-03-01
        day = value.date() if isinstance(value, datetime) else value
        if day.day != 1:
            raise CellError("not_period")
        return Period(date(_check_year(day.year), day.month, 1), "month")
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = _compact(value)
    match = _PERIOD_YEAR.fullmatch(text)
    if match:
        return Period(date(_check_year(int(match.group(1))), 1, 1), "year")
    for pattern in _PERIOD_QUARTER:
        match = pattern.fullmatch(text)
        if match:
            quarter = chinese_number(match.group(2)) or 0
            return Period(date(_check_year(int(match.group(1))), 3 * quarter - 2, 1), "quarter")
    for pattern in _PERIOD_MONTH:
        match = pattern.fullmatch(text)
        if match:
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise CellError("not_period")
            return Period(date(_check_year(int(match.group(1))), month, 1), "month")
    raise CellError("not_period")


def read_year(value: Any) -> int:
    """``2022`` or ``2022年``, from 2000 to next year."""
    text = _compact(value).removesuffix("年度").removesuffix("年")
    try:
        year = read_integer(text)
    except CellError as exc:
        raise CellError("not_year") from exc
    return _check_year(year)


_ROUND = re.compile(r"第?([0-9一二三四五六七八九十两]+)轮?")


def read_round(value: Any) -> int:
    """``第一轮``, ``第1轮`` or ``1`` all mean round 1."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    match = _ROUND.fullmatch(_compact(value))
    number = chinese_number(match.group(1)) if match else None
    if not number:
        raise CellError("not_round")
    return number


# ---------------------------------------------------------------- yes/no, choices, names
_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "✗", "✘", "x"}


def read_bool(value: Any) -> bool:
    """``是/否``, ``有/无``, ``Y/N``, ``yes/no``, ``true/false``, ``1/0``, ``√/×``."""
    if isinstance(value, bool):
        return value
    text = _compact(value).lower()
    if text.endswith(".0"):
        text = text[:-2]
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError("not_bool")


def _key(text: Any) -> str:
    return _compact(text).lower().replace("_", "").replace("-", "")


def read_choice(value: Any, choices: tuple[tuple[str, str], ...]) -> str:
    """An enumeration: the Chinese label or the English code."""
    wanted = _key(value)
    for code, label in choices:
        if wanted in (_key(code), _key(label)):
            return code
    raise CellError("not_choice", choices="、".join(label for _, label in choices))


_TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def _strip_suffix(name: str) -> str:
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def read_township(value: Any, townships: tuple[str, ...], committee: str) -> str:
    """A configured township, ``团区委``, or a township without its suffix when unique."""
    text = _compact(value)
    names = (*townships, committee)
    if text in names:
        return text
    bare = _strip_suffix(text)
    matches = [n for n in townships if _strip_suffix(n) == bare]
    if len(matches) == 1:
        return matches[0]
    raise CellError("unknown_township", choices="、".join(names))


def read_city(value: Any, cities: tuple[str, ...]) -> str:
    """A configured city; ``上海市`` is ``上海``."""
    text = _compact(value)
    for candidate in (text, text.removesuffix("市")):
        if candidate in cities:
            return candidate
    raise CellError("unknown_city", choices="、".join(cities))


def read_text(value: Any, max_length: int = 100) -> str:
    """Free text, kept as typed (a formula stays text); at most ``max_length`` characters."""
    if isinstance(value, float) and value.is_integer():  # Excel stores a typed 123 as 123.0
        value = int(value)
    text = str(value).strip() if value is not None else ""
    text = text.replace("\x00", "")
    if len(text) > max_length:
        raise CellError("too_long", max_length=max_length)
    return text


# Every character ``str.strip()`` removes (``str.isspace()``; tests/test_cells.py checks the list against
# every code point), as an RE2 class: Arrow finds the cells that have one at either end without Python.
PY_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
_SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_SPACES) + "]"
EDGE_OR_NUL_RE2 = f"^{_SPACE_CLASS}|{_SPACE_CLASS}$|\\x{{0}}"  # text that strip() or read_text would change

TOTALS_WORDS = ("合计", "总计", "小计", "total", "subtotal")
# Every character whose NFKC form holds 计 or t (each totals word has one): text without
# any of them cannot be a totals label, and most cells are rejected without normalising.
_TOTALS_HINT = re.compile(
    "[Tt计\u1d40\u1d57\u209c\u2121\u2122\u24af\u24c9\u24e3\u3250\u32cf\u3394\u33cf\ufb05\ufb06"
    "\uff34\uff54\U0001d413\U0001d42d\U0001d447\U0001d461\U0001d47b\U0001d495\U0001d4af\U0001d4c9"
    "\U0001d4e3\U0001d4fd\U0001d517\U0001d531\U0001d54b\U0001d565\U0001d57f\U0001d599\U0001d5b3"
    "\U0001d5cd\U0001d5e7\U0001d601\U0001d61b\U0001d635\U0001d64f\U0001d669\U0001d683\U0001d69d"
    "\U0001f123\U0001f143]"
)
TOTALS_HINT_RE2 = _TOTALS_HINT.pattern  # the same class for Arrow's RE2 (its characters are literal)


def is_totals_label(value: Any) -> bool:
    """A totals row starts with 合计, 总计 or 小计 (spaces such as ``合 计`` ignored), or total/subtotal."""
    if isinstance(value, str) and not _TOTALS_HINT.search(value):
        return False
    return _compact(value).lower() in TOTALS_WORDS
