import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../../scripts/audit/ledger.js";
import { CAPABILITIES } from "../../scripts/lib/stack/capabilities.js";
import { InProcessWorkflowClient } from "../../services/in-process/workflow-client.js";
import type { Harness } from "./harness.js";

/** The three cores in this process over real databases in a temp dir: no servers, no broker. */
export async function makeInProcessHarness(): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), "gvn-in-process-"));
  const client = new InProcessWorkflowClient({ dataDir });
  const ledger = new Ledger(dataDir);
  return {
    client,
    ledger,
    capabilities: CAPABILITIES["in-process"],
    async close() {
      await client.close();
      ledger.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
