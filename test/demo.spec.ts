import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MODES } from "../services/common/config.js";
import { PROJECT_ROOT } from "../testbed/process-group.js";

const run = promisify(execFile);

describe("npm run demo", function () {
  this.timeout(120_000);

  for (const mode of MODES)
    it(`--mode ${mode} places the samples, and prints where each completed order's invoice and e-mail are`, async () => {
      const dir = await mkdtemp(join(tmpdir(), `gvn-demo-${mode}-`));
      try {
        const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--mode", mode], {
          cwd: PROJECT_ROOT,
          env: { ...process.env, DATA_DIR: dir, ORDER_SERVICE_ADDR: "", NATS_URL: "" },
          timeout: 100_000,
        });
        expect(stdout).to.match(new RegExp(`^${mode} mode at `));
        expect(stdout.match(/: ORDER_STATUS_COMPLETED, /g), stdout).to.have.lengthOf(2);
        const invoices = [...stdout.matchAll(/^ {4}invoice: (.+)$/gm)].map((m) => m[1]!);
        const mails = [...stdout.matchAll(/^ {4}e-mail: {2}(.+)$/gm)].map((m) => m[1]!);
        expect(invoices, stdout).to.have.lengthOf(2);
        expect(mails, stdout).to.have.lengthOf(2);
        for (const file of [...invoices, ...mails]) {
          expect(file.startsWith(dir), file).to.equal(true);
          expect(existsSync(file), file).to.equal(true);
        }
        expect(readFileSync(invoices[0]!, "utf8")).to.include("Ada Lovelace");
        expect(readFileSync(mails[1]!, "utf8")).to.include("alexey@example.ru");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
});
