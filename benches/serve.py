#!/usr/bin/env python3
"""One changed file as `kitei serve` feels it: the time from saving a document to the new site
being published (the version that open pages poll for changes right after the swap).

    benches/serve.py TSV LOG TOOL N PHASE FIRST COUNT DOC -- kitei -C DIR serve --port 0 [--out OUT]

Starts the server, waits for its first build, then COUNT times (runs numbered from FIRST):
waits a second, appends a line to DOC, and polls /__kitei/version every 2 ms until it changes. Appends one row per edit to TSV
in benches/measure.rs's format (tool, n, phase, run, wall s, peak RSS KiB of the server so far,
status, CPU s the server used for that rebuild); the server's stderr goes to LOG. Every wait is
bounded: a build that never publishes is a `timeout` row, and the server is stopped."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

TIMEOUT_S = 120


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    at = sys.argv.index("--")
    tsv, log, tool, n, phase, first, count, doc = sys.argv[1:at]
    cmd = sys.argv[at + 1:]
    ticks = os.sysconf("SC_CLK_TCK")
    with open(log, "ab") as err:
        server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("kitei serve: http://"):
            sys.exit(f"serve.py: no address from the server (see {log})")
        base = url.split(": ", 1)[1].rstrip("/")

        def version():
            with urllib.request.urlopen(base + "/__kitei/version", timeout=10) as r:
                return r.read().decode().strip()

        def cpu_s():
            with open(f"/proc/{server.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        def peak_kib():
            with open(f"/proc/{server.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
            return 0

        seen = version()
        deadline = time.monotonic() + TIMEOUT_S
        while seen == "0":
            if time.monotonic() > deadline:
                sys.exit(f"serve.py: the server's first build did not publish within {TIMEOUT_S} s (see {log})")
            time.sleep(0.05)
            seen = version()
        for run in range(int(first), int(first) + int(count)):
            time.sleep(1.0)
            cpu_before, start = cpu_s(), time.monotonic()
            with open(doc, "a", encoding="utf-8") as f:
                f.write(f"\n追記（serve {run}）：従業員等は業務で利用する端末を適切に管理しなければならない。\n")
            status = "ok"
            while True:
                now = version()
                if now != seen:
                    break
                if time.monotonic() - start > TIMEOUT_S:
                    status = "timeout"
                    break
                time.sleep(0.002)
            wall = time.monotonic() - start
            seen = now
            with open(tsv, "a", encoding="utf-8") as f:
                f.write(f"{tool}\t{n}\t{phase}\t{run}\t{wall:.4f}\t{peak_kib()}\t{status}\t{cpu_s() - cpu_before:.4f}\n")
            print(f"   {tool:<10} N={n:<7} {phase:<12} run {run}: {wall:.3f} s", file=sys.stderr)
            if status != "ok":
                break
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
