// ad-hoc: the in-process workflow back to back, for profiling (not committed)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InProcessWorkflowClient } from "../services/in-process/workflow-client.js";
import { labOrder } from "./lab/run/lab-order.js";
const dir = mkdtempSync(join(tmpdir(), "gvn-fb-"));
const c = new InProcessWorkflowClient({ dataDir: dir });
const n = Number(process.argv[2] ?? 3000);
for (let i = 0; i < 300; i++) await c.placeOrder(labOrder("warm", i));
const from = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < n; i++) await c.placeOrder(labOrder("r", i));
const d = process.cpuUsage(from);
console.log(
  `cpu ms/order ${((d.user + d.system) / 1000 / n).toFixed(3)} (user ${(d.user / 1000 / n).toFixed(3)} sys ${(d.system / 1000 / n).toFixed(3)}) wall ${((performance.now() - t0) / n).toFixed(3)}`,
);
await c.close();
