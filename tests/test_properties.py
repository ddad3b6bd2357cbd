"""Property-based tests: the number, amount, date and period readers read back what was written."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reform.ingest import cells

FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["plain", "commas", "spaces", "full"]))
def test_integers_in_every_written_form(n: int, form: str) -> None:
    text = {
        "plain": str(n),
        "commas": f"{n:,}",
        "spaces": f"{n:,}".replace(",", " "),
        "full": f"{n:,}".translate(FULL_WIDTH),
    }[form]
    assert cells.read_integer(text, 0) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_amounts_in_yuan_and_wan(yuan: int, fen: int) -> None:
    amount = Decimal(yuan) + Decimal(fen) / 100
    assert cells.read_amount(f"{amount}") == amount
    assert cells.read_amount(f"¥{yuan:,}") == yuan
    assert cells.read_amount(f"{Decimal(yuan) / 10000}万") == yuan


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date.today()),
    st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日"]),
)
def test_dates_in_every_written_form(day: date, pattern: str) -> None:
    assert cells.read_date(pattern.format(y=day.year, m=day.month, d=day.day)) == day


@given(
    st.integers(min_value=2000, max_value=date.today().year),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=12),
)
def test_periods_read_back_their_label(year: int, quarter: int, month: int) -> None:
    q = cells.read_period(f"{year}年第{'一二三四'[quarter - 1]}季度")
    assert cells.read_period(q.label) == q and q.start == date(year, 3 * quarter - 2, 1)
    m = cells.read_period(f"{year}年{month}月")
    assert cells.read_period(m.label) == m and m.start <= m.end and m.end.month == month
    assert cells.read_period(f"{year}年") == cells.read_period(str(year))


@given(st.text(max_size=30))
def test_readers_never_fail_other_than_with_a_cell_error(text: str) -> None:
    for reader in (
        cells.read_integer,
        cells.read_amount,
        cells.read_date,
        cells.read_period,
        cells.read_year,
        cells.read_round,
        cells.read_bool,
    ):
        with contextlib.suppress(cells.CellError):
            reader(text)
