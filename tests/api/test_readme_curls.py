"""Every curl in README.md runs as written ("Ready for the office", part 8).

A real HTTP server (werkzeug, a thread, a free localhost port) over a fresh
SQLite database, migrated and seeded with ``flask seed demo``; the tokens the
README's ``NAME=st_...`` lines stand for are made with the README's own
``tokens create`` lines. Then every ``curl`` of every ```sh block runs in the
README's order, through bash, with the README's host replaced by the server's;
each must answer 2xx unless it is listed in :data:`EXPECTED` with its reason.
A curl added to the README later is run the same way: when it fails, the
message names it.
"""
from __future__ import annotations

import inspect
import os
import re
import shlex
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_HOST = "http://127.0.0.1:8000"
MARK = "@@status="

# Curls that are meant to answer something else than 2xx: (a substring of the command, status, why).
EXPECTED = [
    ('"paid_on": "2027-02-30"', 422, "shows a problem in Chinese: there is no 30 February"),
]

# What a token variable stands for when the README's comment does not say (role, party).
KNOWN_VARIABLES = {"TOKEN": ("buyer", "desheng"), "B": ("buyer", "desheng"), "V": ("vendor", "unicom-bj"),
                   "A": ("admin", None), "ADMIN": ("admin", None)}
PARTIES = ("desheng", "unicom-bj", "bj-telecom-dev")
ROLES = ("admin", "buyer", "vendor", "auditor")


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"^[ \t]*```(?:sh|bash|shell)\n(.*?)^[ \t]*```", text, re.S | re.M)


def logical_lines(block: str) -> list[str]:
    """Lines with their backslash continuations joined."""
    out, current = [], ""
    for line in block.splitlines():
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        out.append(current + line)
        current = ""
    if current:
        out.append(current)
    return [ln.strip() for ln in out if ln.strip()]


def _strip_comment(line: str) -> tuple[str, str]:
    """(the command, its trailing comment) — a '#' outside quotes after whitespace starts a comment."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line, ""


def readme_steps(text: str):
    """The README's token variables, its token-creating commands and its curls, in order."""
    variables: dict[str, tuple[str, str | None]] = {}
    token_commands: list[list[str]] = []
    curls: list[str] = []
    for block in sh_blocks(text):
        for line in logical_lines(block):
            command, comment = _strip_comment(line)
            m = re.fullmatch(r"([A-Z][A-Z0-9_]*)=st_\S*", command)
            if m:
                variables[m.group(1)] = _who(comment) or KNOWN_VARIABLES.get(m.group(1), ("?", None))
            elif re.search(r"\btokens create\b", command):
                token_commands.append(shlex.split(command))
            elif command.startswith("curl "):
                curls.append(command)
    return variables, token_commands, curls


def _who(comment: str):
    """(role, party) from a comment such as "the unicom-bj vendor token" or "a buyer or vendor token"."""
    text = comment.lower()
    found = sorted((text.find(r), r) for r in ROLES if r in text)
    if not found:
        return None
    role = found[0][1]
    party = next((p for p in PARTIES if p in text), None)
    if role == "buyer":
        party = party or "desheng"
    elif role == "vendor":
        party = party if party in ("unicom-bj", "bj-telecom-dev") else "unicom-bj"
    elif role == "admin":
        party = None
    return role, party


def _option(args: list[str], name: str):
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


def make_token(app, runner, token_commands, role, party) -> str:
    """A token made by the README's own `tokens create` line for (role, party), else by the service."""
    for args in token_commands:
        if _option(args, "--role") == role and _option(args, "--party") == party:
            cli = args[args.index("tokens"):]
            result = runner.invoke(args=cli)
            assert result.exit_code == 0, f"README's `{shlex.join(args)}` failed: {result.output}"
            return result.output.strip().splitlines()[-1].strip()
    from settlement.services import tokens
    kwargs = {"holder": "README test"} if "holder" in inspect.signature(tokens.create_token).parameters else {}
    s = app.extensions["settlement"]["sessions"]()
    try:
        _, plain = tokens.create_token(s, role, party, **kwargs)
        s.commit()
    finally:
        s.close()
    return plain


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The app on a free localhost port, over a fresh migrated and seeded SQLite database."""
    from werkzeug.serving import make_server

    from settlement import create_app, migrate
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'readme.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url})
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed", "demo"])
    assert seeded.exit_code == 0, seeded.output
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, runner, f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)
        app.extensions["settlement"]["engine"].dispose()


def _expected(command: str):
    for needle, status, why in EXPECTED:
        if needle in command:
            return status, why
    return None


def _pdf_font_available(app) -> bool:
    try:
        from invoices import pdf
        pdf.find_font(app.config.get("INVOICE_FONT"))
        return True
    except Exception:  # noqa: BLE001 - any failure means no font here
        return False


def test_readme_parsing():
    variables, token_commands, curls = readme_steps(
        "```sh\nV=st_...   # the unicom-bj vendor token\nX=st_...   # a buyer or vendor token\n"
        ".venv/bin/flask --app wsgi tokens create --party desheng --role buyer     # the token is the last line\n"
        "curl -s -X POST -H \"Authorization: Bearer $V\" -H 'Idempotency-Key: k#1' \\\n"
        "  -d '{\"a\": 1}' http://127.0.0.1:8000/x   # a comment\n```\n")
    assert variables == {"V": ("vendor", "unicom-bj"), "X": ("buyer", "desheng")}
    assert token_commands == [[".venv/bin/flask", "--app", "wsgi", "tokens", "create", "--party", "desheng",
                               "--role", "buyer"]]
    assert curls == ["curl -s -X POST -H \"Authorization: Bearer $V\" -H 'Idempotency-Key: k#1'    "
                     "-d '{\"a\": 1}' http://127.0.0.1:8000/x"]


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
def test_every_readme_curl_runs_as_written(server, tmp_path):
    app, runner, base = server
    variables, token_commands, curls = readme_steps(README.read_text(encoding="utf-8"))
    assert len(curls) >= 5, "README.md should show its API with curl"
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    for name, (role, party) in variables.items():
        assert role in ROLES, f"README's {name}=st_... : say whose token it is in its comment (e.g. '# the desheng buyer token')"
        env[name] = make_token(app, runner, token_commands, role, party)
    font = _pdf_font_available(app)
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    failures, ran = [], []
    for number, command in enumerate(curls, 1):
        unknown = sorted(set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", command)) - set(env))
        if unknown:
            failures.append(f"curl #{number} uses ${', $'.join(unknown)}, which no NAME=st_... line defines:\n  {command}")
            continue
        runnable = command.replace(README_HOST, base)
        if "|" not in runnable:
            runnable += f" -w '\\n{MARK}%{{http_code}}'"
        proc = subprocess.run(["bash", "-c", runnable], cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=60)
        out = proc.stdout
        status = int(out.rsplit(MARK, 1)[1].strip()) if MARK in out else None
        body = out.rsplit(MARK, 1)[0].strip()[:600]
        ran.append((command, status))
        expected = _expected(command)
        if "/pdf" in command and not font:
            expected = (503, "no CJK font on this machine (INVOICE_FONT): the PDF endpoints answer 503")
        if expected:
            ok = status == expected[0]
        else:
            ok = proc.returncode == 0 and (status is None or 200 <= status < 300)
        if not ok:
            failures.append(f"curl #{number} answered {status} (exit {proc.returncode})"
                            f"{f', expected {expected[0]}: {expected[1]}' if expected else ''}:\n  {command}\n"
                            f"  -> {body or proc.stderr.strip()[:300]}")
    assert not failures, (f"{len(failures)} of {len(curls)} README curls do not run as written "
                          "(server started on a fresh seeded database):\n\n" + "\n\n".join(failures))
    assert ran
