import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { ENTRY_VAR } from "../testbed/stack/stack.js";

const run = promisify(execFile);

/** Where a start script says its system is reached, from the line it prints once everything is up. */
const READY: Record<string, RegExp> = {
  grpc: /^\[start:grpc\] the order service at (\S+);/,
  nats: /^\[start:nats\] managed nats-server \S+ at (\S+) /,
};

describe("npm run start:grpc and start:nats", function () {
  this.timeout(120_000);

  for (const mode of ["grpc", "nats"] as const)
    it(`start:${mode} brings the mode up through the stack starter, serves an order, and stops everything on Ctrl-C`, async () => {
      const dir = await mkdtemp(join(tmpdir(), `gvn-start-${mode}-`));
      const child = spawn(process.execPath, ["--import", "tsx", `scripts/start-${mode}.ts`], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATA_DIR: dir, NATS_URL: "", LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const seen: string[] = [];
      try {
        const entry = await new Promise<string>((resolve, reject) => {
          createInterface({ input: child.stderr }).on("line", (line) => {
            seen.push(line);
            const m = READY[mode]!.exec(line);
            if (m) resolve(m[1]!);
          });
          void exited.then((code) => reject(new Error(`start:${mode} exited with ${code} before it was up:\n${seen.join("\n")}`)));
        });
        const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--mode", mode], {
          cwd: PROJECT_ROOT,
          env: { ...process.env, ...Object.fromEntries(Object.values(ENTRY_VAR).map((v) => [v, ""])), [ENTRY_VAR[mode]]: entry },
          timeout: 60_000,
        });
        expect(stdout.match(/: ORDER_STATUS_COMPLETED, /g), stdout).to.have.lengthOf(2);
        child.kill("SIGINT");
        expect(await exited, seen.join("\n")).to.equal(0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        await rm(dir, { recursive: true, force: true });
      }
    });
});
