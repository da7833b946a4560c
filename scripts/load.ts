// npm run load -- --mode grpc|nats --rate R (--duration 10s | --orders N) [--out result.json] [--seed S]
// Open-loop load against services that are already running (npm run start:grpc / start:nats).
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isMode } from "../services/common/config.js";
import { runLoad } from "./lab/run/load-generator.js";
import { labOrder } from "./lab/run/lab-order.js";
import { grpcTarget, natsTarget } from "./lab/run/targets.js";
import { durationMs } from "./lib/duration.js";
import { recordedNatsUrl } from "./lib/nats-url-file.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string" },
      rate: { type: "string", default: "50" },
      duration: { type: "string" },
      orders: { type: "string" },
      seed: { type: "string", default: "1" },
      arrivals: { type: "string", default: "uniform" },
      out: { type: "string" },
    },
  });
  if (!isMode(values.mode)) throw new Error("--mode must be grpc or nats");
  const rate = Number(values.rate);
  const count = values.orders !== undefined ? Number(values.orders) : undefined;
  const duration = count === undefined ? durationMs(values.duration ?? "10s") : undefined;
  const target =
    values.mode === "grpc"
      ? grpcTarget(process.env.ORDER_SERVICE_ADDR ?? "127.0.0.1:50051")
      : await natsTarget(process.env.NATS_URL ?? recordedNatsUrl(process.env.DATA_DIR ?? "./data/nats") ?? "nats://127.0.0.1:4222");
  const runId = `load-${Date.now().toString(36)}`;
  try {
    const result = await runLoad(target, {
      rate,
      count,
      durationMs: duration,
      seed: Number(values.seed),
      arrivals: values.arrivals === "poisson" ? "poisson" : "uniform",
      makeOrder: (i) => labOrder(runId, i),
      progressLabel: `${values.mode} @ ${rate}/s`,
    });
    const { orders, ...summary } = result;
    const json = JSON.stringify({ ...summary, failedOrders: orders.filter((o) => o.error).map((o) => ({ orderId: o.orderId, error: o.error })) }, null, 2);
    if (values.out) writeFileSync(values.out, json);
    console.log(json);
  } finally {
    await target.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
