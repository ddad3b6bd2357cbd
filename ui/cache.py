"""Cached metric results, keyed on the view they are shown in (``reform.audience.View``).

A view holds the data version (it changes with every commit), the review version whose approved
figures leaders see (it changes with every review step), the years and the townships: two readers
with the same view share the same figures, and an upload or an approval makes every page recompute.
Results are DataFrames and dataclasses; each computation opens its own DuckDB connection.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import AREA_MODULES, freshness, overview, profile, slides, summary, tiles
from metrics import completeness as completeness_metric
from metrics.base import KpiResult, Scope
from metrics.profile import Profile
from metrics.slides import Deck
from reform import history as reform_history
from reform import review
from reform.audience import View
from reform.config import Config
from reform.store import Store


@st.cache_resource(show_spinner=False)
def config(source: str | None, database_override: str | None = None) -> Config:
    """The checked configuration (frozen, so one object serves every thread).

    ``database_override`` is the ``REFORM_DB`` value: part of the cache key only. Checked against
    every declared dataset, area and KPI (``metrics.semantic``): the app does not start on a problem.
    """
    from metrics import semantic

    return semantic.load_checked(source)


@st.cache_data(show_spinner=False, max_entries=16)
def data_years(db_path: str, view: View) -> tuple[int, int]:
    """The years the data a view shows covers (the sidebar's range): approved data only for leaders."""
    with view.reading(Store(db_path)) as q:
        return overview.data_years(q)


@st.cache_data(show_spinner=False, max_entries=64)
def scorecard(db_path: str, config_source: str, view: View) -> list[KpiResult]:
    with view.reading(Store(db_path)) as q:
        return overview.kpis(q, config(config_source), view.scope)


@st.cache_data(show_spinner=False, max_entries=32)
def overdue_line(db_path: str, config_source: str, view: View, lang: str) -> str:
    """The reports past their deadline that the view's data does not hold, in words (keyed on the view:
    its day is part of it); a province has thousands: built once, not on every rerun."""
    cfg = config(config_source)
    with view.reading(Store(db_path)) as q:
        late = freshness.overdue(q, cfg, view.scope.today or cfg.today())
    return freshness.overdue_line(late, lang, review=view.published)


@st.cache_data(show_spinner=False, max_entries=32)
def red_black(db_path: str, config_source: str, view: View) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 红黑榜's two lists (whole ties) of the view's league table."""
    return overview.red_black(league_table(db_path, config_source, view))


@st.cache_data(show_spinner=False, max_entries=64)
def league_table(db_path: str, config_source: str, view: View) -> pd.DataFrame:
    with view.reading(Store(db_path)) as q:
        return overview.league_table(q, config(config_source), view.scope)


@st.cache_data(show_spinner=False, max_entries=64)
def township_profile(db_path: str, config_source: str, view: View, township: str, lang: str) -> Profile:
    with view.reading(Store(db_path)) as q:
        return profile.profile(q, config(config_source), view.scope, township, lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def district_map(db_path: str, config_source: str, view: View, kpi: str, lang: str) -> go.Figure:
    """The tile map coloured by one KPI (shared between sessions, never changed in place)."""
    table = league_table(db_path, config_source, view)
    return tiles.status_map(table, config(config_source), kpi, lang)


@st.cache_data(show_spinner=False, max_entries=128)
def area_tables(area: str, db_path: str, config_source: str, view: View) -> dict[str, pd.DataFrame]:
    with view.reading(Store(db_path)) as q:
        return AREA_MODULES[area].tables(q, config(config_source), view.scope)


@st.cache_resource(show_spinner=False, max_entries=64)
def area_figures(area: str, db_path: str, config_source: str, view: View, lang: str) -> dict[str, go.Figure]:
    """An area's charts, built once per view and language (~0.1 s each with plotly's checks).

    Shared between sessions as objects (not copies): callers only hand them to ``st.plotly_chart``,
    which reads them. Never change a figure from here in place.
    """
    data = area_tables(area, db_path, config_source, view)
    return AREA_MODULES[area].figures(data, config(config_source), lang)


@st.cache_data(show_spinner=False, max_entries=64)
def area_summary(area: str, db_path: str, config_source: str, view: View, lang: str) -> list[str]:
    """An area's written summary (it walks the area's tables: a province's are large)."""
    data = area_tables(area, db_path, config_source, view)
    results = scorecard(db_path, config_source, view)
    return summary.sentences(area, results, data, config(config_source), lang)


@st.cache_data(show_spinner=False, max_entries=64)
def unit_states(db_path: str, review_version: int, unit: str) -> pd.DataFrame:
    """One township's slices under review (keyed on the review version: it changes with every step)."""
    return review.unit_states(Store(db_path), unit)


@st.cache_data(show_spinner=False, max_entries=16)
def batches(db_path: str, version: int) -> pd.DataFrame:
    return Store(db_path).batches()


@st.cache_data(show_spinner=False, max_entries=16)
def sample_share(db_path: str, version: int) -> float:
    return Store(db_path).sample_share()


@st.cache_data(show_spinner=False, max_entries=16)
def history(db_path: str, version: int, scope: tuple[tuple[str, tuple[str, ...] | None], ...] = ()) -> pd.DataFrame:
    """Batches as the viewer may see them; ``scope`` is ``auth.history_scope`` as a hashable tuple."""
    units = {d: None if u is None else set(u) for d, u in scope} if scope else None
    return reform_history.batches(Store(db_path), units)


@st.cache_data(show_spinner=False, max_entries=64)
def batch_slices(db_path: str, version: int, batch_id: int, units: tuple[str, ...] | None = None) -> pd.DataFrame:
    return reform_history.batch_slices(Store(db_path), batch_id, None if units is None else set(units))


@st.cache_data(show_spinner=False, max_entries=32)
def completeness(db_path: str, version: tuple[int, int], config_source: str, scope: Scope, today: str) -> pd.DataFrame:
    """Keyed on the data and review versions (a return makes a report owed again) and on the day (a report
    becomes overdue without any upload)."""
    with Store(db_path).reader() as q:
        return completeness_metric.matrix(q, config(config_source), scope, date.fromisoformat(today))


@st.cache_data(show_spinner=False, max_entries=32)
def completeness_view(
    db_path: str, version: tuple[int, int], config_source: str, scope: Scope, today: str, lang: str
) -> tuple[dict[str, int], pd.DataFrame, str]:
    """The completeness page's counts, missing list and reminder text, once per version, day and language."""
    frame = completeness(db_path, version, config_source, scope, today)
    day = date.fromisoformat(today)
    missing = completeness_metric.missing(frame, day)
    reminder = completeness_metric.reminder(frame, config(config_source), day, lang=lang)
    return completeness_metric.summary(frame), missing, reminder


@st.cache_data(show_spinner=False, max_entries=32)
def status_matrix(
    db_path: str,
    version: tuple[int, int],
    config_source: str,
    scope: Scope,
    today: str,
    dataset: str,
    labels: dict[str, str],
) -> pd.DataFrame:
    """The completeness matrix of one dataset, labelled (a province's is 1,200 × 20: built once, not per rerun)."""
    cfg = config(config_source)
    frame = completeness(db_path, version, config_source, scope, today)
    table = completeness_metric.wide(frame, dataset, [*cfg.township_names, cfg.committee])
    return table.apply(lambda column: column.map(labels)).fillna("")


@st.cache_data(show_spinner=False, max_entries=8)
def deck(db_path: str, config_source: str, view: View, lang: str, keys: tuple[str, ...]) -> Deck:
    """The meeting deck of a frozen view (keyed on it, so later uploads leave it as it was)."""
    return slides.build(Store(db_path), config(config_source), view, lang, keys)
