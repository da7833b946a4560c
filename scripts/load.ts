// npm run load -- --mode grpc|nats --rate R (--duration 10s | --orders N) [--out result.json] [--seed S]
//                  [--tls-ca F --tls-cert F --tls-key F] [--nkey-seed F]
// Open-loop load against services that are already running (npm run start:grpc / start:nats, compose).
// The secure profile's settings are the services' own: TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE and,
// for NATS, NATS_NKEY_SEED_FILE (or the flags). The tool first reads a non-existent order: a refused,
// unauthorised or unreachable system fails it within seconds, saying why. It exits 1 when no order completed.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isMode } from "../services/common/config.js";
import { ConfigError } from "../services/common/config-error.js";
import { runLoad } from "../testbed/load/load-generator.js";
import { labOrder } from "../testbed/load/lab-order.js";
import { grpcTarget, natsTarget, type ClosableTarget } from "../testbed/load/targets.js";
import { CLIENT_FLAGS, clientSettings, type ClientSettings } from "../testbed/client-settings.js";
import { durationMs } from "../testbed/duration.js";
import { recordedNatsUrl } from "../testbed/nats-url-file.js";

/** How long the first connection and the first read may take before the tool gives up. */
const READY_TIMEOUT_MS = 5_000;

function withTimeout<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)),
  );
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function connect(mode: "grpc" | "nats", settings: ClientSettings): Promise<ClosableTarget> {
  if (mode === "grpc") {
    const address = process.env.ORDER_SERVICE_ADDR ?? "127.0.0.1:50051";
    return grpcTarget(address, 10_000, undefined, settings.tls);
  }
  const url = process.env.NATS_URL ?? recordedNatsUrl(process.env.DATA_DIR ?? "./data/nats") ?? "nats://127.0.0.1:4222";
  const credentials = settings.seedFile || settings.tls ? { identity: "client", seedFile: settings.seedFile, tls: settings.tls } : undefined;
  // The client's first connection is bounded by READY_TIMEOUT_MS itself.
  return natsTarget(url, undefined, credentials, READY_TIMEOUT_MS).catch((err: unknown) => {
    throw new Error(
      `cannot connect to NATS at ${url}${credentials ? "" : " (no NATS_NKEY_SEED_FILE or TLS_* given)"}: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string" },
      rate: { type: "string", default: "50" },
      duration: { type: "string" },
      orders: { type: "string" },
      seed: { type: "string", default: "1" },
      arrivals: { type: "string", default: "uniform" },
      out: { type: "string" },
      ...CLIENT_FLAGS,
    },
  });
  if (!isMode(values.mode)) throw new ConfigError("--mode must be grpc or nats");
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new ConfigError(`--rate must be a positive number of orders per second, not ${JSON.stringify(values.rate)}`);
  const count = values.orders !== undefined ? Number(values.orders) : undefined;
  if (count !== undefined && !(count > 0)) throw new ConfigError(`--orders must be a positive number, not ${JSON.stringify(values.orders)}`);
  const duration = count === undefined ? durationMs(values.duration ?? "10s") : undefined;
  const target = await connect(values.mode, clientSettings(values, process.env));
  const runId = `load-${Date.now().toString(36)}`;
  try {
    await withTimeout(`the first read from the ${values.mode} deployment`, target.probe());
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
    if (result.completed === 0) {
      process.stderr.write(`load: no order completed of ${result.sent} sent (errors: ${JSON.stringify(result.errors)})\n`);
      return 1;
    }
    return 0;
  } finally {
    await target.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const configuration = err instanceof ConfigError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"));
    process.stderr.write(`load: ${configuration ? "configuration error: " : ""}${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(configuration ? 2 : 1);
  },
);
