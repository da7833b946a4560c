import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "./logger.js";

/** How an order ended, as the order service counts it. */
export type OrderOutcome = "completed" | "rejected" | "failed";
/** A workflow step, counted where it runs: the order service places, billing invoices, notification e-mails. */
export type Step = "place" | "invoice" | "email";

/**
 * What the services report to Prometheus. The interface is transport-neutral;
 * each adapter calls it from its one request path (the gRPC unary wrapper, the
 * NATS work consumer). Without METRICS_PORT every call is a no-op, so a
 * service that is not scraped pays nothing per order.
 */
export interface Metrics {
  orderSettled(outcome: OrderOutcome): void;
  stepDone(step: Step, seconds: number): void;
  /** One gRPC call handled, as go-grpc-prometheus names it. */
  grpcHandled(service: string, method: string, code: string, seconds: number): void;
  /** Reports a consumer's in-flight count when scraped. */
  watchConsumer(consumer: string, inFlight: () => number): void;
  redelivered(consumer: string): void;
  /** Messages a work queue held below its consumer's ack floor, published again so that it takes them. */
  requeued(consumer: string, count: number): void;
  deadLettered(subject: string): void;
  /** A consumer with work pending that has completed none for a while (1), or moving (0). */
  consumerStalled(consumer: string, stalled: boolean): void;
}

export const NO_METRICS: Metrics = {
  orderSettled: () => undefined,
  stepDone: () => undefined,
  grpcHandled: () => undefined,
  watchConsumer: () => undefined,
  redelivered: () => undefined,
  requeued: () => undefined,
  deadLettered: () => undefined,
  consumerStalled: () => undefined,
};

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** prom-client metrics in a registry of their own, with Node's default process metrics. */
export function prometheusMetrics(service: string): { metrics: Metrics; registry: Registry } {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const orders = new Counter({
    name: "shop_orders_total",
    help: "Orders that reached an end state, by outcome",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const steps = new Histogram({
    name: "shop_step_duration_seconds",
    help: "Time one workflow step took in the service that runs it",
    labelNames: ["step"],
    buckets: SECONDS,
    registers: [registry],
  });
  const handled = new Counter({
    name: "grpc_server_handled_total",
    help: "RPCs completed on the server, whatever their status",
    labelNames: ["grpc_type", "grpc_service", "grpc_method", "grpc_code"],
    registers: [registry],
  });
  const handling = new Histogram({
    name: "grpc_server_handling_seconds",
    help: "Time the server took to handle an RPC",
    labelNames: ["grpc_type", "grpc_service", "grpc_method"],
    buckets: SECONDS,
    registers: [registry],
  });
  const inFlight = new Map<string, () => number>();
  new Gauge({
    name: "nats_consumer_in_flight",
    help: "Messages a consumer is working on (delivered, not yet acknowledged)",
    labelNames: ["consumer"],
    registers: [registry],
    collect() {
      for (const [consumer, read] of inFlight) this.set({ consumer }, read());
    },
  });
  const requeues = new Counter({
    name: "nats_consumer_requeued_total",
    help: "Messages a work-queue stream held below its consumer's ack floor (never to be delivered), published again",
    labelNames: ["consumer"],
    registers: [registry],
  });
  const redeliveries = new Counter({
    name: "nats_consumer_redeliveries_total",
    help: "Messages delivered again after a nak, a timeout or a crash",
    labelNames: ["consumer"],
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: "nats_dead_letters_total",
    help: "Messages dead-lettered, by original subject",
    labelNames: ["subject"],
    registers: [registry],
  });
  const stalled = new Gauge({
    name: "nats_consumer_stalled",
    help: "1 while a consumer has work pending and has completed none for NATS_STALL_AFTER_MS, else 0",
    labelNames: ["consumer"],
    registers: [registry],
  });
  return {
    registry,
    metrics: {
      orderSettled: (outcome) => orders.inc({ outcome }),
      stepDone: (step, seconds) => steps.observe({ step }, seconds),
      grpcHandled(service, method, code, seconds) {
        handled.inc({ grpc_type: "unary", grpc_service: service, grpc_method: method, grpc_code: code });
        handling.observe({ grpc_type: "unary", grpc_service: service, grpc_method: method }, seconds);
      },
      watchConsumer: (consumer, read) => void inFlight.set(consumer, read),
      redelivered: (consumer) => redeliveries.inc({ consumer }),
      requeued: (consumer, count) => requeues.inc({ consumer }, count),
      deadLettered: (subject) => deadLetters.inc({ subject }),
      consumerStalled: (consumer, is) => stalled.set({ consumer }, is ? 1 : 0),
    },
  };
}

export interface MetricsEndpoint {
  metrics: Metrics;
  /** The port actually bound (0 resolved), or undefined without metrics. */
  port?: number;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on `port` (all interfaces, like other exporters) when a port is configured,
 * and GET /ready: 200 while `unready()` names nothing, else 503 with each reason on a line.
 */
export async function startMetrics(service: string, port: number | undefined, log: Logger, unready: () => string[] = () => []): Promise<MetricsEndpoint> {
  if (port === undefined) return { metrics: NO_METRICS, close: () => Promise.resolve() };
  const { metrics, registry } = prometheusMetrics(service);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/ready") {
      const reasons = unready();
      res.writeHead(reasons.length === 0 ? 200 : 503, { "Content-Type": "text/plain" }).end(reasons.length === 0 ? "ready\n" : `${reasons.join("\n")}\n`);
      return;
    }
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found; metrics are at /metrics, readiness at /ready\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "Content-Type": registry.contentType }).end(text),
      (err: unknown) => {
        log.error("metrics collection failed", { err });
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, resolve));
  const bound = (server.address() as { port: number }).port;
  log.info("metrics at /metrics", { port: bound });
  return { metrics, port: bound, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs one step and reports how long it took (nothing is measured without metrics). */
export function timeStep<T>(metrics: Metrics, step: Step, work: () => Promise<T>): Promise<T> {
  if (metrics === NO_METRICS) return work();
  const start = performance.now();
  return work().finally(() => metrics.stepDone(step, (performance.now() - start) / 1000));
}
