"""A throwaway extension for tests (issue 12): one dataset and one KPI, declared through the registries.

Loaded with ``REFORM_PLUGINS=tests.plugins.throwaway``. Everything below is what a new dataset
and a new KPI cost: this one file, a target (and a reporting duty) in ``config.yaml``.
"""

from __future__ import annotations

from metrics import register_kpi
from metrics.base import Kpi, Measure, Query, Scope, in_list
from reform import i18n
from reform.config import Config
from reform.datasets import INTEGER, TOWNSHIP, YEAR, Column, Dataset, register

TRAININGS = register(
    Dataset(
        "trainings",
        "团校培训",
        "League-school trainings",
        (
            Column("township", "镇街", "Township", TOWNSHIP, doc="a configured township", doc_zh="本区的镇街名称"),
            Column("year", "年度", "Year", YEAR, doc="year", doc_zh="年度"),
            Column(
                "sessions", "培训场次", "Sessions", INTEGER, minimum=0, doc="training sessions held", doc_zh="培训场次"
            ),
        ),
        key=("township", "year"),
        slice=("township", "year"),
        doc="one row per township and year",
        doc_zh="每个镇街每年一行",
        grain="year",
        time_column="year",
        example={"township": "罗塘街道", "year": 2025, "sessions": 4},
    )
)


def training_sessions(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Training sessions held in the scope's last year, summed over its townships."""
    units, params = in_list(scope.units(cfg))
    total = q.scalar(
        f"SELECT sum(sessions) FROM current_trainings WHERE year = ? AND township IN {units}",
        [scope.last_year, *params],
    )
    return Measure(None if total is None else float(total), as_of=str(scope.last_year) if total is not None else None)


register_kpi("pathways", Kpi("training_sessions", "pathways", "count", training_sessions, "training_sessions"))
i18n.MESSAGES["kpi.training_sessions"] = ("团校培训场次", "League-school training sessions")
