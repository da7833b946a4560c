import { expect } from "chai";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../testbed/process-group.js";

const run = promisify(execFile);
const BUF = join(PROJECT_ROOT, "node_modules/.bin/buf");

/** `buf breaking` of a module against another, with the project's rules (buf.yaml: FILE). */
async function breaking(against: string, cwd = PROJECT_ROOT): Promise<{ ok: boolean; out: string }> {
  return run(BUF, ["breaking", "--against", against], { cwd }).then(
    ({ stdout }) => ({ ok: true, out: stdout }),
    (err: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` }),
  );
}

describe("the wire schema stays compatible (buf breaking)", function () {
  this.timeout(60_000);

  it("proto/ as it stands is wire-compatible with the main branch (or the last commit, where there is no main)", async () => {
    const hasMain = await run("git", ["rev-parse", "--verify", "--quiet", "refs/heads/main"], { cwd: PROJECT_ROOT }).then(
      () => true,
      () => false,
    );
    const result = await breaking(hasMain ? ".git#branch=main" : ".git#ref=HEAD");
    expect(result.ok, result.out).to.equal(true);
  });

  it("would fail a change that breaks the wire: a field's number reused with another type", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gvn-breaking-"));
    try {
      cpSync(join(PROJECT_ROOT, "proto"), join(dir, "proto"), { recursive: true });
      cpSync(join(PROJECT_ROOT, "buf.yaml"), join(dir, "buf.yaml"));
      const file = join(dir, "proto/shop/v1/order.proto");
      const text = readFileSync(file, "utf8");
      const changed = text.replace(/string order_id = 1;/, "int64 order_id = 1;");
      expect(changed, "the edit applies").to.not.equal(text);
      writeFileSync(file, changed);
      const result = await breaking(PROJECT_ROOT, dir);
      expect(result.ok).to.equal(false);
      expect(result.out).to.match(/order_id.*type|type.*order_id/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
