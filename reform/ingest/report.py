"""What a dry run tells the uploader: counts, and every problem with row and column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reform import i18n

ERROR, WARNING, SOFT = "error", "warning", "explain"  # SOFT: a soft check rule, needs an explanation
Progress = Callable[[float], None] | None  # told the share of a long task done so far (0.0 to 1.0)


@dataclass(frozen=True)
class Problem:
    """One problem: the row as the user sees it, the column's code name, the value, a message."""

    severity: str
    code: str
    row: int | None = None
    column: str | None = None
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = i18n.DEFAULT) -> str:
        params = dict(self.params)
        if lang == "en" and self.column and "label" in params:
            params["label"] = self.column  # English users see the code name of the column
        return i18n.t(f"problem.{self.code}", lang, **params)

    def to_dict(self, lang: str = i18n.DEFAULT) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message(lang)}


@dataclass
class Report:
    """The result of reading and checking one file (the dry run)."""

    file_name: str
    content_hash: str
    dataset: str | None = None
    rows_read: int = 0
    rows_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    frame: pd.DataFrame | None = None  # the rows that would be stored (normalised)
    header_row: int | None = None
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # column code name -> the clerk's own header text

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def to_explain(self) -> list[Problem]:
        """Rows breaking a soft check rule: stored only with an explanation (``needs_explanation``)."""
        return [p for p in self.problems if p.severity == SOFT]

    def needs_explanation(self) -> dict[str, list[Problem]]:
        """The soft rules this file breaks, each with its rows: one explanation per rule is asked."""
        found: dict[str, list[Problem]] = {}
        for problem in self.to_explain:
            found.setdefault(str(problem.params.get("rule")), []).append(problem)
        return found

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not self.errors

    @property
    def rows_valid(self) -> int:
        return 0 if self.frame is None else len(self.frame)

    def add(
        self,
        severity: str,
        code: str,
        row: int | None = None,
        column: str | None = None,
        value: Any = "",
        **params: Any,
    ) -> None:
        text = "" if value is None else str(value)
        self.problems.append(Problem(severity, code, row, column, text[:200], params))

    def to_dict(self, lang: str = i18n.DEFAULT) -> dict[str, Any]:
        """The contract's JSON shape of a dry run."""
        return {
            "dataset": self.dataset,
            "ok": self.ok,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_skipped": self.rows_skipped,
            "errors": [p.to_dict(lang) for p in self.errors],
            "warnings": [p.to_dict(lang) for p in self.warnings + self.to_explain],  # soft rules: in warnings
        }

    def problems_frame(self, lang: str = i18n.DEFAULT) -> pd.DataFrame:
        """Problems as a table for the upload page (severity, row, column, value, message)."""
        rows = [{"severity": i18n.t(f"severity.{p.severity}", lang), **p.to_dict(lang)} for p in self.problems]
        frame = pd.DataFrame(rows, columns=["severity", "row", "column", "value", "message"])
        # a problem of the whole file (or of a whole row) has no row or column: an empty cell, never "None"
        return frame.astype({"row": object, "column": object}).where(frame.notna(), "")
