import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awaitBackgroundRemovals, REMOVALS, removeInBackground } from "../../testbed/remove-in-background.js";

describe("removing a directory in the background", () => {
  let parent: string;
  beforeEach(() => (parent = mkdtempSync(join(tmpdir(), "gvn-remove-"))));
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it("frees the path at once, and the files go soon after", async () => {
    const dir = join(parent, "data");
    mkdirSync(join(dir, "invoices"), { recursive: true });
    for (let i = 0; i < 200; i++) writeFileSync(join(dir, "invoices", `${i}.html`), "<p>invoice</p>");
    removeInBackground(dir);
    expect(existsSync(dir)).to.equal(false);
    const deadline = Date.now() + 10_000;
    while (readdirSync(parent).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(parent)).to.deep.equal([]);
  });

  it("lets the next run wait until an earlier removal is done", async () => {
    const dir = join(parent, "data");
    mkdirSync(dir);
    for (let i = 0; i < 2_000; i++) writeFileSync(join(dir, `${i}.eml`), "mail");
    removeInBackground(dir);
    await awaitBackgroundRemovals(() => undefined, 30_000);
    expect(readdirSync(parent)).to.deep.equal([]);
  });

  it("finishes a removal that was killed half-way", async () => {
    const doomed = join(parent, ".data-removing-killed");
    mkdirSync(doomed);
    writeFileSync(join(doomed, "1.eml"), "mail");
    const gone = spawnSync("true").pid;
    mkdirSync(REMOVALS, { recursive: true });
    writeFileSync(join(REMOVALS, String(gone)), doomed);
    await awaitBackgroundRemovals(() => undefined, 30_000);
    expect(readdirSync(parent)).to.deep.equal([]);
    expect(existsSync(join(REMOVALS, String(gone)))).to.equal(false);
  });

  it("does nothing when the directory is not there", () => {
    removeInBackground(join(parent, "absent"));
    expect(readdirSync(parent)).to.deep.equal([]);
  });
});
