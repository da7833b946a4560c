import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of a live process in ms (Linux /proc), or undefined once it is gone. */
export function processCpuMs(pid: number | undefined): number | undefined {
  return pid ? cpuMsOf(`/proc/${pid}/stat`) : undefined;
}

/**
 * User + system CPU time of a live process's main thread in ms: a Node process's JavaScript (its
 * event loop), without the garbage collector's and libuv's helper threads, which run beside it.
 */
export function mainThreadCpuMs(pid: number | undefined): number | undefined {
  return pid ? cpuMsOf(`/proc/${pid}/task/${pid}/stat`) : undefined;
}

/** A /proc stat file's fields after the command name, which may itself contain spaces: [0] is the state, [11] utime, [12] stime. */
function statFields(statFile: string): string[] | undefined {
  try {
    const stat = readFileSync(statFile, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function cpuMsOf(statFile: string): number | undefined {
  const fields = statFields(statFile);
  return fields ? ((Number(fields[11]) + Number(fields[12])) / clockTicks()) * 1000 : undefined;
}

/** A live process's state letter (R, S, D, Z, …), or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  return statFields(`/proc/${pid}/stat`)?.[0];
}

/** The peak resident set size of a live process in MiB (VmHWM in /proc/<pid>/status), or undefined once it is gone. */
export function processPeakRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** The machine's CPU time so far (jiffies, all cores): all of it, and idle with I/O wait. */
export function machineTicks(): { all: number; idle: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  return { all: f.reduce((a, b) => a + b, 0), idle: f[3]! + f[4]! };
}

/** The machine's busy CPU time so far (all cores, idle and I/O wait left out), in ms. */
export function machineBusyMs(): number {
  const t = machineTicks();
  return ((t.all - t.idle) / clockTicks()) * 1000;
}
