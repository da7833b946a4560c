import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Order } from "../../services/gen/shop/v1/order.js";
import { DirectWorkflowClient } from "../../services/direct/workflow-client.js";
import type { LoadTarget } from "../../testbed/load/load-generator.js";

/** CPU ms this process has used since `from` (user + system). */
function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/** The work floor's CPU so far, per core, in ms. */
export interface FloorCpu {
  order: number;
  billing: number;
  notification: number;
}

export interface WorkFloor {
  /** Where the three cores keep their databases, invoice documents and e-mails. */
  dataDir: string;
  target: LoadTarget;
  cpu(): FloorCpu;
  stop(): Promise<void>;
}

/**
 * One order's own work with no transport at all: the direct adapter (the
 * three services' cores in this process, over their real databases and files,
 * with the same code, settings and durability as the services), with each
 * core's CPU measured around its calls. Every port call completes within the
 * microtasks of its placement and placements run one at a time, so the
 * process's CPU time around each call is that call's work alone, whatever else
 * the process (the load generator) does between placements. A mode's CPU per
 * order is, roughly, its bare transport chain plus this plus what joins the
 * two; measured apart, the sum is an estimate, not a bound.
 */
export async function startWorkFloor(dataDir?: string): Promise<WorkFloor> {
  // With `dataDir` the databases and files stay for the lab to remove at the end of its run.
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "gvn-floor-")));
  const spent: FloorCpu = { order: 0, billing: 0, notification: 0 };
  const measured = async <T>(core: "billing" | "notification", call: () => Promise<T>): Promise<T> => {
    const from = process.cpuUsage();
    try {
      return await call();
    } finally {
      spent[core] += cpuSince(from);
    }
  };
  const client = new DirectWorkflowClient({
    dataDir: dir,
    wrapBilling: (port) => ({ createInvoice: (order, ctx) => measured("billing", () => port.createInvoice(order, ctx)) }),
    wrapNotifier: (port) => ({ sendOrderConfirmation: (request, ctx) => measured("notification", () => port.sendOrderConfirmation(request, ctx)) }),
  });
  const placeMeasured = async (order: Order) => {
    const from = process.cpuUsage();
    const before = spent.billing + spent.notification;
    try {
      await client.placeOrder(order);
    } finally {
      // The order core's share: the placement less the two cores it called.
      spent.order += cpuSince(from) - (spent.billing + spent.notification - before);
    }
  };
  // One placement at a time: orders sent in the same tick would otherwise interleave their
  // microtasks, and each one's CPU window would hold the others' work.
  let queue: Promise<void> = Promise.resolve();
  return {
    dataDir: dir,
    target: {
      name: "work-floor",
      answerMeansComplete: true,
      place(order) {
        const placed = queue.then(() => placeMeasured(order));
        queue = placed.catch(() => undefined);
        return placed;
      },
    },
    cpu: () => ({ ...spent }),
    async stop() {
      await client.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
