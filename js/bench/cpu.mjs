// cpu.mjs — CPU time of a Chromium launched by scripts/web/chromium.mjs,
// read from Linux's /proc: the browser process (the one whose command line
// names its profile directory) and all its descendants (zygotes, renderers,
// the workers' threads inside them). The benchmarks divide documents by it
// beside the wall clock: on a shared machine a page that waits for a core
// loses wall-clock time but not CPU time (docs/speed.md, "The benchmark's
// method").
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticks = 0;
function clockTicks() {
  if (!ticks) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

// stat returns { ppid, ticks } of process pid (utime + stime of all its
// threads), or null when it has gone.
function stat(pid) {
  let s;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
}

/**
 * cpuMeter(profile) returns a function that reads the CPU seconds used so
 * far by the Chromium whose --user-data-dir is profile, or null when /proc
 * cannot tell (not Linux, or no such process): then every reading is NaN.
 */
export function cpuMeter(profile) {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const pids = () => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  let root = 0;
  for (const pid of pids()) {
    let cmd;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes(`--user-data-dir=${profile}\0`) || cmd.endsWith(`--user-data-dir=${profile}`)) {
      const st = stat(pid);
      // The browser process: its parent does not name the profile.
      let parentCmd = '';
      try {
        parentCmd = fs.readFileSync(`/proc/${st?.ppid}/cmdline`, 'utf8');
      } catch {}
      if (st && !parentCmd.includes(`--user-data-dir=${profile}`)) root = pid;
    }
  }
  if (!root) return null;
  const hz = clockTicks();
  return () => {
    const all = new Map();
    for (const pid of pids()) {
      const st = stat(pid);
      if (st) all.set(pid, st);
    }
    let total = 0;
    for (const [pid, st] of all) {
      // Count pid when root is among its ancestors (or is pid).
      for (let p = pid, hops = 0; p > 1 && hops < 64; p = all.get(p)?.ppid ?? 0, hops++) {
        if (p === root) {
          total += st.ticks;
          break;
        }
      }
    }
    return total / hz;
  };
}
