import { spawn } from "node:child_process";
import { existsSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";

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
  const rm = spawn("nice", ["-n", "19", "rm", "-rf", "--", doomed], { detached: true, stdio: "ignore" });
  rm.on("error", () => undefined);
  rm.unref();
}
