import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "./process-group.js";

const run = promisify(execFile);
let built: Promise<void> | undefined;

/**
 * Compiles the services, as the image's build does, and the bare chains' node into
 * dist-lab/ (tsconfig.lab.json), once per process. The lab measures the compiled
 * code, which is what the image ships: tsx's loader costs nothing per order, but
 * it has no place in a measurement.
 */
export function ensureBuilt(): Promise<void> {
  built ??= run(process.execPath, [join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.lab.json"], { cwd: PROJECT_ROOT }).then(
    () => undefined,
    (err: { stdout?: string; message: string }) => {
      built = undefined;
      throw new Error(`compiling the lab (tsconfig.lab.json) failed: ${err.stdout || err.message}`);
    },
  );
  return built;
}
