import { readFileSync } from 'node:fs';

/**
 * CPU time from /proc: of one process (all its threads: the thread-group leader's stat sums
 * them) and of the whole machine, so a run can say how much of the two cores the translator
 * took and how busy the machine was (kernel forwarding shows up only there, as softirq time).
 */

/** Clock ticks per second of /proc times (USER_HZ; 100 on every Linux architecture we run on). */
const USER_HZ = 100;

/** utime + stime of `pid` in seconds; NaN when the process is gone. */
export function processCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
  } catch {
    return NaN;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) are the 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

export interface MachineCpu {
  /** Seconds of CPU busy summed over cores. */
  readonly busy: number;
  /** Of which in softirq (packet forwarding in the kernel). */
  readonly softirq: number;
  /** Seconds of CPU available summed over cores. */
  readonly total: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / USER_HZ, softirq: softirq! / USER_HZ, total: (busy + idle! + iowait!) / USER_HZ };
}

export function machineCpuSince(start: MachineCpu): MachineCpu {
  const now = machineCpu();
  return { busy: now.busy - start.busy, softirq: now.softirq - start.softirq, total: now.total - start.total };
}
