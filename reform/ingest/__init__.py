"""The one way in for data: read a township file, normalise it, check it, report.

``validate`` is the dry run the contract asks for; ``reform.store.Store.commit``
stores a report that is ``ok``. Nothing here writes anything.
"""

from __future__ import annotations

import logging
from typing import Any

from reform import checks, fingerprint, readahead
from reform.config import Config
from reform.datasets import DATASETS, Dataset
from reform.ingest.header import HEADER_SEARCH_ROWS, find_header, nearest, recognise
from reform.ingest.readers import FileError, read_file
from reform.ingest.report import ERROR, Problem, Progress, Report
from reform.ingest.validate import validate_sheet

__all__ = ["Problem", "Report", "content_hash", "validate"]
_log = logging.getLogger(__name__)


def content_hash(data: bytes) -> str:
    """The file's identity: the same bytes uploaded twice are the same upload (the command line's
    read-ahead has it ready for the file it read)."""
    return readahead.digest(data) or fingerprint.of(data)


def _sheet_names(dataset: Dataset | None) -> tuple[str, ...]:
    chosen = [dataset] if dataset else list(DATASETS.values())
    return tuple(name for d in chosen for name in (d.name, d.zh))


def validate(
    data: bytes,
    file_name: str,
    config: Config,
    dataset: str | Dataset | None = None,
    progress: Progress = None,
    store: Any = None,
    digest: str | None = None,
) -> Report:
    """Read and check a file; the report says what a commit would store.

    ``progress(share)``, when given, is told how far the dry run has come (for a progress bar).
    ``store``: where the district's check rules find last period's figures (``reform.checks``);
    without it, rules comparing with last period judge nothing.
    ``digest``: ``content_hash(data)`` when the caller has it already (the upload page keys its dry
    run on it): a large file is not hashed twice.
    """
    tell = progress or (lambda _share: None)
    tell(0.02)
    report = Report(file_name=file_name, content_hash=digest or content_hash(data))
    chosen = DATASETS[dataset] if isinstance(dataset, str) else dataset
    if len(data) > config.max_file_mb * 1024 * 1024:
        report.add(ERROR, "file_too_large", megabytes=config.max_file_mb)
        return report
    try:
        sheet = read_file(data, file_name, _sheet_names(chosen), config.limits)
    except FileError as exc:
        report.add(ERROR, exc.code, exc.params.get("line"), **exc.params)
        return report
    except Exception as exc:  # no file may end in a traceback: a reader's surprise is a refusal that names it
        _log.exception("reading %s failed", file_name)
        report.add(ERROR, "unreadable", reason=type(exc).__name__)
        return report
    tell(0.35)
    report.encoding = sheet.encoding
    match = _header(sheet, chosen, report)
    if match is None:
        return report
    tell(0.4)
    try:
        validate_sheet(sheet, match, config, report, progress)
        checks.run(report, config, store)
    except Exception as exc:  # a check that trips over a cell refuses the file; it never takes the page down
        _log.exception("checking %s failed", file_name)
        report.frame = None
        report.add(ERROR, "unreadable", reason=type(exc).__name__)
    return report


def _header(sheet: Any, chosen: Dataset | None, report: Report) -> Any:
    """The header row and the dataset it names (the one chosen, or recognised from the headers); None,
    with the report's error, when there is none — naming the closest dataset and what its header lacks."""
    head = sheet.head(HEADER_SEARCH_ROWS + 1)  # a two-row header may end one row below the search
    if chosen is not None:
        match = find_header(head, chosen)
        if match is None:
            report.dataset = chosen.name
            columns = "、".join(c.zh for c in chosen.required)
            report.add(ERROR, "header_not_found", dataset=chosen.zh, columns=columns)
        return match
    matches = recognise(head)
    if len(matches) == 1:
        return matches[0]
    close = None if matches else nearest(head, sheet.sheet_name)
    if close is None:
        names = "、".join(m.dataset.zh for m in matches)
        report.add(ERROR, "dataset_ambiguous" if matches else "dataset_unknown", names=names)
        return None
    report.add(  # the closest dataset, named, with what its header lacks and what it does not know
        ERROR,
        "dataset_nearest",
        dataset=close.dataset.zh,
        dataset_en=close.dataset.en,
        missing="、".join(close.missing) or "—",
        unknown="、".join(close.unknown) or "—",
    )
    return None
