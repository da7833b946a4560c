import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_NODE_FLAGS } from "../services/common/limits.js";
import { PROJECT_ROOT, ProcessGroup, SERVICE_ENTRY } from "../testbed/process-group.js";

describe("every service runs with its heap budget", () => {
  it("is given to a service by the scripts that start one, and to nothing else", async () => {
    const group = new ProcessGroup();
    const quiet = () => undefined;
    // An unknown service name ends the program at once; only its command line matters here.
    const service = group.spawnScript("svc", SERVICE_ENTRY, ["shipping"], {}, quiet);
    const other = group.spawnScript("other", "services/health-check.ts", ["127.0.0.1:1"], {}, quiet);
    await Promise.all([service.exited, other.exited]);
    expect(service.child.spawnargs).to.include.members([...SERVICE_NODE_FLAGS]);
    expect(service.child.spawnargs.indexOf(SERVICE_NODE_FLAGS[0])).to.be.lessThan(service.child.spawnargs.indexOf(SERVICE_ENTRY));
    expect(other.child.spawnargs).not.to.include.members([...SERVICE_NODE_FLAGS]);
  });

  it("is in the image's entry point", () => {
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(PROJECT_ROOT, "Dockerfile"), "utf8"));
    expect(entry, "Dockerfile has a JSON ENTRYPOINT").to.not.equal(null);
    expect(JSON.parse(entry![1]!)).to.deep.equal(["node", ...SERVICE_NODE_FLAGS, "dist/services/main.js"]);
  });
});
