import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { processState } from "./proc-cpu.js";

/** Where a removal under way leaves its pid, so that the next lab run can wait for it. */
export const REMOVALS = join(tmpdir(), "grpc-vs-nats-removals");

/**
 * Removes a directory without waiting for it: renamed out of the way at once (so the path is free),
 * then deleted by a detached, low-priority `rm` that outlives this process. A lab run leaves
 * hundreds of thousands of small files (an invoice and an e-mail per order); deleting them took
 * about 40 s here, which the report does not need to wait for.
 */
export function removeInBackground(dir: string): void {
  if (!existsSync(dir)) return;
  const doomed = join(dirname(dir), `.${basename(dir)}-removing-${process.pid}-${Date.now().toString(36)}`);
  renameSync(dir, doomed);
  const rm = spawn("nice", ["-n", "19", "ionice", "-c", "3", "rm", "-rf", "--", doomed], { detached: true, stdio: "ignore" });
  rm.on("error", () => undefined);
  if (rm.pid !== undefined) {
    mkdirSync(REMOVALS, { recursive: true });
    writeFileSync(join(REMOVALS, String(rm.pid)), doomed);
  }
  rm.unref();
}

/**
 * Whether the removal `pid` still works on `path`. Its command line reads empty while `nice` execs
 * `ionice` and `ionice` execs `rm` (seen in 7 of 300 reads right after the spawn), so an empty one
 * counts as ours; a different one means the pid now belongs to another process.
 */
const running = (pid: number, path: string) => {
  const state = processState(pid);
  if (state === undefined || state === "Z") return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline === "" || cmdline.includes(path);
  } catch {
    return false;
  }
};

/**
 * Waits (up to `timeoutMs`) until the removals that earlier runs left in the background are done:
 * while one deletes, and for a while after, creating a file costs several times more on this kind
 * of disk, and every order creates two. Says so once when it has to wait.
 */
export async function awaitBackgroundRemovals(log: (line: string) => void, timeoutMs = 300_000): Promise<void> {
  if (!existsSync(REMOVALS)) return;
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (const name of readdirSync(REMOVALS)) {
    const marker = join(REMOVALS, name);
    let path: string;
    try {
      path = readFileSync(marker, "utf8");
    } catch {
      continue; // another run's wait took it away
    }
    while (running(Number(name), path) && Date.now() < deadline) {
      if (!told) log(`waiting for an earlier run's data to be removed (${path})`);
      told = true;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (running(Number(name), path)) continue;
    rmSync(marker, { force: true });
    // A removal killed half-way (someone killed it, the machine restarted) is finished here.
    rmSync(path, { recursive: true, force: true });
  }
}
