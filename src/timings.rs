//! What `KITEI_TIMINGS=1` measures with, for every layer that reports a figure (the commands'
//! phases in [`crate::cmd::Timings`], the rule families in [`crate::check`]).

/// Whether `KITEI_TIMINGS` is set to something other than empty or `0`.
pub fn enabled() -> bool {
    std::env::var_os("KITEI_TIMINGS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// The CPU time this process has used so far (all threads), in seconds.
pub fn process_cpu_seconds() -> f64 {
    clock_seconds(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// The CPU time of the calling thread so far, in seconds.
pub fn thread_cpu_seconds() -> f64 {
    clock_seconds(libc::CLOCK_THREAD_CPUTIME_ID)
}

fn clock_seconds(clock: libc::clockid_t) -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(clock, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Resident memory now and its peak so far (`VmRSS`, `VmHWM` of /proc/self/status), in MiB;
/// zeros where the system does not tell. The peak is the one `/usr/bin/time` reports at exit.
pub fn resident_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The parts of one phase (`KITEI_TIMINGS=1`): each [`Parts::lap`] prints the wall and CPU
/// time (all threads) since the previous one, indented under the phase's own line.
pub struct Parts {
    phase: &'static str,
    last: Option<(std::time::Instant, f64)>,
}

impl Parts {
    pub fn start(phase: &'static str) -> Parts {
        Parts {
            phase,
            last: enabled().then(|| (std::time::Instant::now(), process_cpu_seconds())),
        }
    }

    pub fn lap(&mut self, part: &str) {
        if let Some((then, then_cpu)) = self.last {
            let (now, cpu) = (std::time::Instant::now(), process_cpu_seconds());
            let (rss, peak) = resident_mib();
            eprintln!(
                "timing:   {} {part:<20} cpu {:>8.1} ms  wall {:>8.1} ms  rss {rss:>5} MiB, peak so far {peak:>5} MiB",
                self.phase,
                (cpu - then_cpu) * 1e3,
                (now - then).as_secs_f64() * 1e3
            );
            self.last = Some((now, cpu));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_clocks_move_forward() {
        let (p, t) = (super::process_cpu_seconds(), super::thread_cpu_seconds());
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(std::hint::black_box(i));
        }
        std::hint::black_box(x);
        assert!(super::process_cpu_seconds() > p);
        assert!(super::thread_cpu_seconds() > t);
    }
}
