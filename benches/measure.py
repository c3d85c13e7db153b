#!/usr/bin/env python3
"""Runs one command and appends its wall time and peak RSS to the benchmark's TSV.

usage: measure.py TSV LOG TOOL N PHASE RUN TIMEOUT -- COMMAND...

Wall time is taken around the child alone (this interpreter's start-up is not in it); the peak
RSS is the child's `ru_maxrss` from wait4(2) (the largest of the process and the children it
waited for, in KiB). A command that runs past TIMEOUT seconds is killed and recorded as
`timeout`; a non-zero exit as `exit-N` (its output's last lines go to stderr).
"""
import os
import signal
import subprocess
import sys
import threading
import time

tsv, log, tool, n, phase, run, limit, sep, *command = sys.argv[1:]
assert sep == "--" and command, __doc__
with open(log, "wb") as out:
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = []

    def kill():
        timed_out.append(True)
        os.killpg(child.pid, signal.SIGKILL)

    timer = threading.Timer(float(limit), kill)
    timer.start()
    _, status, usage = os.wait4(child.pid, 0)
    timer.cancel()
    wall = time.perf_counter() - start
if timed_out:
    state = "timeout"
elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
    state = "ok"
else:
    state = f"exit-{os.WEXITSTATUS(status) if os.WIFEXITED(status) else 'signal'}"
    with open(log, "rb") as f:
        sys.stderr.write(b"\n".join(f.read().splitlines()[-5:]).decode("utf-8", "replace") + "\n")
rss = usage.ru_maxrss
with open(tsv, "a", encoding="utf-8") as f:
    f.write(f"{tool}\t{n}\t{phase}\t{run}\t{wall:.4f}\t{rss}\t{state}\n")
sys.stderr.write(f"   {tool:<10} N={n:<7} {phase:<12} run {run}: {wall:.3f} s, {rss // 1024} MiB {state}\n")
