//! `kitei-measure`: runs one command for `benches/run.sh` and appends its wall time and peak RSS
//! to the benchmark's TSV.
//!
//! usage: kitei-measure TSV LOG TOOL N PHASE RUN TIMEOUT -- COMMAND...
//!
//! Wall time is taken around the child alone; CPU time (user + system) and the peak RSS (the
//! largest of the process and the children it waited for, in KiB) come from the child's
//! rusage, from wait4(2). The TSV line: tool, n, phase, run, wall s, RSS KiB, state, CPU s. A command that
//! runs past TIMEOUT seconds is killed with its process group and recorded as `timeout`; a
//! non-zero exit as `exit-N` (the last lines of its output go to stderr). The child's stdout and
//! stderr go to LOG. A compiled program rather than a script: on a loaded 2-core machine an
//! interpreter's start-up costs more than a no-op build, and a benchmark's self-test runs this
//! some fifty times.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: kitei-measure TSV LOG TOOL N PHASE RUN TIMEOUT -- COMMAND...";
    if args.len() < 9 || args[7] != "--" {
        fail(usage);
    }
    let (tsv, log, tool, n, phase, run) =
        (&args[0], &args[1], &args[2], &args[3], &args[4], &args[5]);
    let limit: f64 = args[6]
        .parse()
        .unwrap_or_else(|_| fail(&format!("TIMEOUT must be seconds, not {:?}", args[6])));
    let out = File::create(log).unwrap_or_else(|e| fail(&format!("{log}: {e}")));
    let err = out
        .try_clone()
        .unwrap_or_else(|e| fail(&format!("{log}: {e}")));

    let start = Instant::now();
    // Reaped by `wait4` below, which also reports the child's resource usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(&args[8])
        .args(&args[9..])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot run {}: {e}", args[8])));
    let pid = child.id() as libc::pid_t;
    // The timer kills the child's whole process group; if the child ends first, this process
    // exits before the timer wakes.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(limit));
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    });
    let (status, usage) = wait4(pid);
    let wall = start.elapsed().as_secs_f64();
    let timed_out = wall >= limit && libc::WIFSIGNALED(status);

    let state = if timed_out {
        "timeout".to_string()
    } else if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        "ok".to_string()
    } else {
        let tail = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = tail.lines().collect();
        eprintln!("{}", lines[lines.len().saturating_sub(5)..].join("\n"));
        if libc::WIFEXITED(status) {
            format!("exit-{}", libc::WEXITSTATUS(status))
        } else {
            "exit-signal".to_string()
        }
    };
    let rss_kib = usage.ru_maxrss;
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(tsv)
        .unwrap_or_else(|e| fail(&format!("{tsv}: {e}")));
    writeln!(
        f,
        "{tool}\t{n}\t{phase}\t{run}\t{wall:.4}\t{rss_kib}\t{state}\t{cpu:.4}"
    )
    .unwrap_or_else(|e| fail(&format!("{tsv}: {e}")));
    eprintln!(
        "   {tool:<10} N={n:<7} {phase:<12} run {run}: {wall:.3} s ({cpu:.3} s CPU), {} MiB {state}",
        rss_kib / 1024
    );
}

/// Waits for `pid` and returns its wait status and resource usage (retrying on EINTR).
fn wait4(pid: libc::pid_t) -> (libc::c_int, libc::rusage) {
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return (status, usage);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            fail(&format!("wait4: {e}"));
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("kitei-measure: {message}");
    std::process::exit(2)
}
