"""A property of the review workflow: for any sequence of uploads, submissions, returns, approvals and
reopenings, every figure a leader can see equals the figure computed from approved slices alone.

Store A runs the workflow with review on (tests/fixtures/small, three townships). Store B is the oracle:
the same fixture with review off, into which only what was approved is written (a slice's latest
approved upload; a slice never approved keeps what it held before it entered review). The leaders'
views of A and B must agree on the overview, the league table, every area's tables and summaries, every
township's profile, the slides (presentation mode and the big screen build them), the digest and
``kpis --json`` — only the data version, which counts batches, may differ.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from metrics import AREA_MODULES, overview, profile, slides, summary
from reform import actions, audience, auth, cli, ingest, review
from reform.config import Config
from reform.notify import messages
from reform.presentation import Showing
from reform.review import ReviewError, Step
from reform.store import Store
from tests.conftest import SMALL, load_small
from ui import present

TODAY = date(2026, 12, 7)
REVIEWER = auth.User("reviewer", "district", None)
CLERKS = {"甲镇": auth.User("jia", "township", "甲镇"), "乙镇": auth.User("yi", "township", "乙镇")}
# (dataset, township, period): the slices the workflow plays with; 2025 funding and 2025-Q2 staffing have rows already
SLICES = [
    ("staffing", "甲镇", "2025-Q2"),
    ("staffing", "乙镇", "2025-Q3"),
    ("funding", "甲镇", "2025"),
    ("funding", "乙镇", "2025"),
]
STEPS = ("upload", "submit", "return", "approve", "reopen")


def _file(dataset: str, town: str, period: str, value: int) -> str:
    if dataset == "staffing":
        return (
            "镇街,统计期,岗位类型,核定数,在岗数\n"
            f"{town},{period},专职团干部,3,{value % 4}\n{town},{period},青年助力官,1,{value % 2}\n"
        )
    return f"镇街,年度,经费类型,金额（元）\n{town},{period},青少年发展专项,{1000 + 250 * value}\n"


def _key(dataset: str, town: str, period: str) -> str:
    column = "period" if dataset == "staffing" else "year"
    shown = f'"{period}"' if dataset == "staffing" else period
    return f'{{"township":"{town}","{column}":{shown}}}'


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, small_cfg: Config) -> Path:
    path = tmp_path_factory.mktemp("property") / "base.duckdb"
    load_small(Store(path), small_cfg)
    return path


def _commit(store: Store, cfg: Config, text: str, user: auth.User | None = None) -> int | None:
    report = ingest.validate(text.encode(), "报表.csv", cfg)
    assert report.ok, [p.to_dict() for p in report.errors]
    if user is None:
        return store.commit(report, "oracle").batch_id
    return actions.upload(store, cfg, user, report).batch_id


def _play(store: Store, cfg: Config, plan: list[tuple[str, int, int]]) -> dict[int, str]:
    """Run the workflow on A; the model: each slice's approved file (what leaders must see)."""
    latest: dict[int, str] = {}
    approved: dict[int, str] = {}
    for step, index, value in plan:
        dataset, town, period = SLICES[index]
        key = _key(dataset, town, period)
        try:
            if step == "upload":
                text = _file(dataset, town, period, value)
                _commit(store, cfg, text, CLERKS[town])
                latest[index] = text
            elif step == "submit":
                review.take(store, cfg, CLERKS[town], [Step(dataset, key, "submit")])
            elif step in ("return", "reopen"):
                review.take(store, cfg, REVIEWER, [Step(dataset, key, step)], reason="请核对")
            else:
                review.take(store, cfg, REVIEWER, [Step(dataset, key, "approve")])
                approved[index] = latest[index]
        except (actions.RefusedError, ReviewError):
            continue  # a step the workflow refuses (a locked slice, a wrong state) changes nothing
    return approved


def _kpis_json(config: Path) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["--config", str(config), "kpis", "--json"]) == 0
    data = json.loads(out.getvalue())
    del data["data_version"], data["review_version"], data["approved_only"]
    return data


def _config_file(folder: Path, db: Path, review_on: bool) -> Path:
    data = yaml.safe_load((SMALL / "config.yaml").read_text(encoding="utf-8"))
    data["review"] = {"required": review_on}
    data["storage"]["database"] = str(db)
    data["storage"]["sample_dir"] = str(SMALL)
    path = folder / f"config-{review_on}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _unversioned(text: str) -> str:
    """A footer or digest as compared: the version (it counts batches) and the words that say review is on
    (未报或待审核: the oracle store has it off; the counts must agree) left out."""
    return re.sub(r"(数据版本|data version) \d+", r"\1 N", text).replace("未报或待审核", "未报")


def _seen(store: Store, cfg: Config, leaders: audience.Audience) -> dict[str, object]:
    """Everything a leader sees, as plain values (the data version left out)."""
    view = leaders.view
    with view.reading(store) as q:
        results = overview.kpis(q, cfg, view.scope)
        tables = {name: module.tables(q, cfg, view.scope) for name, module in AREA_MODULES.items()}
        league = overview.league_table(q, cfg, view.scope)
        profiles = [profile.profile(q, cfg, view.scope, t) for t in cfg.township_names]
    deck = slides.build(store, cfg, view, "zh", day=TODAY)
    notify = replace(cfg.notify, leaders_channel="leaders", digest_weekday=TODAY.isoweekday())
    digest = messages.digest(store, replace(cfg, notify=notify), {r.key: r for r in results}, TODAY)
    return _plain(
        {
            "years": (view.scope.first_year, view.scope.last_year),
            "kpis": [r.to_dict() for r in results],
            "coverage": [r.display_coverage() for r in results],
            "league": league.to_dict("list"),
            "tables": {a: {n: f.to_dict("list") for n, f in t.items()} for a, t in tables.items()},
            "summaries": {a: summary.sentences(a, results, tables[a], cfg) for a in AREA_MODULES},
            "profiles": [(p.rank, p.met, p.indicators.to_dict("list"), p.trend.to_dict("list")) for p in profiles],
            "slides": [
                (s.key, s.title, s.summary, [k.to_dict() for k in s.kpis], _frame(s.table), _unversioned(s.footnote))
                for s in deck.slides
            ],
            "digest": [_unversioned(m.text) for m in digest],
        }
    )


def _plain(value: object) -> object:
    """Values compared as a reader sees them: every kind of empty (None, NaN, pandas' NA) alike."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value


def _frame(frame: pd.DataFrame | None) -> object:
    return None if frame is None else frame.to_dict("list")


plans = st.lists(
    st.tuples(st.sampled_from(STEPS), st.integers(0, len(SLICES) - 1), st.integers(0, 7)), min_size=1, max_size=12
)


EVERY_STEP = [  # one plan that surely takes every step: approve, return and correct, reopen and re-upload
    ("upload", 0, 1),
    ("submit", 0, 0),
    ("approve", 0, 0),
    ("upload", 1, 2),
    ("submit", 1, 0),
    ("return", 1, 0),
    ("upload", 1, 3),
    ("submit", 1, 0),
    ("upload", 2, 5),
    ("submit", 2, 0),
    ("approve", 2, 0),
    ("reopen", 2, 0),
    ("upload", 2, 6),
    ("upload", 3, 7),
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(plan=EVERY_STEP)
@given(plan=plans)
def test_leaders_see_exactly_the_approved_slices(base: Path, small_cfg: Config, plan: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        a_path, b_path = root / "a.duckdb", root / "b.duckdb"
        shutil.copy(base, a_path)
        shutil.copy(base, b_path)
        a, b = Store(a_path), Store(b_path)
        cfg_a = replace(small_cfg.with_database(a_path), review_required=True)
        cfg_b = small_cfg.with_database(b_path)
        for text in _play(a, cfg_a, plan).values():
            _commit(b, cfg_b, text)
        leaders_a = audience.decide(a, cfg_a, None, today=TODAY)
        assert leaders_a.view.published
        seen_a = _seen(a, cfg_a, leaders_a)
        seen_b = _seen(b, cfg_b, audience.decide(b, cfg_b, None, today=TODAY))
        for part in seen_a:
            assert seen_a[part] == seen_b[part], part
        assert _kpis_json(_config_file(root, a_path, True)) == _kpis_json(_config_file(root, b_path, False))
        # the big screen and presentation mode decide their audience from the link: a leader's link
        showing = Showing("boss", "", "screen", 0, (), "zh", 2024, 2025, (), 2**40, published=True)
        screen = present.audience(cfg_a, a, showing).view
        assert screen == replace(
            leaders_a.view.within(2024, 2025), scope=replace(screen.scope, today=screen.scope.today)
        )
        assert screen.published and screen.review == a.review_version()
