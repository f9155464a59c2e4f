"""Run one command and write its wall time and peak memory to a file:

    python -m bench.peak OUT_FILE COMMAND [ARG ...]     # OUT_FILE gets "<seconds> <max RSS KB>"

A child's ``ru_maxrss`` starts at its parent's high-water mark (Linux carries it over
fork and exec), so a harness that has generated a million lines would report its own
size for every command it starts. This small process starts the command instead, so
the figure is the command's own peak. Exits with the command's exit status.
"""
from __future__ import annotations

import os
import sys
import time


def main() -> int:
    out, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    with open(out, "w", encoding="ascii") as fh:
        fh.write(f"{seconds:.6f} {usage.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
