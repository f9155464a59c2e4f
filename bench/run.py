"""Run the benchmarks and write bench/results.json and docs/benchmarks.md.

    python -m bench.run [--sizes S,M,L] [--dbs sqlite,postgres] [--runs 3] [--api-seconds 10] [--smoke]

Each benchmark runs its floor in the same run, on the same data; figures are medians.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
FLASK = str(Path(sys.executable).with_name("flask"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def median(xs):
    return statistics.median(xs) if xs else None


def timed_child(args, env):
    """(seconds, peak RSS MB) of a command, measured by wait4 in a small launcher (bench/peak.py):
    measured from this process, the harness's own size would count as the command's."""
    fd, figures = tempfile.mkstemp(prefix="bench-peak-")
    os.close(fd)
    try:
        proc = subprocess.run([PY, "-m", "bench.peak", figures, *map(str, args)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))} failed: {proc.stderr.decode()[-2000:]}")
        seconds, kb = Path(figures).read_text(encoding="ascii").split()
    finally:
        os.unlink(figures)
    return float(seconds), int(kb) / 1024


class Database:
    def __init__(self, kind: str, size: str):
        self.kind, self.size = kind, size
        if kind == "sqlite":
            self.path = OUT / f"bench-{size}.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.schema = f"bench_{size.lower()}"
            self.url = f"{PG_URL}?options=-csearch_path%3D{self.schema}"

    def create(self):
        if self.kind == "sqlite":
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                if p.exists():
                    p.unlink()
        else:
            eng = create_engine(PG_URL)
            with eng.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            eng.dispose()
        from settlement import migrate
        migrate.upgrade(self.url)

    def reset_import(self, journal_seq: int):
        """Undo a bank import (harness only: the application never deletes)."""
        eng = create_engine(self.url)
        with eng.begin() as conn:
            # TRUNCATE on PostgreSQL: a DELETE leaves 1,000,000 dead rows that every foreign-key
            # check of the payments deleted next scans (minutes at L), and that the next run pays for.
            conn.execute(text("TRUNCATE bank_lines" if self.kind == "postgres" else "DELETE FROM bank_lines"))
            conn.execute(text("DELETE FROM payment_allocations WHERE payment_id IN "
                              "(SELECT id FROM payments WHERE source = 'bank')"))
            conn.execute(text("DELETE FROM payments WHERE source = 'bank'"))
            conn.execute(text("DELETE FROM journal_entries WHERE seq > :s"), {"s": journal_seq})
        eng.dispose()

    def journal_seq(self) -> int:
        eng = create_engine(self.url)
        with eng.connect() as conn:
            seq = conn.execute(text("SELECT COALESCE(MAX(seq), 0) FROM journal_entries")).scalar()
        eng.dispose()
        return seq

    def version(self) -> str:
        if self.kind == "sqlite":
            return sqlite3.sqlite_version
        eng = create_engine(PG_URL)
        with eng.connect() as conn:
            v = conn.execute(text("SHOW server_version")).scalar()
        eng.dispose()
        return v


def env_for(url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi", INSTANCE_PATH=str(OUT / "instance"))
    env.pop("TEST_DATABASE_URL", None)
    return env


def bench_batch(db: Database, data, runs: int, month: str = "2026-11") -> dict:
    env = env_for(db.url)
    base = db.journal_seq()
    imp, imp_rss, floor, floor_rss = [], [], [], []
    for _ in range(runs):
        s, rss = timed_child([FLASK, "bank", "import", str(data.statement)], env)
        imp.append(s)
        imp_rss.append(rss)
        db.reset_import(base)
        s, rss = timed_child([PY, "-m", "bench.floors", "insert", db.url, str(data.statement)], env)
        floor.append(s)
        floor_rss.append(rss)
    rec, rec_rss, agg, agg_rss = [], [], [], []
    out_dir = OUT / f"reports-{db.kind}-{db.size}"
    for _ in range(runs):
        s, rss = timed_child([FLASK, "reconcile", "--month", month, "--out", str(out_dir)], env)
        rec.append(s)
        rec_rss.append(rss)
        s, rss = timed_child([PY, "-m", "bench.floors", "aggregate", db.url, month], env)
        agg.append(s)
        agg_rss.append(rss)
    return {
        "import": {"seconds": median(imp), "floor_seconds": median(floor), "ratio": median(imp) / median(floor),
                   "max_rss_mb": max(imp_rss), "floor_max_rss_mb": max(floor_rss), "runs": imp,
                   "lines": data.bank_lines},
        "reconcile": {"seconds": median(rec), "floor_seconds": median(agg), "ratio": median(rec) / median(agg),
                      "max_rss_mb": max(rec_rss), "floor_max_rss_mb": max(agg_rss), "runs": rec,
                      "contracts": data.contracts},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
                             app], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json" if app == "wsgi:app"
                                   else f"http://127.0.0.1:{port}/floor", timeout=1)
            return proc, port
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"gunicorn {app} did not start")


def wrk(url: str, seconds: int, headers: dict, script: str | None = None, script_args=()) -> dict:
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    if script:
        args += ["-s", script]
    args.append(url)
    if script_args:
        args += ["--", *script_args]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout

    def latency(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99"),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def bench_api(db: Database, seconds: int, runs: int) -> dict:
    env = env_for(db.url)
    token = subprocess.run([FLASK, "tokens", "create", "--holder", "bench", "--party", "buyer-000",
                            "--role", "buyer"], env=env,
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    eng = create_engine(db.url)
    with eng.connect() as conn:
        cid = conn.execute(text("SELECT contract_id FROM contract_parties cp JOIN parties p ON p.id = cp.party_id "
                                "WHERE p.code = 'buyer-000' ORDER BY contract_id LIMIT 1")).scalar()
    eng.dispose()
    auth = {"Authorization": f"Bearer {token}"}
    results = {}
    app_proc, port = start_gunicorn("wsgi:app", env)
    floor_proc, floor_port = start_gunicorn("bench.floor_app:app", env)
    try:
        base = f"http://127.0.0.1:{port}/api/v1/contracts/{cid}"
        floor_url = f"http://127.0.0.1:{floor_port}/floor"
        cases = {
            "GET schedule": lambda: wrk(f"{base}/schedule?as_of=2026-11-24", seconds, auth),
            "GET settlement": lambda: wrk(f"{base}/settlement?as_of=2026-11-24", seconds, auth),
            "POST payments": lambda: wrk(f"{base}/payments", seconds, {}, str(ROOT / "bench/wrk/post_payment.lua"),
                                         (f"/api/v1/contracts/{cid}/payments", token,
                                          str(time.time_ns()))),
        }
        # Warm-up, not measured: each worker's first requests import lazily loaded modules and
        # fill its read cache (settlement/api/cached.py); the floor gets the same.
        wrk(floor_url, 1, {})
        wrk(f"{base}/schedule?as_of=2026-11-24", 1, auth)
        wrk(f"{base}/settlement?as_of=2026-11-24", 1, auth)
        for name, fn in cases.items():
            floor_runs, runs_ = [], []
            for _ in range(runs):
                floor_runs.append(wrk(floor_url, seconds, {}))
                runs_.append(fn())
            f_rps = median([r["rps"] for r in floor_runs])
            rps = median([r["rps"] for r in runs_])
            results[name] = {"rps": rps, "p50_ms": median([r["p50_ms"] for r in runs_]),
                             "p99_ms": median([r["p99_ms"] for r in runs_]), "floor_rps": f_rps,
                             "floor_p99_ms": median([r["p99_ms"] for r in floor_runs]),
                             "ratio": rps / f_rps, "non_2xx": sum(r["non_2xx"] for r in runs_)}
    finally:
        for p in (app_proc, floor_proc):
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
    return results


def bench_pdf(n: int, runs: int) -> dict:
    """Render n invoices; floor: a bare page with the same font and strings. Uppercase cost measured apart."""
    import datetime as dt
    from decimal import Decimal

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from invoices import pdf
    from settlement.domain.vat import split
    from invoices.words import rmb_upper
    font_path = pdf.find_font(os.environ.get("INVOICE_FONT"))
    font = pdf.register_font(font_path)
    amounts = [Decimal(100_000 + i * 7919) / 100 * 37 for i in range(n)]
    amounts = [a.quantize(Decimal("0.01")) for a in amounts]
    invoices = []
    for i, total in enumerate(amounts):
        net, tax = split(total, Decimal("0.06"))
        invoices.append({"number": f"{i:020d}", "type": "ordinary", "issued_on": dt.date(2026, 11, 20),
                         "tranche_seq": 2, "total": total, "net": net, "tax": tax, "rate": Decimal("0.06"),
                         "amount_in_words": None,
                         "buyer": {"name": "北京市西城区人民政府德胜街道办事处", "taxpayer_id": None, "bank_account": None},
                         "seller": {"name": "中国联合网络通信有限公司北京市分公司", "taxpayer_id": None,
                                    "bank_account": "工商银行北京分行长安支行 0200003319210012727"},
                         "item": "座席外包服务费", "contract_code": "DS-12345-2026", "reverses": None, "reason": None})

    def service():
        for inv in invoices:
            pdf.render_invoice_pdf(dict(inv, amount_in_words=rmb_upper(inv["total"])), font_path)

    def words_only():
        for inv in invoices:
            rmb_upper(inv["total"])

    def floor():
        for inv in invoices:
            c = canvas.Canvas(__import__("io").BytesIO(), pagesize=A4)
            c.setFont(font, 10)
            y = 800
            for s_ in ("电子发票（普通发票）", inv["number"], inv["buyer"]["name"], inv["seller"]["name"],
                       inv["seller"]["bank_account"], inv["item"], f"{inv['net']:,.2f}", "6%", f"{inv['tax']:,.2f}",
                       f"{inv['total']:,.2f}", rmb_upper(inv["total"]), inv["contract_code"]):
                c.drawString(50, y, s_)
                y -= 20
            c.showPage()
            c.save()

    def timed(fn):
        out = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return median(out)
    s_service, s_floor, s_words = timed(service), timed(floor), timed(words_only)
    return {"invoices": n, "pages_per_s": n / s_service, "floor_pages_per_s": n / s_floor,
            "ratio": s_floor / s_service, "uppercase_share": s_words / s_service}


def machine() -> dict:
    mem = ""
    try:
        mem = next(line.split(":")[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(line.split(":")[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1] \
        if shutil.which("wrk") else ["not installed"]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "wrk": (wrk_version or [""])[0]}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="S,M,L")
    ap.add_argument("--dbs", default="sqlite,postgres")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--api-seconds", type=int, default=5)
    ap.add_argument("--pdf-invoices", type=int, default=1000)
    ap.add_argument("--smoke", action="store_true", help="S only, one run, short: checks the code works")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args(argv)
    if args.smoke:
        args.sizes, args.runs, args.api_seconds, args.pdf_invoices = "S", 1, 2, 20
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate
    results = {"machine": machine(), "runs": args.runs, "api_seconds": args.api_seconds, "sizes": {},
               "versions": {}}
    for kind in args.dbs.split(","):
        for size in args.sizes.split(","):
            db = Database(kind, size)
            print(f"[{kind} {size}] generating", flush=True)
            db.create()
            engine = create_engine(db.url)
            t = time.perf_counter()
            data = generate(engine, size, OUT)
            engine.dispose()
            results["versions"][kind] = db.version()
            entry = {"contracts": data.contracts, "invoices": data.invoices, "bank_lines": data.bank_lines,
                     "generate_seconds": time.perf_counter() - t}
            print(f"[{kind} {size}] month-end batch", flush=True)
            entry.update(bench_batch(db, data, args.runs))
            if shutil.which("wrk"):
                print(f"[{kind} {size}] API", flush=True)
                entry["api"] = bench_api(db, args.api_seconds, args.runs)
            results["sizes"].setdefault(size, {})[kind] = entry
            print(json.dumps(entry, default=str)[:600], flush=True)
    print("[pdf]", flush=True)
    results["pdf"] = bench_pdf(args.pdf_invoices, args.runs)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    if not args.no_docs:
        from bench.report import write_markdown
        write_markdown(results, ROOT / "docs" / "benchmarks.md")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
