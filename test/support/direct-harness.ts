import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../../testbed/audit/ledger.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";
import { DirectWorkflowClient } from "../../services/direct/workflow-client.js";
import type { Harness } from "./harness.js";

/** The three cores in this process over real databases in a temp dir: no servers, no broker. */
export async function makeDirectHarness(): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-direct-"));
  const client = new DirectWorkflowClient({ dataDir });
  const ledger = new Ledger(dataDir);
  return {
    client,
    ledger,
    capabilities: CAPABILITIES.direct,
    async close() {
      await client.close();
      ledger.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
