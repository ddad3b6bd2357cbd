"""Plotly figure builders shared by the areas: one look for every chart.

The product's chart style, in one place so that every page, slide and pack agrees:

- townships are compared on **horizontal bars**, laggards on top, names whole (never rotated);
- a category keeps **its colour in every chart** (``PALETTE``, overridable in ``config.yaml`` → palette);
- counts get **integer axes**; money is shown in **万元** (``WAN``);
- two measures of different size go on **separate axes** (``two_measures``) or **small multiples**;
- a target is a dashed line **labelled above the plot**, clear of bars and value labels;
- an empty chart, or one where every value is 0, **says so in words** instead of drawing empty rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics.base import wan
from reform import i18n

__all__ = ["wan"]  # money in 万元, re-exported for the figure builders

FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Source Han Sans SC, sans-serif"
RED, GREY, BLUE, GOLD = "#C8102E", "#9AA0A6", "#1F5FAD", "#E0A100"
RAG = {"green": "#2E8B57", "amber": "#E0A100", "red": "#C8102E", "none": "#9AA0A6", "info": "#1F5FAD"}
SERIES = (RED, BLUE, GOLD, "#2E8B57", "#7B4FA0", "#0E9AA7", "#F26B38", GREY)
WAN = 10_000  # 1 万元
BAR_PX = 28  # height of one township's row in a horizontal bar chart
PALETTE: dict[str, str] = {  # category -> colour, the same in every chart (config.yaml palette overrides)
    "flagship": GOLD,  # 青年之家：旗舰店
    "specialty": RED,  # 专营店
    "shared": BLUE,  # 共营店
    "full_time_cadre": RED,  # 专职团干部
    "youth_assistant_officer": BLUE,  # 青年助力官
    "planned": GREY,  # 计划
    "admitted": RED,  # 实际
    "activities": RED,  # 活动场次
    "participants": BLUE,  # 服务人次
    "members": RED,  # 会员人数
    "events": BLUE,  # 活动场次（联谊会）
    "covered": RED,  # 已建立
    "not_covered": GREY,  # 未建立
    "with_school": RAG["green"],  # 已建分校
    "without_school": GREY,  # 未建分校
    "done": RAG["green"],  # 整改：已完成
    "in_progress": RAG["amber"],  # 整改中
    "not_started": RAG["red"],  # 未开始
    "new_units": RED,  # 巡察：本轮新增
    "cumulative": BLUE,  # 累计
    "amount": RED,  # 金额
}


def colour(key: str, palette: Mapping[str, str] | None = None, index: int | None = None) -> str:
    """A category's colour: the configured one, else the product's default, else the ``index``-th
    series colour (categories without a fixed colour, such as unit types), else grey."""
    fixed = (palette or {}).get(key) or PALETTE.get(key)
    if fixed:
        return fixed
    return SERIES[index % len(SERIES)] if index is not None else GREY


def layout(fig: go.Figure, title: str, *, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 18}},
        font={"family": FONT, "size": 14, "color": "#1F2329"},
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 24, "t": 70, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top"},
        colorway=list(SERIES),
        separators=".,",
        uniformtext={"minsize": 11, "mode": "show"},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def empty(title: str, lang: str, key: str = "chart.no_data", **params: object) -> go.Figure:
    """A figure that says in words why there is nothing to draw, rather than an empty axis."""
    fig = go.Figure()
    fig.add_annotation(text=i18n.t(key, lang, **params), showarrow=False, font={"size": 18, "color": "#6B7280"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title, height=300, legend=False)


def integer_axis(fig: go.Figure, axis: str, top: float | None, **where: int) -> go.Figure:
    """Whole-number ticks for counts (people, homes, events): never 0.5 of a person.
    ``where``: ``row``/``col`` of one panel of small multiples."""
    step = 1 if top is None or pd.isna(top) or top <= 8 else None
    update = {"tickformat": ",d", "rangemode": "tozero", **({"dtick": step} if step else {})}
    if top is not None and not pd.isna(top) and top <= 0:
        update["range"] = [0, 1]  # all zero: a 0..1 axis rather than plotly's -1..4
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**update, **where)
    return fig


def target_line(fig: go.Figure, value: float | None, lang: str, *, vertical: bool = False, text: str = "") -> go.Figure:
    """A dashed target line, its label outside the plot area so it never sits on a bar or a value.

    ``vertical``: the target is an x value (horizontal bars); otherwise a y value (lines, columns).
    """
    if value is None:
        return fig
    label = f"{i18n.t('chart.target', lang)} {text or f'{value:g}'}"
    line = {"dash": "dash", "color": RED, "width": 2}
    if vertical:
        fig.add_vline(x=value, line=line)
        fig.add_annotation(
            x=value, xref="x", y=1, yref="paper", yanchor="bottom", text=label, showarrow=False, font={"color": RED}
        )
    else:
        fig.add_hline(y=value, line=line)
        fig.add_annotation(
            x=1, xref="paper", xanchor="left", y=value, yref="y", text=label, showarrow=False, font={"color": RED}
        )
        fig.update_layout(margin={"r": 90})
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


def bars_height(rows: int) -> int:
    """A horizontal bar chart tall enough that every township's name and value have a line of their own."""
    return max(300, rows * BAR_PX + 150)


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
    counts: bool = False,
) -> go.Figure:
    """One horizontal bar per township coloured by status, laggards on top, with the target."""
    if frame.empty:
        return empty(title, lang)
    data = frame.sort_values(value, ascending=not at_most, na_position="first")
    values = [None if pd.isna(v) else float(v) for v in data[value]]
    fig = go.Figure(
        go.Bar(
            y=list(data["township"]),
            x=values,
            orientation="h",
            marker_color=status_colours(values, target, amber, at_most=at_most),
            text=[text_format.format(v) if v is not None else i18n.t("chart.not_reported", lang) for v in values],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_xaxes(title=axis_title or "", rangemode="tozero")
    fig.update_yaxes(title="", autorange="reversed", type="category")
    for town, v in zip(data["township"], values, strict=True):  # a township without a figure is named: 未报
        if v is None:
            fig.add_annotation(
                x=0,
                y=town,
                text=i18n.t("chart.not_reported", lang),
                showarrow=False,
                xanchor="left",
                font={"color": GREY},
            )
    known = [v for v in values if v is not None]
    if known and all(v == 0 for v in known):  # nothing to draw: say it rather than show empty rows
        return empty(title, lang, "chart.all_zero", n=len(known))
    if counts:
        integer_axis(fig, "x", max([*known, target or 0], default=None))
    if target is not None:
        target_line(fig, target, lang, vertical=True, text=text_format.format(target))
    return layout(fig, title, height=bars_height(len(data)), legend=False)


def township_groups(
    frame: pd.DataFrame,
    series: Mapping[str, str],
    title: str,
    lang: str,
    *,
    palette: Mapping[str, str] | None = None,
    stacked: bool = False,
    axis_title: str = "",
    target: float | None = None,
) -> go.Figure:
    """Several counts per township (column -> legend label) on horizontal bars, side by side or
    stacked, the townships with the smallest total on top; each series in its category's colour."""
    if frame.empty:
        return empty(title, lang)
    columns = list(series)
    data = frame.assign(_total=frame[columns].fillna(0).sum(axis=1)).sort_values("_total", kind="stable")
    fig = go.Figure()
    for column, name in series.items():
        fig.add_bar(
            y=list(data["township"]),
            x=data[column].fillna(0),
            name=name,
            orientation="h",
            marker_color=colour(column, palette),
            text=data[column].fillna(0).map(lambda v: f"{v:,.0f}"),
            textposition="inside" if stacked else "outside",
            textangle=0,
            cliponaxis=False,
        )
    fig.update_layout(barmode="stack" if stacked else "group", legend_traceorder="normal")
    fig.update_xaxes(title=axis_title)
    fig.update_yaxes(title="", autorange="reversed", type="category")
    top = data["_total"].max() if stacked else data[columns].max().max()
    if float(top or 0) == 0:
        return empty(title, lang, "chart.all_zero", n=len(data))
    integer_axis(fig, "x", max(float(top or 0), target or 0))
    target_line(fig, target, lang, vertical=True)
    return layout(fig, title, height=bars_height(len(data) if stacked else len(data) * 3 // 2))


def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    series: Mapping[str, str],
    title: str,
    *,
    palette: Mapping[str, str] | None = None,
    stacked: bool = False,
    axis_title: str = "",
    counts: bool = True,
) -> go.Figure:
    """Columns of several series (column -> legend label) over years or rounds, side by side or
    stacked; labels upright, each series in its category's colour."""
    fig = go.Figure()
    for column, name in series.items():
        fig.add_bar(
            x=frame[x].astype(str),
            y=frame[column],
            name=name,
            marker_color=colour(column, palette),
            text=frame[column].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}"),
            textposition="inside" if stacked else "outside",
            textangle=0,
            cliponaxis=False,
        )
    fig.update_layout(barmode="stack" if stacked else "group")
    fig.update_yaxes(title=axis_title, rangemode="tozero")
    fig.update_xaxes(title="", type="category")
    if counts and not frame.empty:
        top = frame[list(series)].fillna(0)
        integer_axis(fig, "y", float((top.sum(axis=1) if stacked else top.max(axis=1)).max()))
    return layout(fig, title)


def two_measures(
    frame: pd.DataFrame,
    x: str,
    first: tuple[str, str],
    second: tuple[str, str],
    title: str,
    lang: str,
    *,
    palette: Mapping[str, str] | None = None,
) -> go.Figure:
    """Two measures of different size over time (columns -> labels): the first as columns on the
    left axis, the second as a line on its own right axis, so neither flattens the other."""
    if frame.empty:
        return empty(title, lang)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    labels = frame[x].astype(str)
    (a, a_name), (b, b_name) = first, second
    fig.add_bar(
        x=labels,
        y=frame[a],
        name=a_name,
        marker_color=colour(a, palette),
        text=frame[a].map(lambda v: f"{v:,.0f}"),
        textposition="outside",
        cliponaxis=False,
        secondary_y=False,
    )
    fig.add_scatter(
        x=labels,
        y=frame[b],
        name=b_name,
        mode="lines+markers",
        line={"color": colour(b, palette), "width": 3},
        secondary_y=True,
    )
    fig.update_xaxes(title="", type="category")
    fig.update_yaxes(title=a_name, secondary_y=False, tickformat=",d", rangemode="tozero")
    fig.update_yaxes(title=b_name, secondary_y=True, tickformat=",d", rangemode="tozero", showgrid=False)
    return layout(fig, title)


def small_multiples(
    frame: pd.DataFrame,
    category: str,
    measures: Sequence[tuple[str, str]],
    title: str,
    lang: str,
    *,
    colours: Sequence[str] | None = None,
) -> go.Figure:
    """One horizontal bar panel per measure (column, label), side by side with the categories in
    common: measures of different size each get their own scale. ``colours``: one per row."""
    if frame.empty:
        return empty(title, lang)
    fig = make_subplots(
        rows=1, cols=len(measures), shared_yaxes=True, subplot_titles=[m[1] for m in measures], horizontal_spacing=0.08
    )
    for i, (column, _name) in enumerate(measures, start=1):
        values = frame[column].fillna(0)
        fig.add_bar(
            y=list(frame[category]),
            x=values,
            orientation="h",
            marker_color=list(colours) if colours is not None else colour(column),
            text=values.map(lambda v: f"{v:,.0f}"),
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            showlegend=False,
            row=1,
            col=i,
        )
        integer_axis(fig, "x", float(values.max()), row=1, col=i)
    fig.update_yaxes(autorange="reversed", type="category")
    return layout(fig, title, height=bars_height(len(frame)), legend=False)


def trend(
    frame: pd.DataFrame,
    x: str,
    series: Mapping[str, str],
    title: str,
    lang: str,
    *,
    target: float | None = None,
    axis_title: str = "",
    reported: dict[str, tuple[int, int]] | None = None,
    palette: Mapping[str, str] | None = None,
    counts: bool = False,
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
        line_colour = colour(column, palette, i)
        fig.add_scatter(
            x=labels[done],
            y=frame[column][done],
            name=name,
            mode="lines+markers",
            line={"color": line_colour, "width": 3},
        )
        if partial:  # the "n/N 已报" labels once, on the first series
            _partial_line(fig, (labels, frame[column], done), line_colour, name, partial, lang, labelled=i == 0)
    fig.update_yaxes(title=axis_title, rangemode="tozero")
    fig.update_xaxes(title="", type="category", nticks=8, tickangle=0)  # 20 quarters: every few, upright
    top = float(frame[list(series)].max().max())
    if counts:
        integer_axis(fig, "y", top)
    if partial and top > 0:  # room above the highest line for its "n/N 已报" label
        fig.update_yaxes(range=[0, top * 1.18])
    return layout(target_line(fig, target, lang), title)


def _partial_line(
    fig: go.Figure,
    points: tuple[pd.Series, pd.Series, pd.Series],
    line_colour: str,
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
    shown = [t for t, k in zip(text, keep, strict=True) if k]
    # neighbouring unfinished periods ("16/17 已报", "1/17 已报") take turns below and above their points,
    # the newest above
    where = ["top center" if i % 2 == 0 else "bottom center" for i in range(len(shown))][::-1]
    fig.add_scatter(
        x=labels[keep],
        y=values[keep],
        name=i18n.t("chart.unfinished", lang, name=name),
        mode="lines+markers+text",
        text=shown,
        textposition=where,
        line={"color": line_colour, "width": 2, "dash": "dot"},
        marker={"symbol": "circle-open", "size": 10, "color": line_colour},
    )


def donut(
    categories: Mapping[str, str],
    values: Sequence[float],
    title: str,
    lang: str,
    *,
    palette: Mapping[str, str] | None = None,
) -> go.Figure:
    """Shares of a whole (category code -> label), each slice in its category's colour."""
    if not sum(values):
        return empty(title, lang)
    fig = go.Figure(
        go.Pie(
            labels=list(categories.values()),
            values=list(values),
            hole=0.5,
            marker={"colors": [colour(c, palette, i) for i, c in enumerate(categories)]},
            sort=False,
            textinfo="label+value",
            textfont={"size": 15},
        )
    )
    return layout(fig, title)


def township_tiles(
    frame: pd.DataFrame, title: str, legend: Mapping[str, str], lang: str, *, height: int = 560
) -> go.Figure:
    """The district map as tiles (township, row, col, colour, text): one square per township,
    coloured by status, its name and figure inside; ``legend``: colour -> its meaning.
    Each tile's centre is a selectable point carrying the township's name (customdata)."""
    if frame.empty:
        return empty(title, lang)
    fig = go.Figure()
    shapes = [  # one list, set once: plotly's add_shape copies every shape so far on each call
        {
            "type": "rect",
            "x0": row.col + 0.04,
            "x1": row.col + 0.96,
            "y0": -row.row - 0.96,
            "y1": -row.row - 0.04,
            "fillcolor": row.colour,
            "line": {"color": "white", "width": 2},
            "layer": "below",
        }
        for row in frame.itertuples(index=False)
    ]
    fig.update_layout(shapes=shapes)
    fig.add_scatter(
        x=frame["col"] + 0.5,
        y=-frame["row"] - 0.5,
        mode="markers+text",
        text=frame["text"],
        textfont={"color": "white", "size": 14},
        marker={"size": 40, "opacity": 0, "symbol": "square"},
        customdata=frame[["township"]],
        hovertemplate="%{customdata[0]}<extra></extra>",
        showlegend=False,
    )
    for colour_value, meaning in legend.items():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": colour_value},
            name=meaning,
        )
    fig.update_xaxes(visible=False, range=[-0.05, frame["col"].max() + 1.05], fixedrange=True)
    fig.update_yaxes(
        visible=False, range=[-frame["row"].max() - 1.05, 0.05], scaleanchor="x", scaleratio=1, fixedrange=True
    )
    fig.update_layout(dragmode=False, clickmode="event+select")
    return layout(fig, title, height=height)
