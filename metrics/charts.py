"""Plotly figure builders shared by the areas: one look for every chart.

Large Chinese type that reads on a projector, the League's red, RAG colours that
mean the same everywhere, and a dashed target line wherever a target exists.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from reform import i18n

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
RED, GREY, BLUE, GOLD = "#C8102E", "#9AA0A6", "#1F5FAD", "#E0A100"
RAG = {"green": "#2E8B57", "amber": "#E0A100", "red": "#C8102E", "none": "#9AA0A6", "info": "#1F5FAD"}
SERIES = (RED, BLUE, GOLD, "#2E8B57", "#7B4FA0", "#0E9AA7", "#F26B38", GREY)


def layout(fig: go.Figure, title: str, *, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 18}},
        font={"family": FONT, "size": 14, "color": "#1F2329"},
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "y": -0.18, "x": 0},
        colorway=list(SERIES),
        separators=".,",
    )
    return fig


def empty(title: str, lang: str) -> go.Figure:
    """A figure that says there is no data, rather than an empty axis."""
    fig = go.Figure()
    fig.add_annotation(text=i18n.t("chart.no_data", lang), showarrow=False, font={"size": 16, "color": GREY})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title, height=300, legend=False)


def target_line(fig: go.Figure, value: float | None, lang: str, *, horizontal: bool = True) -> go.Figure:
    if value is None:
        return fig
    label = f"{i18n.t('chart.target', lang)} {value:g}"
    if horizontal:
        fig.add_hline(y=value, line_dash="dash", line_color=RED, annotation_text=label, annotation_position="top left")
    else:
        fig.add_vline(x=value, line_dash="dash", line_color=RED, annotation_text=label, annotation_position="top right")
    return fig


def status_colours(
    values: Sequence[float | None], target: float | None, amber: float | None, *, at_most: bool = False
) -> list[str]:
    """Bar colours by RAG status against the target (grey where there is no figure)."""
    colours = []
    for v in values:
        if v is None or pd.isna(v) or target is None:
            colours.append(RAG["none"])
        elif (v <= target) if at_most else (v >= target - 1e-9):
            colours.append(RAG["green"])
        elif amber is not None and ((v <= amber) if at_most else (v >= amber - 1e-9)):
            colours.append(RAG["amber"])
        else:
            colours.append(RAG["red"])
    return colours


def township_bars(
    frame: pd.DataFrame,
    value: str,
    title: str,
    lang: str,
    *,
    target: float | None = None,
    amber: float | None = None,
    at_most: bool = False,
    text_format: str = "{:g}",
    axis_title: str | None = None,
) -> go.Figure:
    """One bar per township coloured by status, sorted so the laggards stand out, with the target."""
    if frame.empty:
        return empty(title, lang)
    data = frame.sort_values(value, ascending=not at_most, na_position="first")
    values = [None if pd.isna(v) else float(v) for v in data[value]]
    fig = go.Figure(
        go.Bar(
            x=data["township"],
            y=values,
            marker_color=status_colours(values, target, amber, at_most=at_most),
            text=[text_format.format(v) if v is not None else "—" for v in values],
            textposition="outside",
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_yaxes(title=axis_title or "", rangemode="tozero")
    fig.update_xaxes(title="", tickangle=-45)
    return layout(target_line(fig, target, lang), title, legend=False)


def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    series: dict[str, str],
    title: str,
    *,
    stacked: bool = False,
    axis_title: str = "",
    colours: Sequence[str] = SERIES,
) -> go.Figure:
    """Bars of several series (column -> legend label) side by side or stacked."""
    fig = go.Figure()
    for i, (column, name) in enumerate(series.items()):
        fig.add_bar(
            x=frame[x],
            y=frame[column],
            name=name,
            marker_color=colours[i % len(colours)],
            text=frame[column],
            textposition="auto",
        )
    fig.update_layout(barmode="stack" if stacked else "group")
    fig.update_yaxes(title=axis_title, rangemode="tozero")
    fig.update_xaxes(title="", type="category")
    return layout(fig, title)


def trend(
    frame: pd.DataFrame,
    x: str,
    series: dict[str, str],
    title: str,
    lang: str,
    *,
    target: float | None = None,
    axis_title: str = "",
    reported: dict[str, tuple[int, int]] | None = None,
) -> go.Figure:
    """Lines over periods, with the target. A period not every reporter has reported yet
    (``reported``: period -> (reported, expected)) is drawn dotted with hollow markers and labelled
    "n/N 已报", so that a dip made by missing reports is never read as a fall."""
    if frame.empty:
        return empty(title, lang)
    fig = go.Figure()
    labels = frame[x].astype(str)
    partial = {p: f for p, f in (reported or {}).items() if f[0] < f[1]}
    done = ~labels.isin(list(partial))
    for i, (column, name) in enumerate(series.items()):
        colour = SERIES[i % len(SERIES)]
        fig.add_scatter(
            x=labels[done], y=frame[column][done], name=name, mode="lines+markers", line={"color": colour, "width": 3}
        )
        if partial:  # the "n/N 已报" labels once, on the first series
            _partial_line(fig, (labels, frame[column], done), colour, name, partial, lang, labelled=i == 0)
    fig.update_yaxes(title=axis_title, rangemode="tozero")
    fig.update_xaxes(title="", type="category")
    return layout(target_line(fig, target, lang), title)


def _partial_line(
    fig: go.Figure,
    points: tuple[pd.Series, pd.Series, pd.Series],
    colour: str,
    name: str,
    partial: dict[str, tuple[int, int]],
    lang: str,
    labelled: bool,
) -> None:
    """The unfinished periods of one series: dotted from its last finished point, hollow, labelled."""
    labels, values, done = points
    keep = ~done
    last_done = done[done].index.max() if done.any() else None
    if last_done is not None:
        keep = keep | (labels.index == last_done)
    text = [
        i18n.t("chart.reported", lang, n=partial[p][0], total=partial[p][1]) if labelled and p in partial else ""
        for p in labels
    ]
    fig.add_scatter(
        x=labels[keep],
        y=values[keep],
        name=i18n.t("chart.unfinished", lang, name=name),
        mode="lines+markers+text",
        text=[t for t, k in zip(text, keep, strict=True) if k],
        textposition="top center",
        line={"color": colour, "width": 2, "dash": "dot"},
        marker={"symbol": "circle-open", "size": 10, "color": colour},
    )


def donut(
    labels: Sequence[str], values: Sequence[float], title: str, colours: Sequence[str] | None = None
) -> go.Figure:
    fig = go.Figure(
        go.Pie(
            labels=list(labels),
            values=list(values),
            hole=0.5,
            marker={"colors": list(colours or SERIES)},
            sort=False,
            textinfo="label+value",
        )
    )
    return layout(fig, title)
