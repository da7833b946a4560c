import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { headers } from "nats";
import { connectTuned } from "../../services/nats/connection.js";
import { Order } from "../../services/gen/shop/v1/order.js";
import { ensureBuilt } from "../../testbed/build.js";
import { freePort } from "../../testbed/free-port.js";
import { startNatsServer } from "../../testbed/nats-server.js";
import { ProcessGroup } from "../../testbed/process-group.js";
import type { LoadTarget } from "../../testbed/load/load-generator.js";
import { RAW_DONE, rawCall, rawGrpcClient } from "./raw-chain-node.js";

export interface RawChain {
  target: LoadTarget;
  /** The chain's node processes, for CPU and memory readings. */
  pids(): Record<string, number | undefined>;
  brokerPid(): number | undefined;
  stop(): Promise<void>;
}

function nodePids(group: ProcessGroup): Record<string, number | undefined> {
  return Object.fromEntries(group.processes.map((p) => [p.name, p.child.pid]));
}

const NODE = "lab/systems/raw-chain-node.ts";
// Measured as built, like the services they are compared with.
const COMPILED = { compiled: true };

async function waitFor(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`raw chain: ${what} not ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** client -> A -> (B, C) over bare grpc-js, three processes, the same payload bytes as an order. */
export async function startRawGrpcChain(): Promise<RawChain> {
  await ensureBuilt();
  const group = new ProcessGroup();
  const [a, b, c] = [await freePort(), await freePort(), await freePort()];
  const sink = () => undefined;
  group.spawnScript("raw-b", NODE, ["grpc", "b", `127.0.0.1:${b}`], {}, sink, COMPILED);
  group.spawnScript("raw-c", NODE, ["grpc", "c", `127.0.0.1:${c}`], {}, sink, COMPILED);
  group.spawnScript("raw-a", NODE, ["grpc", "a", `127.0.0.1:${a}`, `127.0.0.1:${b}`, `127.0.0.1:${c}`], {}, sink, COMPILED);
  const client = rawGrpcClient(`127.0.0.1:${a}`);
  const probe = Buffer.from("ping");
  await waitFor(async () => (await rawCall(client, probe)).length > 0, "gRPC chain");
  return {
    target: {
      name: "raw-grpc",
      answerMeansComplete: true,
      async place(order) {
        await rawCall(client, Buffer.from(Order.encode(order).finish()));
      },
    },
    pids: () => nodePids(group),
    brokerPid: () => undefined,
    async stop() {
      client.close();
      await group.stop();
    },
  };
}

/**
 * publish -> A -> two publishes -> B, C over bare JetStream, on a private nats-server. With `dataDir`
 * its store stays there (the lab removes its data at the end of a run: a mass delete makes new files
 * dearer for a while); without one it uses a temporary directory, removed at stop.
 */
export async function startRawNatsChain(dataDir?: string): Promise<RawChain> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "gvn-raw-")));
  const server = await startNatsServer({ storeDir: dir });
  await ensureBuilt();
  const group = new ProcessGroup();
  const sink = () => undefined;
  for (const role of ["a", "b", "c"]) group.spawnScript(`raw-${role}`, NODE, ["nats", role, server.url], {}, sink, COMPILED);
  // Like the modes' load client (connectNats).
  const nc = await connectTuned({ servers: server.url });
  const jsm = await nc.jetstreamManager();
  await waitFor(async () => {
    for (const role of ["a", "b", "c"]) if ((await jsm.consumers.info("RAW", `raw-${role}`)).num_waiting === 0) return false;
    return true;
  }, "JetStream chain");
  const js = nc.jetstream();
  return {
    target: {
      name: "raw-nats",
      answerMeansComplete: false,
      async place(order) {
        const h = headers();
        h.set("Raw-Id", order.orderId);
        await js.publish("raw.a", Order.encode(order).finish(), { headers: h, msgID: order.orderId });
      },
      async watch(onSettled) {
        const seen = new Map<string, number>();
        const sub = nc.subscribe(RAW_DONE, {
          callback: (_err, m) => {
            const id = m.headers?.get("Raw-Id") ?? "";
            const n = (seen.get(id) ?? 0) + 1;
            seen.set(id, n);
            if (n === 2) onSettled(id, true);
          },
        });
        await nc.flush();
        return async () => sub.unsubscribe();
      },
    },
    pids: () => nodePids(group),
    brokerPid: () => server.pid(),
    async stop() {
      await nc.close();
      await group.stop();
      await server.stop();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
