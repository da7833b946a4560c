import { join } from "node:path";
import { audit, type AuditLine } from "../../testbed/audit/audit.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import type { Mode } from "../../services/common/config.js";
import { createLogger } from "../../services/common/logger.js";
import { NO_TRACING, startTracing, type Tracing } from "../../services/common/tracing.js";
import { tracingSettings } from "../../services/common/tracing-config.js";
import type { NatsSync } from "../../testbed/nats-config.js";
import type { LabNet } from "../../testbed/net/lab-net.js";
import type { OtlpReceiver } from "../../testbed/otlp-receiver.js";
import { labOrder, labOrderById } from "../../testbed/load/lab-order.js";
import { startStack, withBroker } from "../../testbed/stack/start-stack.js";
import type { Mark, Timeline } from "../../testbed/timeline.js";
import type { QueueSample } from "../results.js";
import { sampleQueues } from "./sampler.js";
import type { AnyProcessStack } from "../../testbed/stack/start-stack.js";
import { clientRecords, runLoad, type LoadOptions, type LoadResult, type OrderOutcome } from "../../testbed/load/load-generator.js";
import type { LabContext } from "../context.js";
import { OrderTraces } from "../../testbed/load/order-traces.js";
import { stackTarget, type ClosableTarget, type TargetTracing } from "../../testbed/load/targets.js";

const LAB_ENV = { NATS_ACK_WAIT_MS: "5000", SHUTDOWN_GRACE_MS: "3000" };

export interface SessionOptions {
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** The client's deadline (gRPC). */
  deadlineMs?: number;
  /** Traces on: the services and the lab's client export their spans to this receiver. */
  receiver?: OtlpReceiver;
  /** The secure profile for this session (default: the lab's --secure). */
  secure?: boolean;
  /** NATS: a JetStream cluster of this many nodes, streams with as many replicas (up to 3). */
  cluster?: number;
  /** NATS: "always" makes the broker fsync before every acknowledgement. */
  sync?: NatsSync;
  /** NATS: the broker's binary (default: the lab's nats-server). */
  natsServer?: string;
  /** Every hop through a link with this one-way delay, which the scenario can cut (StackOptions.links). */
  links?: { delayMs?: number; jitterMs?: number };
  /** Each process of the stack (a cluster's nodes included) on its own host of this lab network (default: the lab's --net). */
  net?: LabNet;
}

/** A load run through a timeline: what the client saw, the backlog over time (with a broker), and the timeline's marks. */
export interface TimedLoad {
  result: LoadResult;
  queue?: QueueSample[];
  marks: Mark[];
}

export interface Session {
  stack: AnyProcessStack;
  target: ClosableTarget;
  runId: string;
  /** With tracing on: the trace each order was sent in. */
  traces?: OrderTraces;
  load(options: Omit<LoadOptions, "makeOrder" | "seed">): Promise<LoadResult>;
  /**
   * Loads the system while a timeline runs on the load's clock (its faults applied and undone as
   * they fall due; every window still open undone at the end), sampling the broker's backlog where
   * there is one: the scenario's usual "start the clock, load, let the faults happen, finish".
   */
  loadThrough(timeline: Timeline, options: Omit<LoadOptions, "makeOrder" | "seed" | "startAt" | "onElapsed">): Promise<TimedLoad>;
  audit(outcomes: readonly OrderOutcome[]): AuditLine;
  /** Sends each failed order again with the same id; returns how many the system then completed. */
  resend(outcomes: readonly OrderOutcome[]): Promise<number>;
  close(): Promise<void>;
}

/** OTLP/HTTP in protobuf, the specification's default, to the lab's receiver. */
function otelEnv(receiver: OtlpReceiver | undefined): Record<string, string> {
  return receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" } : {};
}

/** Starts a mode's stack and client for a scenario; close() stops both (and flushes their spans). */
export async function openSession(ctx: LabContext, scenario: string, mode: Mode, options: SessionOptions = {}): Promise<Session> {
  const dataDir = join(ctx.outDir, "data", `${scenario}-${mode}`);
  const env = { ...LAB_ENV, ...options.env, ...otelEnv(options.receiver) };
  const certs = (options.secure ?? ctx.secure) ? ctx.certificates?.() : undefined;
  const stack = await startStack({
    where: "processes",
    mode,
    dataDir,
    env,
    logFile: join(ctx.outDir, "logs", `${scenario}-${mode}.log`),
    secure: certs,
    cluster: options.cluster,
    sync: options.sync,
    natsServer: options.natsServer ? { binary: options.natsServer } : undefined,
    links: options.links,
    // The secure profile's development certificates name localhost: it stays on the main host.
    net: options.net ?? (certs ? undefined : ctx.net),
  });
  const tracing: Tracing = options.receiver
    ? startTracing(tracingSettings(otelEnv(options.receiver), "client"), createLogger("lab-client", "warn"))
    : NO_TRACING;
  const traced: TargetTracing | undefined = options.receiver ? { tracing, traces: new OrderTraces() } : undefined;
  let target: ClosableTarget;
  try {
    target = await stackTarget(stack, { deadlineMs: options.deadlineMs, traced });
  } catch (err) {
    await stack.stop();
    await tracing.shutdown();
    throw err;
  }
  const runId = `${scenario}-${mode}-${Date.now().toString(36)}`;
  let next = 0;
  // Indices continue across loads, so every order of a session has its own id.
  const load = (options: Omit<LoadOptions, "makeOrder" | "seed">) => {
    const first = next;
    const makeOrder = (i: number) => {
      next = Math.max(next, first + i + 1);
      return labOrder(runId, first + i);
    };
    return runLoad(target, { ...options, makeOrder, seed: ctx.settings.seed, progressLabel: options.progressLabel ?? `${scenario} ${mode}` });
  };

  return {
    stack,
    target,
    runId,
    traces: traced?.traces,
    load,
    async loadThrough(timeline, options) {
      const sampler = withBroker(stack) ? sampleQueues(await stack.natsConnection(), timeline.t0) : undefined;
      try {
        const result = await load({ ...options, startAt: timeline.t0, onElapsed: (t) => timeline.tick(t) });
        await timeline.finish();
        return { result, queue: await sampler?.stop(), marks: timeline.marks() };
      } finally {
        await sampler?.stop();
      }
    },
    audit(outcomes) {
      const ledger = new Ledger(dataDir);
      try {
        return audit(clientRecords(outcomes), ledger.snapshot(), target.answerMeansComplete);
      } finally {
        ledger.close();
      }
    },
    async resend(outcomes) {
      let completed = 0;
      for (const o of outcomes.filter((x) => x.error)) {
        try {
          await target.place(labOrderById(runId, o.orderId));
          completed++;
        } catch {
          // Still failing: counted as not completed.
        }
      }
      return completed;
    },
    async close() {
      await target.close();
      await stack.stop();
      await tracing.shutdown();
    },
  };
}

export async function withSession<T>(ctx: LabContext, scenario: string, mode: Mode, options: SessionOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession(ctx, scenario, mode, options);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
