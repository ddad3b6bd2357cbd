"""The command line: ``python -m reform validate|ingest|kpis|sample`` (see DATA-CONTRACT.md)."""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import sys
from pathlib import Path
from typing import Any

from reform import actions, auth, clock, i18n, ingest, plugins, province, readahead, sample, slices
from reform import config as config_module
from reform.auth import AuthError
from reform.config import Config, ConfigError
from reform.datasets import DATASETS
from reform.store import NothingToDoError, Store


class CliError(Exception):
    """A misuse or refusal the command line answers with this message and exit 1."""


class Parser(argparse.ArgumentParser):
    """argparse that ends a misuse with exit 1 (the contract's code for every misuse), not 2."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    """A count given on the command line: a whole number above 0."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a whole number of at least 1")
    return value


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _print_report(report: ingest.Report, lang: str) -> None:
    data = report.to_dict(lang)
    print(
        f"{report.file_name}: dataset={data['dataset']} ok={data['ok']} rows_read={data['rows_read']} "
        f"rows_valid={data['rows_valid']} rows_skipped={data['rows_skipped']}"
    )
    for kind in ("errors", "warnings"):
        for p in data[kind]:
            where = f"row {p['row']}" if p["row"] else "file"
            column = f", {p['column']}" if p["column"] else ""
            print(f"  {kind[:-1]}: {where}{column}: {p['message']} [{p['value']}]")


def _validate(args: argparse.Namespace, cfg: Config) -> tuple[ingest.Report, int]:
    path = Path(args.file)
    try:
        data = readahead.data(path) or path.read_bytes()  # read once: the read-ahead's bytes when it has them
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    report = ingest.validate(data, path.name, cfg, args.dataset, store=Store(cfg.database))
    return report, 0 if report.ok else 1


def _explanations(given: list[str] | None, report: ingest.Report) -> dict[str, str]:
    """``--explain RULE=TEXT`` for one soft rule, or ``--explain TEXT`` for every rule that needs one."""
    needed = report.needs_explanation()
    found: dict[str, str] = {}
    for item in given or []:
        rule, sep, text = item.partition("=")
        if sep and rule.strip() in needed:
            found[rule.strip()] = text
        else:
            found |= {r: item for r in needed if r not in found}
    return found


def cmd_validate(args: argparse.Namespace, cfg: Config) -> int:
    report, code = _validate(args, cfg)
    _print_json(report.to_dict(args.lang)) if args.json else _print_report(report, args.lang)
    return code


def cmd_ingest(args: argparse.Namespace, cfg: Config) -> int:
    store = Store(cfg.database)
    if config_module.is_postgres(cfg.database):
        # PostgreSQL: this process's replica is built while the file is read and checked (the check
        # rules wait for it where they look at stored rows): a million rows are 0.3 s sooner done.
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="reform-init") as background:
            started = background.submit(store.init)
            report, code = _validate(args, cfg)
            started.result()
    else:
        store.init()
        report, code = _validate(args, cfg)
    actor = _actor(store, args)
    result = None
    if report.ok:
        try:
            result = actions.upload(store, cfg, actor, report, explanations=_explanations(args.explain, report))
        except actions.RefusedError as exc:
            raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
    if args.json:
        data = report.to_dict(args.lang)
        if result is not None:
            data |= {
                "batch_id": result.batch_id,
                "rows_stored": result.rows_stored,
                "rows_replaced": result.rows_replaced,
                "duplicate_of": result.duplicate_of,
            }
        _print_json(data)
        return code
    _print_report(report, args.lang)
    if result is not None and result.duplicate_of is not None:
        print(i18n.t("cli.duplicate", args.lang, batch=result.duplicate_of))
    elif result is not None:
        print(
            i18n.t(
                "cli.stored", args.lang, batch=result.batch_id, rows=result.rows_stored, replaced=result.rows_replaced
            )
        )
    return code


def _audience(args: argparse.Namespace, cfg: Config, store: Store, version: int | None = None) -> Any:
    """Who the figures of ``kpis`` and ``export`` are for: leaders (approved figures only, with review
    on), or with ``--pending`` a reviewer (``--as``; the operator at the machine is an administrator),
    the figures awaiting review included and marked."""
    from reform import audience

    viewer = _actor(store, args) if args.pending or getattr(args, "user", None) else None
    first, last = args.first_year, args.last_year
    if any(y is not None and not 1900 <= y <= 2200 for y in (first, last)) or (first and last and first > last):
        raise CliError(i18n.t("cli.bad_years", args.lang, first=first, last=last))
    try:
        found = audience.decide(store, cfg, viewer, pending=args.pending, version=version, frozen=version is not None)
    except audience.PendingNotAllowedError:
        raise CliError(i18n.t("cli.pending_refused", args.lang)) from None
    return found.within(args.first_year, args.last_year)


def cmd_kpis(args: argparse.Namespace, cfg: Config) -> int:
    from metrics import freshness, overview

    store = Store(cfg.database)
    store.init()
    seen = _audience(args, cfg, store)
    with seen.view.reading(store) as q:
        results = overview.kpis(q, cfg, seen.scope)
    if args.json:
        _print_json(
            {
                "data_version": seen.view.data_version,
                "review_version": seen.view.review,
                "approved_only": seen.view.published,
                "scope": seen.scope.to_dict(),
                "as_of": freshness.periods(results),
                "kpis": [r.to_dict() for r in results],
            }
        )
        return 0
    if cfg.review_required and not seen.view.published:
        print(i18n.t("meeting.pending", args.lang))
    for r in results:
        name = f"{i18n.t('area.' + r.area, args.lang)} | {i18n.t(r.label, args.lang)}"
        status = i18n.t("status." + r.status, args.lang)
        figure = f"{r.display(args.lang)} ({r.display_target(args.lang)}) [{status}]"
        print(f"{name}: {figure} · {r.display_coverage(args.lang)}")
    return 0


def _province_sample(args: argparse.Namespace, cfg: Config) -> int:
    """``--scale N``: write a generated configuration and its files; without --write, load them into --db."""
    database = Path(args.db) if args.db else None
    out_dir = Path(args.write) if args.write else (database or cfg.database).parent / f"province-{args.scale}"
    config_path, files, rows = province.write(cfg, args.scale, out_dir)
    print(i18n.t("cli.province_written", args.lang, config=config_path, files=len(files), rows=rows))
    if args.write:
        return 0
    scaled = config_module.load(config_path)
    store = Store(database or scaled.database)
    if store.data_version() > 0:
        print(i18n.t("cli.sample_skipped", args.lang))
        return 0
    loaded, stored = sample.load_files(store, scaled, {p.stem: p for p in files})
    print(i18n.t("cli.sample_loaded", args.lang, files=loaded, rows=stored))
    print(i18n.t("cli.province_use", args.lang, config=config_path, db=store.path))
    return 0


def cmd_sample(args: argparse.Namespace, cfg: Config) -> int:
    if args.remove:
        store = Store(cfg.database)
        store.init()
        try:
            done = actions.remove_sample(store, _actor(store, args))
        except actions.RefusedError as exc:
            raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
        rows = sum(r.rows_replaced for r in done)
        print(i18n.t("data.sample_removed", args.lang, batches=len(done), rows=rows))
        return 0
    if args.scale:
        return _province_sample(args, cfg)
    if args.write:
        for path in sample.write_files(cfg, Path(args.write)):
            print(path)
        return 0
    store = Store(cfg.database)
    store.init()
    if args.if_empty and store.data_version() > 0:
        print(i18n.t("cli.sample_skipped", args.lang))
        return 0
    if args.if_empty and not cfg.load_sample_when_empty:  # e.g. a province configuration (sample --scale)
        print(i18n.t("cli.sample_off", args.lang))
        return 0
    files, rows = sample.load(store, cfg)
    print(i18n.t("cli.sample_loaded", args.lang, files=files, rows=rows))
    return 0


def _account(store: Store, name: str) -> auth.User:
    """The existing, enabled account ``--as`` names."""
    try:
        return actions.account(store, name)
    except actions.RefusedError:
        raise CliError(f"--as {name}: no such enabled account (see: python -m reform user list)") from None


def _actor(store: Store, args: argparse.Namespace) -> auth.User:
    """Who acts: the account ``--as`` names (its role applies), else the operating-system user, recorded as such."""
    name = getattr(args, "user", None)
    return _account(store, name) if name else actions.operator()


def cmd_history(args: argparse.Namespace, cfg: Config) -> int:
    from reform import history

    store = Store(cfg.database)
    store.init()
    viewer = _account(store, args.user) if args.user else None
    scope = auth.history_scope(viewer, cfg) if viewer else None
    if args.batch is not None:
        try:
            dataset = history.dataset_of(store, args.batch)
        except KeyError as exc:
            raise CliError(str(exc.args[0])) from None
        units = scope[dataset.name] if scope else None
        if viewer is not None:
            batch_units = history.batches(store).set_index("batch_id").at[args.batch, "units"]
            if not auth.sees_batch(viewer, cfg, dataset.name, batch_units):
                raise CliError(f"no batch {args.batch}")  # as if it did not exist: nothing of it is theirs
        rows = history.batch_rows if args.rows else history.batch_slices
        frame = rows(store, args.batch, units)
    else:
        frame = history.batches(store, scope).drop(columns=["content_hash"])
        frame["uploaded_at"] = frame["uploaded_at"].map(lambda v: clock.shown(v, cfg.timezone))
        if viewer:
            keep = [auth.sees_batch(viewer, cfg, d, u) for d, u in zip(frame["dataset"], frame["units"], strict=True)]
            frame = frame[keep]
    if args.json:
        _print_json(frame.to_dict(orient="records"))
    else:
        print(frame.to_string(index=False))
    return 0


def _parse_slice(text: str | None, columns: tuple[str, ...]) -> list[dict[str, str]] | None:
    """``township=罗塘街道,period=2024`` -> [{"township": ..., "period": ...}]; each slice column once."""
    if not text:
        return None
    wanted = ",".join(f"{c}=…" for c in columns)
    values: dict[str, str] = {}
    for part in text.split(","):
        key, equals, value = part.partition("=")
        key = key.strip()
        if not equals or not value.strip() or key not in columns or key in values:
            raise CliError(f"--slice {text!r}: expected {wanted} (this batch's slices are {', '.join(columns)})")
        values[key] = value.strip()
    if set(values) != set(columns):
        raise CliError(
            f"--slice {text!r}: expected {wanted} (missing: {', '.join(c for c in columns if c not in values)})"
        )
    return [values]


def cmd_restore(args: argparse.Namespace, cfg: Config) -> int:
    from reform import history

    if args.command == "restore" and args.source:
        return cmd_backup(args, cfg)
    if args.batch is None:
        raise CliError("restore needs a batch number or --from DIR")
    store = Store(cfg.database)
    store.init()
    try:
        actor = _actor(store, args)
        if args.command == "rollback":
            result = actions.rollback(store, actor, args.batch)
        else:
            dataset = history.dataset_of(store, args.batch)
            result = actions.restore(store, actor, args.batch, _parse_slice(args.slice, dataset.slice))
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    except actions.RefusedError as exc:
        raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
    except NothingToDoError as exc:
        raise CliError(str(exc)) from None
    print(
        i18n.t("cli.stored", args.lang, batch=result.batch_id, rows=result.rows_stored, replaced=result.rows_replaced)
    )
    return 0


def cmd_template(args: argparse.Namespace, cfg: Config) -> int:
    from reform import templates

    data = templates.csv(args.dataset) if args.out.endswith(".csv") else templates.xlsx(args.dataset, cfg)
    Path(args.out).write_bytes(data)
    print(args.out)
    return 0


def cmd_export(args: argparse.Namespace, cfg: Config) -> int:
    import time

    from metrics import slides
    from reform.export import deck as deck_export
    from reform.export.images import ExportError

    store = Store(cfg.database)
    store.init()
    seen = _audience(args, cfg, store, version=args.version or store.data_version())
    version = seen.view.data_version
    started = time.perf_counter()
    deck = slides.build(store, cfg, seen.view, args.lang)
    try:
        data = deck_export.write(deck, args.format, args.lang)
    except ExportError as exc:
        print(i18n.t("meeting.no_browser", args.lang, detail=exc), file=sys.stderr)
        return 3
    Path(args.out).write_bytes(data)
    try:
        actions.exported(store, _actor(store, args), args.format, f"version {version}, {len(deck.slides)} slides")
    except actions.RefusedError as exc:
        Path(args.out).unlink(missing_ok=True)
        raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
    seconds = f"{time.perf_counter() - started:.1f}"
    print(
        i18n.t("meeting.built", args.lang, format=args.format.upper(), slides=len(deck.slides), seconds=seconds)
        + f": {args.out}"
    )
    return 0


def _read_password(prompt: str) -> str:
    """Twice from standard input (a script) or a hidden prompt (a person); never from the command line."""
    if sys.stdin.isatty():
        import getpass

        first, second = getpass.getpass(f"{prompt}: "), getpass.getpass(f"{prompt} (again): ")
    else:
        lines = sys.stdin.read().splitlines()
        first, second = [*lines, "", ""][:2]
    if first != second:
        raise AuthError("mismatch")
    return first


def cmd_user(args: argparse.Namespace, cfg: Config) -> int:

    store = Store(cfg.database)
    store.init()
    actor = actions.operator()
    try:
        if args.user_command == "list":
            frame = auth.users(store)
            _print_json(frame.to_dict(orient="records")) if args.json else print(frame.to_string(index=False))
            return 0
        if args.user_command == "add":
            password = _read_password("password")
            actions.add_user(store, cfg, actor, args.name, args.role, password, args.township)
        elif args.user_command == "passwd":
            actions.set_password(store, actor, args.name, _read_password("new password"), cfg.password)
        elif args.user_command == "unlock":
            actions.unlock(store, actor, args.name)
        elif args.user_command == "reset-code":
            actions.reset_second_factor(store, actor, args.name)
        elif args.user_command == "split":
            for account, role, password in actions.split_admin(store, cfg, actor, args.name):
                print(
                    i18n.t(
                        "users.split_made",
                        args.lang,
                        name=account,
                        role=i18n.t(f"role.{role}", args.lang),
                        password=password,
                    )
                )
            print(i18n.t("users.split_done", args.lang, name=args.name))
            return 0
        else:
            actions.set_disabled(store, actor, args.name, args.user_command == "disable")
    except AuthError as exc:
        raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
    print(i18n.t("users.done", args.lang, name=args.name))
    return 0


def cmd_audit(args: argparse.Namespace, cfg: Config) -> int:
    if args.verify:
        return _verify_audit(args, cfg)
    if args.archive or args.verify_archive:
        return _archive(args, cfg)
    frame = auth.audit_log(Store(cfg.database), args.limit)
    frame["logged_at"] = frame["logged_at"].map(lambda v: clock.shown(v, cfg.timezone))  # stored UTC
    if args.json:
        _print_json(frame.to_dict(orient="records"))
    else:
        print(frame.to_string(index=False))
    return 0


def _verify_audit(args: argparse.Namespace, cfg: Config) -> int:
    """``audit --verify``: 0 when every line's seal holds, 1 naming each line where it does not."""
    verdict = auth.verify_audit(Store(cfg.database))
    shown = clock.shown(verdict.last_at, cfg.timezone)
    if args.json:
        _print_json(
            {
                "ok": verdict.ok,
                "checked": verdict.checked,
                "first": verdict.first,
                "last": verdict.last,
                "last_at": shown,
                "algorithms": verdict.algorithms,
                "anchor": verdict.anchor,
                "breaks": [{"id": b.line_id, "problem": b.problem, "logged_at": b.logged_at} for b in verdict.breaks],
            }
        )
    else:
        lang = args.lang
        print(
            i18n.t(
                "audit.verify.summary",
                lang,
                checked=verdict.checked,
                first=verdict.first or "-",
                last=verdict.last or "-",
                at=shown or "-",
                algorithms="、".join(verdict.algorithms) or "-",
            )
        )
        for found in verdict.breaks:
            print(i18n.t(f"audit.verify.{found.problem}", lang, id=found.line_id))
        print(i18n.t("audit.verify.ok" if verdict.ok else "audit.verify.failed", lang, count=len(verdict.breaks)))
    return 0 if verdict.ok else 1


def _archive(args: argparse.Namespace, cfg: Config) -> int:
    """``audit --archive DIR --before DATE``: lines older than 180 days into a signed file, then out of
    the store; ``audit --verify-archive FILE``: an archive checked whole."""
    from datetime import date

    from reform import auditarchive

    store = Store(cfg.database)
    try:
        if args.verify_archive:
            done = auditarchive.verify(Path(args.verify_archive), store.secret())
        else:
            if not args.before:
                raise CliError(i18n.t("cli.archive_before", args.lang))
            try:
                before = date.fromisoformat(args.before)
            except ValueError:
                raise CliError(i18n.t("cli.archive_before", args.lang)) from None
            actor = _actor(store, args)
            done = actions.archive_audit(store, cfg, actor, Path(args.archive), before)
    except (auditarchive.ArchiveError, actions.RefusedError) as exc:
        raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
    print(
        i18n.t(
            "audit.archived" if args.archive else "audit.archive_ok",
            args.lang,
            lines=done.lines,
            first=done.first,
            last=done.last,
            path=str(done.path),
        )
    )
    return 0


def cmd_compliance(args: argparse.Namespace, cfg: Config) -> int:
    """``compliance``: the 等级保护 self-check; 0 when nothing applicable fails."""
    from reform import compliance

    findings = compliance.check(cfg, Store(cfg.database), args.level)
    lang = args.lang
    if args.json:
        _print_json(
            {
                "level": args.level,
                "passed": compliance.passed(findings),
                "findings": [
                    {
                        "key": f.key,
                        "clause": f.clause,
                        "level": f.level,
                        "requirement": i18n.t(f"compliance.{f.key}", lang),
                        "status": f.status,
                        "evidence": [compliance.words(e, lang) for e in f.evidence],
                        "todo": i18n.t(f.todo, lang) if f.todo else "",
                    }
                    for f in findings
                ],
            }
        )
    else:
        print(i18n.t("compliance.title", lang, level=args.level))
        for f in findings:
            print(f"[{i18n.t(f'compliance.status.{f.status}', lang)}] {f.clause} {i18n.t(f'compliance.{f.key}', lang)}")
            for evidence in f.evidence:
                print(f"    · {compliance.words(evidence, lang)}")
            if f.todo:
                print(f"    → {i18n.t(f.todo, lang)}")
        counts = {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "n/a")}
        print(
            i18n.t(
                "compliance.summary",
                lang,
                total=len(findings),
                passed=counts["pass"],
                failed=counts["fail"],
                na=counts["n/a"],
            )
        )
    return 0 if compliance.passed(findings) else 1


def cmd_backup(args: argparse.Namespace, cfg: Config) -> int:
    from reform import backup

    try:
        key = Path(args.key) if args.key else None
        if args.command == "backup":
            manifest = backup.backup(Store(cfg.database), Path(args.out), key)
        else:
            manifest = backup.restore(Path(args.source), cfg.database, key)
    except backup.BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {entry['rows']}" for name, entry in manifest["tables"].items())
    print(f"{args.command}: data version {manifest['data_version']}; rows: {counts}")
    return 0


def cmd_repair(args: argparse.Namespace, cfg: Config) -> int:
    """Rows of a shared PostgreSQL database that a server cannot take: listed, or moved aside."""
    from reform import pgstore

    store = Store(cfg.database)
    if not isinstance(store, pgstore.PgStore):
        raise CliError(i18n.t("cli.repair_duckdb", args.lang))
    actor = _actor(store, args) if args.move else None
    found = pgstore.repair(store.url, actor.name if actor else None, args.move)
    if args.json:
        _print_json([{"table": r.table, "row": r.row, "problem": r.problem, "moved": args.move} for r in found])
    elif not found:
        print(i18n.t("cli.repair_none", args.lang))
    for row in [] if args.json else found:
        print(pgstore.describe(row, args.lang))
    if args.move and found:
        detail = "; ".join(f"{r.table} ({r.row}): {r.problem}" for r in found)
        auth.record(store, actor.name if actor else None, "repair", "ok", detail)
        if not args.json:
            print(i18n.t("cli.repair_moved", args.lang, count=len(found)))
    return 0


def cmd_review(args: argparse.Namespace, cfg: Config) -> int:
    """Review steps: list, submit an upload, approve / return / reopen slices (a reason for the last two)."""

    from reform import review

    store = Store(cfg.database)
    store.init()
    if args.step == "list":
        found = review.states(store)
        found["decided_at"] = found["decided_at"].map(lambda v: clock.shown(v, cfg.timezone))
        if args.json:
            _print_json(found.to_dict(orient="records"))
        else:
            print(found.to_string(index=False) if not found.empty else i18n.t("app.no_rows", args.lang))
        return 0
    try:
        actor = _actor(store, args)
        if args.step == "submit":
            count = review.submit_batch(store, cfg, actor, args.batch)
        else:
            if not args.dataset or args.dataset not in DATASETS:
                raise CliError(f"{args.step} needs --dataset ({', '.join(DATASETS)})")
            wanted = _parse_slice(args.slice, DATASETS[args.dataset].slice)
            keys = [k for k in review.states(store, args.dataset)["slice"] if _matches(slices.values(k), wanted)]
            if not keys:
                raise CliError(f"no slice of {args.dataset} under review matches --slice {args.slice!r}")
            steps = [review.Step(args.dataset, k, args.step) for k in keys]
            count = actions.review_steps(store, cfg, actor, steps, args.reason)
    except review.ReviewError as exc:
        raise CliError(review.describe(exc, args.lang)) from None
    except actions.RefusedError as exc:
        raise CliError(i18n.t(f"auth.{exc.code}", args.lang, **exc.params)) from None
    print(i18n.t("review.done", args.lang, count=count, step=i18n.t(f"review.step.{args.step}", args.lang)))
    return 0


def _matches(values: dict[str, object], wanted: list[dict[str, str]] | None) -> bool:
    return wanted is None or any(all(str(values.get(k)) == v for k, v in w.items()) for w in wanted)


def cmd_notify(args: argparse.Namespace, cfg: Config) -> int:
    """Send what is due today (reminders, alerts, the digest), each message once."""
    from datetime import date

    from reform import notify

    if not cfg.notify.channels:
        print(i18n.t("notify.none_configured", args.lang))
        return 0
    try:
        today = date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"--today: not a date (YYYY-MM-DD): {args.today!r}", file=sys.stderr)
        return 1
    outcome = notify.run(Store(cfg.database), cfg, today, dry_run=args.dry_run)
    counts = {"due": outcome.due, "sent": len(outcome.sent), "failed": len(outcome.failed), "skipped": outcome.skipped}
    if args.json:
        _print_json({**counts, "sent_keys": outcome.sent, "failed_keys": outcome.failed})
    else:
        print(i18n.t("notify.summary", args.lang, **counts))
    return 1 if outcome.failed else 0


def _user_parsers(sub: Any) -> None:
    """Accounts."""
    p = sub.add_parser(
        "user",
        help="accounts: add, list, disable, enable, passwd, unlock, reset-code, split (passwords: stdin or prompt)",
    )
    users = p.add_subparsers(dest="user_command", required=True, parser_class=Parser)
    q = users.add_parser("add", help="add an account; the password is read twice")
    q.add_argument("name")
    q.add_argument("--role", choices=auth.ROLES, required=True)
    q.add_argument("--township", help="the township of a township account")
    q = users.add_parser("list")
    q.add_argument("--json", action="store_true")
    for name in ("disable", "enable", "passwd", "unlock"):
        users.add_parser(name).add_argument("name")
    users.add_parser("reset-code", help="forget the phone of an account's second factor").add_argument("name")
    q = users.add_parser("split", help="三员分立: a combined admin becomes the system administrator, and two new")
    q.add_argument("name", help="accounts <name>-security and <name>-audit are made with one-time passwords")


def _security_parsers(sub: Any) -> None:
    """The audit log and the 等级保护 self-check."""
    p = sub.add_parser("audit", help="the audit log, newest first; --verify checks its chain of seals")
    p.add_argument("--limit", type=_positive, default=200)
    p.add_argument("--verify", action="store_true", help="check that no line was edited, removed or reordered")
    p.add_argument("--archive", metavar="DIR", help="move lines older than --before (180 days at least) into DIR")
    p.add_argument("--before", metavar="YYYY-MM-DD", help="with --archive: the first day kept")
    p.add_argument("--verify-archive", metavar="FILE", help="check an archive file and its signed manifest")
    p.add_argument("--as", dest="user", help="with --archive: the audit administrator's account")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("compliance", help="等级保护 self-check (GB/T 22239): each requirement, pass or fail, evidence")
    p.add_argument("--level", type=int, choices=(2, 3), default=2)
    p.add_argument("--json", action="store_true")


def _admin_parsers(sub: Any) -> None:
    """History, restore, export, accounts, audit and templates."""
    names = sorted(DATASETS)
    p = sub.add_parser("history", help="batches so far; with --batch, one batch's slices (or --rows)")
    p.add_argument("--batch", type=int)
    p.add_argument("--rows", action="store_true", help="with --batch: every row of the batch")
    p.add_argument("--as", dest="user", help="answer as this account sees it (a township clerk: own township only)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("rollback", help="undo a batch: bring back the rows it replaced (a new recorded batch)")
    p.add_argument("batch", type=int)
    p.add_argument("--as", dest="user")
    p = sub.add_parser("restore", help="BATCH: make a batch's rows current again; --from DIR: load a backup into --db")
    p.add_argument("batch", type=int, nargs="?")
    p.add_argument("--slice", help="with BATCH: only this slice, e.g. township=罗塘街道,period=2024")
    p.add_argument("--as", dest="user")
    p.add_argument("--from", dest="source", help="a backup folder, restored into --db (a file that holds no data yet)")
    p.add_argument("--key", help="with --from: the backup key file (default: reform-backup.key beside --db)")
    p = sub.add_parser("export", help="the meeting pack (slides of config.yaml meeting.slides) as PPTX, PDF or HTML")
    p.add_argument("--format", choices=("pptx", "pdf", "html"), required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--version", type=int, help="data version to freeze (default: the current one)")
    p.add_argument("--first-year", type=int)
    p.add_argument("--last-year", type=int)
    p.add_argument("--as", dest="user", help="who exports (an account; default: the system user)")
    p.add_argument("--pending", action="store_true", help="with review on: include figures awaiting review (marked)")
    _user_parsers(sub)
    p = sub.add_parser(
        "backup", help="a consistent copy of every table (Parquet) with a manifest of counts and checksums"
    )
    p.add_argument("--out", required=True, help="a new or empty folder")
    p.add_argument("--key", help="the key that signs the manifest (default: reform-backup.key beside the database)")
    p = sub.add_parser("repair", help="PostgreSQL: rows a server cannot take; --move sets them aside (kept)")
    p.add_argument("--move", action="store_true", help="move them into reform_quarantine (as JSON)")
    p.add_argument("--as", dest="user", help="who repairs (default: the system user)")
    p.add_argument("--json", action="store_true")
    _security_parsers(sub)
    p = sub.add_parser("template", help="write a blank report template (.xlsx or .csv by the file ending)")
    p.add_argument("dataset", choices=names)
    p.add_argument("--out", required=True)


def _workflow_parsers(sub: Any) -> None:
    """Review steps and notifications."""
    p = sub.add_parser("review", help="review steps: list | submit BATCH | approve | return | reopen (--slice)")
    p.add_argument("step", choices=["list", "submit", "approve", "return", "reopen"])
    p.add_argument("batch", nargs="?", type=int, help="submit: the upload (batch) whose slices to submit")
    p.add_argument("--dataset", help="approve / return / reopen: the dataset")
    p.add_argument("--slice", help="approve / return / reopen: e.g. township=罗塘街道,year=2025 (all its slices: omit)")
    p.add_argument("--reason", default="", help="return / reopen: why (required)")
    p.add_argument("--as", dest="user", help="the account taking the step (default: this system user, as admin)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("notify", help="send the reminders, alerts and digest due today, each once (cron/timer)")
    p.add_argument("--today", help="the day to act as (YYYY-MM-DD; default: today in the district)")
    p.add_argument("--dry-run", action="store_true", help="count what is due; send and record nothing")
    p.add_argument("--json", action="store_true")


def _common_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """``--db``, ``--config`` and ``--lang``: before the command (``top``) or after it, as users type them."""
    default = (lambda value: value) if top else (lambda _value: argparse.SUPPRESS)
    parser.add_argument(
        "--db", default=default(None), help="database file (default: config.yaml storage.database or $REFORM_DB)"
    )
    parser.add_argument("--config", default=default(None), help="configuration file (default: config.yaml)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=default(i18n.DEFAULT), help="language of messages")


def _every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += _every_parser(child)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m reform", description="Reform Progress Monitor command line")
    _common_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    names = sorted(DATASETS)
    for name, helptext in (
        ("validate", "dry run: check a file, store nothing"),
        ("ingest", "check a file and commit it"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("file")
        p.add_argument("--dataset", choices=names, help="dataset (recognised from the headers when omitted)")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "ingest":
            p.add_argument("--as", dest="user", help="who uploads (default: the system user)")
            p.add_argument(
                "--explain",
                action="append",
                metavar="RULE=TEXT",
                help="the explanation a soft check rule asks for (TEXT alone: for every such rule)",
            )
    p = sub.add_parser("kpis", help="overview figures with targets, status, period and reports (approved only)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--first-year", type=int)
    p.add_argument("--last-year", type=int)
    p.add_argument("--pending", action="store_true", help="with review on: include figures awaiting review (reviewers)")
    p.add_argument("--as", dest="user", help="who reads (an account; --pending needs a reviewer)")
    p = sub.add_parser("sample", help="load the sample data into the store")
    p.add_argument("--if-empty", action="store_true", help="only when the store has no data yet")
    p.add_argument("--remove", action="store_true", help="retire every current row of sample data (recorded batches)")
    p.add_argument("--as", dest="user", help="with --remove: who removes it (default: the system user)")
    p.add_argument("--write", metavar="DIR", help="write the sample files into DIR instead of loading them")
    p.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="province scale: a configuration of N generated townships and its files (1200: over a million rows)",
    )
    _admin_parsers(sub)
    _workflow_parsers(sub)
    for child in _every_parser(parser)[1:]:
        _common_options(child, top=False)
    return parser


COMMANDS = {
    "validate": cmd_validate,
    "ingest": cmd_ingest,
    "kpis": cmd_kpis,
    "sample": cmd_sample,
    "history": cmd_history,
    "rollback": cmd_restore,
    "restore": cmd_restore,
    "template": cmd_template,
    "export": cmd_export,
    "user": cmd_user,
    "audit": cmd_audit,
    "compliance": cmd_compliance,
    "backup": cmd_backup,
    "notify": cmd_notify,
    "review": cmd_review,
    "repair": cmd_repair,
}


METRIC_COMMANDS = ("kpis", "export", "sample", "notify")  # these also check the KPI declarations at start-up


def _start_up_check(command: str, cfg: Config) -> None:
    """Every declaration a command relies on: the datasets always (cheap, no pandas), the KPIs,
    targets and slides where figures are computed (that imports the metrics)."""
    from reform.datasets import problems

    found = [f"{place}: {message}" for place, message in problems()]
    if command in METRIC_COMMANDS:
        from metrics import semantic

        found += [str(issue) for issue in semantic.problems(cfg)]
    if found:
        raise CliError(i18n.t("app.config_error", "en", error="; ".join(found)))


def main(argv: list[str] | None = None) -> int:
    """Run one command; any refusal or surprise ends in a message and exit 1, never a traceback."""
    plugins.load()  # before the parser: an extension's dataset is a choice of --dataset and template
    args = build_parser().parse_args(argv)
    try:
        cfg = config_module.load(args.config)
    except ConfigError as exc:
        print(i18n.t("app.config_error", args.lang, error=exc), file=sys.stderr)
        return 1
    if args.db:
        cfg = cfg.with_database(args.db)
    try:
        _start_up_check(args.command, cfg)
        return COMMANDS[args.command](args, cfg)
    except CliError as exc:
        print(exc, file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped reading (`kpis | head`): nothing went wrong, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the rest of the output goes nowhere
        return 120  # what Python itself answers for a closed pipe
    except Exception as exc:  # an operator sees what went wrong in one line; REFORM_DEBUG=1 shows the trace
        if os.environ.get("REFORM_DEBUG"):
            raise
        print(i18n.t("cli.failed", args.lang, command=args.command, reason=_first_line(exc)), file=sys.stderr)
        return 1


def _first_line(exc: BaseException) -> str:
    """What went wrong in one line: a database's message without the SQL it quotes after it."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


if __name__ == "__main__":
    sys.exit(main())
