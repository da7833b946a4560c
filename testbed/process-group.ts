import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVICE_NODE_FLAGS } from "../services/common/limits.js";
import { projectRoot } from "../services/common/project-root.js";

// The same whether this runs from the source or compiled into dist/.
export const PROJECT_ROOT = projectRoot(fileURLToPath(import.meta.url));
/** The one program that runs every service (the image's entry point runs its build). */
export const SERVICE_ENTRY = "services/main.ts";
/** Where the lab's compiled programs are (tsconfig.lab.json; see ensureBuilt()): dist/ stays what the image ships. */
export const LAB_BUILD_DIR = "dist-lab";

const COLORS = [36, 35, 33, 32, 34, 31];

// pino-pretty is a development dependency: loaded only when a terminal will show the lines.
const pretty = process.stderr.isTTY
  ? (await import("pino-pretty")).prettyFactory({ colorize: true, singleLine: true, ignore: "pid,name", translateTime: "HH:MM:ss.l" })
  : undefined;

/** One pino JSON line as pino-pretty writes it; other lines unchanged. */
function prettyLine(line: string): string {
  if (!pretty || !line.startsWith("{")) return line;
  try {
    return pretty(JSON.parse(line)).trimEnd();
  } catch {
    return line;
  }
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** Where prefixed output lines go; defaults to this process's stderr. */
  sink?: (line: string) => void;
}

/**
 * Child processes with prefixed, coloured output ("[billing] ...") that are
 * stopped together: SIGTERM first, SIGKILL after the grace period.
 */
export class ProcessGroup {
  readonly processes: ManagedProcess[] = [];
  #colour = 0;

  spawn(options: SpawnOptions): ManagedProcess {
    const child = spawn(options.command, options.args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a Ctrl-C in the terminal reaches only this supervisor, which
      // then stops each child once, in order, instead of every process getting two signals.
      detached: true,
    });
    if (this.processes.length === 0) process.once("exit", this.#killAll);
    const colour = COLORS[this.#colour++ % COLORS.length];
    const tty = process.stderr.isTTY;
    const prefix = tty ? `\x1b[${colour}m[${options.name}]\x1b[0m ` : `[${options.name}] `;
    const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
    // JSON log lines are printed readably when a person watches a terminal; anything else gets them as they are.
    const readable = tty && !options.sink ? prettyLine : (line: string) => line;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (line) => sink(prefix + readable(line)));
    }
    const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    const managed = { name: options.name, child, exited };
    this.processes.push(managed);
    this.#watch?.(managed);
    return managed;
  }

  /**
   * Starts a project entry point: the TypeScript source under tsx, or with `compiled` its build
   * ("services/main.ts" runs dist-lab/services/main.js; see ensureBuilt()). `nodeArgs` go to node
   * itself (e.g. --cpu-prof, which NODE_OPTIONS refuses). A service gets its heap budget
   * (SERVICE_NODE_FLAGS) first, so `nodeArgs` can override it.
   */
  spawnScript(
    name: string,
    script: string,
    args: string[],
    env?: Record<string, string | undefined>,
    sink?: (line: string) => void,
    how: { compiled?: boolean; nodeArgs?: string[]; exec?: string[] } = {},
  ): ManagedProcess {
    const entry = how.compiled ? [join(PROJECT_ROOT, LAB_BUILD_DIR, script.replace(/\.ts$/, ".js"))] : ["--import", "tsx", script];
    const heap = script === SERVICE_ENTRY ? SERVICE_NODE_FLAGS : [];
    // `exec` runs node through a prefix, e.g. `ip netns exec NS` for a host of the lab network; it
    // execs node in its own place, so the child's pid is node's (signals and CPU time reach it).
    const [command, ...prefix] = [...(how.exec ?? []), process.execPath];
    return this.spawn({ name, command, args: [...prefix, ...heap, ...(how.nodeArgs ?? []), ...entry, ...args], env, sink });
  }

  /**
   * For the start scripts: on SIGINT/SIGTERM, or when any member exits on its
   * own, stop them all, run `after` (e.g. stop a managed broker), then exit.
   */
  superviseUntilStopped(after: () => Promise<void> = () => Promise.resolve()): void {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await this.stop();
      await after();
      process.exit(code);
    };
    process.on("SIGINT", () => void stop(0));
    process.on("SIGTERM", () => void stop(0));
    // A closed terminal: without this the supervisor would die at once and leave its detached children running.
    process.on("SIGHUP", () => void stop(0));
    this.#watch = (p) =>
      void p.exited.then((code) => {
        if (stopping) return;
        process.stderr.write(`[${p.name}] exited with ${code}; stopping the others\n`);
        void stop(1);
      });
    // Those running now, and every process spawned from now on.
    for (const p of this.processes) this.#watch(p);
  }

  /** Set once supervised: what a process spawned afterwards is watched with. */
  #watch?: (p: ManagedProcess) => void;

  // Last resort if this process ends without stop(): detached children would outlive it.
  readonly #killAll = (): void => {
    for (const p of this.processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  };

  async stop(graceMs = 15_000): Promise<void> {
    const running = this.processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of running) p.child.kill("SIGTERM");
    const timer = setTimeout(() => running.forEach((p) => p.child.kill("SIGKILL")), graceMs);
    await Promise.all(running.map((p) => p.exited));
    clearTimeout(timer);
    process.off("exit", this.#killAll);
  }
}

/** Every JSON log record of `logFile` whose message is `msg`, logged at `from` (epoch ms) or later, with its time. */
export function loggedRecords(logFile: string, msg: string, from: number): Array<{ t: number; record: Record<string, unknown> }> {
  const found: Array<{ t: number; record: Record<string, unknown> }> = [];
  for (const text of readFileSync(logFile, "utf8").split("\n")) {
    if (!text.includes(`"${msg}"`)) continue;
    try {
      const record = JSON.parse(text.slice(text.indexOf("{"))) as Record<string, unknown>;
      const time = record.time as number | string | undefined;
      const t = typeof time === "string" ? Date.parse(time) : time;
      if (t !== undefined && t >= from) found.push({ t, record });
    } catch {
      // Not a log record.
    }
  }
  return found;
}

/** When a process first logged `msg` at `from` (epoch ms) or later; undefined when it did not. */
export function loggedAt(logFile: string, msg: string, from: number): number | undefined {
  return loggedRecords(logFile, msg, from)[0]?.t;
}
