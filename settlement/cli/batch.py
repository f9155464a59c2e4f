"""Monthly batch commands for cron: bank import, reconcile, month close/reopen (issue 6).

On a terminal they show click's progress bar; otherwise plain progress lines.
Each ends with a one-line summary; the exit code is 0 only on success. Writes
happen in one transaction (all or nothing); files are written to a temporary
name and renamed, so an interrupted run leaves the previous files intact.
"""
from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import BinaryIO

import click
from sqlalchemy.exc import DBAPIError
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from settlement import clock
from settlement.bank.parse import StatementError
from settlement.cli.admin import CLI, journal_head_line, unit_of_work
from settlement.db import write_intent
from settlement.errors import Problem
from settlement.services.uow import is_retryable
from settlement.services import months as months_svc
from settlement.services import reconciliation as rec_svc
from settlement.services.audit import sweep, unpublished

FORMATS = ("json", "csv", "xlsx", "pdf")
MONTH = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")


@contextmanager
def progress_reporter(total: int | None, label: str):
    """click's progress bar on a terminal, a line every 10% (or 100,000 items) elsewhere."""
    if sys.stdout.isatty() and total is not None:
        with click.progressbar(length=total, label=label) as bar:
            yield bar.update
        return
    state = {"n": 0}
    step = max(1, (total // 10) if total else 100_000)

    def update(n: int) -> None:
        state["n"] += n
        if state["n"] % step == 0:
            click.echo(f"{label}: {state['n']}" + (f"/{total}" if total else ""))

    yield update


def _month(value: str) -> str:
    if not MONTH.match(value or ""):
        raise click.BadParameter("must be YYYY-MM")
    return value


STALE_AFTER_SECONDS = 3600
# What tempfile.mkstemp(prefix=".<name>.") leaves behind: a dot, the file's name, a dot, 8 random characters.
_TEMP_NAME = re.compile(r"^\.(?P<name>[^/]+\.[A-Za-z0-9]+)\.[a-z0-9_]{8}$")


def remove_stale_temp_files(folder: Path, older_than: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Remove the temporary files killed runs left in ``folder`` (``.<name>.<8 characters>``, not
    touched for ``older_than`` seconds: a run still writing one keeps it fresh). Returns them."""
    import time
    removed = []
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:   # gone meanwhile, or not ours to remove: leave it
            continue
    return removed


def write_atomically(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``data`` (bytes, or a function that writes to the file) under a temporary name,
    then rename: a reader never sees half a file. The temporary files of runs killed before
    their rename (older than an hour) are removed from the folder first (issue 15)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


bank_cli = AppGroup("bank", help="Bank statements.")


@bank_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--account", help="the account number the statement is for")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="JSON: field -> column names")
@click.option("--dry-run", is_flag=True, help="read, match and report, then roll back")
@click.option("--allow-rejected", is_flag=True, help="exit 0 even when some lines were rejected")
def bank_import(path, account, mapping, dry_run, allow_rejected):
    """Import a CSV/XLSX statement: store each line once, match credits, record payments.

    Exit codes: 0 done; 2 the file cannot be read (nothing imported); 3 done, but some lines
    were rejected (each is printed with its line number) unless --allow-rejected."""
    from settlement.services.bank import import_statement
    s = current_app.extensions["settlement"]["sessions"]()
    try:
        with write_intent():
            with progress_reporter(None, "lines") as update:
                summary = import_statement(s, CLI, path, today=clock.today(), account=account, mapping=mapping,
                                           dry_run=dry_run, progress=update)
    except StatementError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Problem as exc:   # a chunk that lost its race three times (uow.Busy): the chunks before it stand
        click.echo(f"error: {exc.detail}; the chunks before it are imported, run the import again", err=True)
        sys.exit(1)
    finally:
        s.close()
    for line_no, why in summary.rejected:
        click.echo(f"rejected line {line_no}: {why}")
    click.echo(("DRY RUN, nothing saved: " if dry_run else "") + summary.line())
    if summary.rejected and not allow_rejected:
        sys.exit(3)


@click.command("reconcile")
@click.option("--month", "month", required=True, callback=lambda c, p, v: _month(v), help="YYYY-MM")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="default: the month's last day")
@click.option("--contract", "code", help="one contract code")
@click.option("--out", "out", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option("--format", "formats", default="json,csv,xlsx,pdf", show_default=True)
@click.option("--shard", "shard", callback=lambda c, p, v: _shard(v),
              help="K/N: only contracts with id mod N = K-1, so N machines can split the batch")
@with_appcontext
def reconcile(month, as_of, code, out, formats, shard):
    """Reconcile a month: record what became true by then, write the report files."""
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise click.BadParameter(f"unknown format(s) {', '.join(bad)}; choose from {', '.join(FORMATS)}",
                                 param_hint="--format")
    first, last = months_bound(month)
    as_of_day = as_of.date() if as_of else last
    s = current_app.extensions["settlement"]["sessions"]()
    try:
        closed = months_svc.closed_report(s, month) is not None and not as_of
        ids = rec_svc.contract_ids(s, code=code, shard=shard)
    finally:
        s.close()
    if code and not ids:
        raise click.ClickException(f"no contract {code}")
    swept = {"deemed_accepted": 0, "rights_arisen": 0}
    s = current_app.extensions["settlement"]["sessions"]()
    to_publish: list[int] = []
    try:
        with progress_reporter(len(ids), "contracts") as update:
            if closed:
                # The one closed-month rule (services/reconciliation.py report_for), as the API serves it.
                plain, text = rec_svc.report_for(s, month, None, ids, everything=not (code or shard),
                                                 bank_accounts=None)
            else:
                # One copy at a time, and the JSON streamed to its file, not built as one string:
                # 10,000 contracts are ~100 MB as objects and ~25 MB of text (issue 7, max RSS).
                # The report's positions also say which contracts the sweep must publish for: the
                # sweep then locks and reads only those (one position computation per contract).
                plain = rec_svc.to_jsonable(rec_svc.build_report(
                    s, month, as_of_day, ids=ids, progress=update,
                    on_positions=lambda positions: to_publish.extend(unpublished(s, positions))))
                text = None
    finally:
        s.close()
    if to_publish:
        # What became true by the month's end (never beyond today) is recorded; the report's
        # figures do not depend on it (they come from the positions).
        with unit_of_work() as s:
            if shard and not shard_lock(s, month, shard):
                raise click.ClickException(f"shard {shard[0]}/{shard[1]} of {month} is running elsewhere")
            swept = sweep(s, as_of_day, clock.today(), CLI, ids=to_publish, candidates=True)
    stored = closed
    out_dir = Path(out)
    written = []
    for fmt in wanted:
        suffix = (f"-{code}" if code else "") + (f"-shard-{shard[0]}-of-{shard[1]}" if shard else "")
        path = out_dir / f"reconciliation-{month}{suffix}.{fmt}"
        write_atomically(path, render(fmt, plain, text))
        written.append(str(path))
    t = plain["totals"]
    click.echo(f"reconciled {month} as of {plain['as_of']}{' (closed month, stored report)' if stored else ''}: "
               f"{t['contracts']} contract(s), earned {t['earned_to_date']}, invoiced "
               f"{t['invoiced_to_date']['total']}, paid {t['paid_to_date']}; swept {swept['deemed_accepted']} "
               f"deemed acceptance(s), {swept['rights_arisen']} right(s); wrote {', '.join(written)}")
    click.echo(journal_head_line())


def _shard(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    m = re.match(r"^(\d+)/(\d+)$", value)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise click.BadParameter("must be K/N with 1 <= K <= N")
    return int(m.group(1)), int(m.group(2))


def shard_lock(session, month: str, shard: tuple[int, int]) -> bool:
    """On PostgreSQL, a transaction-scoped advisory lock per (month, shard): two machines never run
    the same shard's sweep at once. SQLite serialises writers anyway."""
    from sqlalchemy import text
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = f"reconcile:{month}:{shard[0]}/{shard[1]}"
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"),
                                {"k": key}).scalar())


def months_bound(month: str) -> tuple[date, date]:
    from settlement.domain.reconciliation import month_bounds
    return month_bounds(month)


def render(fmt: str, report: dict, json_text: str | None) -> bytes | Callable[[BinaryIO], None]:
    """The report (its JSON form: amounts as strings) in one format; the JSON as stored
    (``json_text``) or, when there is none, as a function that streams it to a file."""
    from settlement.reports import tabular
    if fmt == "json":
        if json_text is not None:
            return json_text.encode("utf-8")

        def stream(fh):
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
            rec_svc.write_json(report, text)
            text.flush()
            text.detach()
        return stream
    if fmt == "csv":
        return tabular.to_csv(report)
    if fmt == "xlsx":
        return tabular.to_xlsx(report)
    from settlement.reports.fonts import FontUnavailable, find_font
    from settlement.reports.pdf_report import to_pdf
    try:
        font = find_font(current_app.config.get("INVOICE_FONT"))
    except FontUnavailable as exc:
        raise click.ClickException(f"PDF report: {exc}") from None
    from datetime import datetime
    return to_pdf(report, font, generated_at=datetime.now(clock.SHANGHAI))


month_cli = AppGroup("month", help="Close and reopen accounting months.")


@month_cli.command("close")
@click.argument("month", callback=lambda c, p, v: _month(v))
def month_close(month):
    """Close MONTH: store its report as it is now; nothing may be dated in it afterwards."""
    _, last = months_bound(month)
    try:
        with unit_of_work() as s:
            sweep(s, last, clock.today(), CLI)
        with unit_of_work() as s:
            # Exclusive period lock: every write dated in the month that committed is in the
            # frozen report, and none can commit while it is being built (issue 15).
            months_svc.hold_exclusive(s)
            report = rec_svc.build_report(s, month, last)
            months_svc.close(s, CLI, month, rec_svc.to_json(report))
    except DBAPIError as exc:
        if not is_retryable(exc):
            raise
        raise click.ClickException(f"closing {month} met a concurrent write; run it again") from None
    except Problem as exc:
        raise click.ClickException(str(exc.detail)) from None
    click.echo(f"closed {month}: {len(report['contracts'])} contract(s) in the stored report")
    click.echo(journal_head_line())   # keep it offline: `journal verify --head SEQ:HASH` proves the books later


@month_cli.command("reopen")
@click.argument("month", callback=lambda c, p, v: _month(v))
@click.option("--reason", required=True, help="why (journaled)")
def month_reopen(month, reason):
    """Reopen a closed MONTH (journaled with the reason)."""
    try:
        with unit_of_work() as s:
            months_svc.hold_exclusive(s)
            reopened = months_svc.reopen(s, CLI, month, reason)
    except Problem as exc:
        raise click.ClickException(str(exc.detail)) from None
    click.echo(f"reopened {', '.join(reopened)}: {reason}")


COMMANDS = [bank_cli, reconcile, month_cli]
