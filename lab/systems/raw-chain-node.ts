// One node of a bare transport chain, the baseline the lab divides each mode's figures by:
//   grpc: client -> A, which calls B and C; no business logic, no database.
//   nats: publish -> consumer A -> two publishes -> consumers B and C (which announce raw.done).
// Usage: raw-chain-node.ts grpc <a|b|c> <listen> [b-addr c-addr] | nats <a|b|c> <nats-url>
import { Server, ServerCredentials, credentials, makeGenericClientConstructor, type handleUnaryCall } from "@grpc/grpc-js";
import { AckPolicy, RetentionPolicy, StorageType, headers, nanos } from "nats";
import { connectTuned } from "../../services/nats/connection.js";

const identity = (b: Buffer) => b;

/** A unary method at `path` that carries raw bytes both ways: no schema at all. */
export function rawUnaryMethod(path: string) {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  } as const;
}

export const RAW_GRPC_SERVICE = { call: rawUnaryMethod("/raw.Chain/Call") };
export const RAW_STREAM = "RAW";
export const RAW_DONE = "raw.done";

type RawClient = InstanceType<ReturnType<typeof makeGenericClientConstructor>> & {
  call(req: Buffer, opts: object, cb: (err: Error | null, res: Buffer) => void): void;
};

export function rawGrpcClient(address: string): RawClient {
  const Ctor = makeGenericClientConstructor(RAW_GRPC_SERVICE, "RawChain");
  return new Ctor(address, credentials.createInsecure()) as RawClient;
}

export function rawCall(client: RawClient, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => client.call(payload, { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

async function grpcNode(role: string, listen: string, next: string[]): Promise<void> {
  const downstream = next.map(rawGrpcClient);
  const call: handleUnaryCall<Buffer, Buffer> = (c, cb) => {
    if (role !== "a") return cb(null, c.request);
    // Like the order service: billing, then notification.
    (async () => {
      for (const d of downstream) await rawCall(d, c.request);
    })().then(
      () => cb(null, c.request),
      (err: Error) => cb(err),
    );
  };
  const server = new Server();
  server.addService(RAW_GRPC_SERVICE, { call });
  await new Promise<void>((resolve, reject) => server.bindAsync(listen, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
}

async function natsNode(role: string, url: string): Promise<void> {
  // The services' client settings: the chain prices the transport as the services use it.
  const nc = await connectTuned({ servers: url });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const subject = `raw.${role}`;
  await jsm.streams
    .add({ name: RAW_STREAM, subjects: ["raw.a", "raw.b", "raw.c"], retention: RetentionPolicy.Workqueue, storage: StorageType.File })
    .catch(() => undefined);
  await jsm.consumers
    .add(RAW_STREAM, { durable_name: `raw-${role}`, filter_subject: subject, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), max_ack_pending: 256 })
    .catch(() => undefined);
  const messages = await (await js.consumers.get(RAW_STREAM, `raw-${role}`)).consume({ max_messages: 256 });
  process.on("SIGTERM", () => {
    messages.stop();
    void nc.drain().then(() => process.exit(0));
  });
  for await (const m of messages) {
    const id = m.headers?.get("Raw-Id") ?? "";
    void (async () => {
      const h = headers();
      h.set("Raw-Id", id);
      if (role === "a") {
        await Promise.all([js.publish("raw.b", m.data, { headers: h, msgID: `b:${id}` }), js.publish("raw.c", m.data, { headers: h, msgID: `c:${id}` })]);
      } else {
        nc.publish(RAW_DONE, m.data, { headers: h });
      }
      m.ack();
    })().catch(() => m.nak(100));
  }
}

// Run as a program (from the source under tsx, or compiled), not when imported for its client helpers.
if (/raw-chain-node\.[jt]s$/.test(process.argv[1] ?? "")) {
  const [transport, role, addr, ...next] = process.argv.slice(2);
  const run = transport === "grpc" ? grpcNode(role!, addr!, next) : natsNode(role!, addr!);
  run.catch((err: unknown) => {
    process.stderr.write(`raw node failed: ${String(err)}\n`);
    process.exit(1);
  });
}
