/**
 * CPU time of other processes, from Linux's /proc: how much of the machine a relay or a browser
 * used over a benchmark window. Everything returns undefined (or nothing) off Linux.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; undefined off Linux. */
export function cpuSeconds(pid: number, ticksPerSecond = 100): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based).
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond : undefined;
  } catch {
    return undefined;
  }
}

/** Pids whose command line contains `needle` (e.g. a profile directory); empty off Linux. */
export function pidsMatching(needle: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * CPU seconds used so far by all processes matching each needle (a browser's processes share
 * its profile path in their command lines); undefined when one matches nothing.
 */
export function cpuOf(needles: Record<string, string>): Record<string, number> | undefined {
  const totals: Record<string, number> = {};
  for (const [name, needle] of Object.entries(needles)) {
    const pids = pidsMatching(needle);
    if (pids.length === 0) return undefined;
    totals[name] = pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  }
  return totals;
}
