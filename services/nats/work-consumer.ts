import { ConsumerEvents, type Consumer, type ConsumerMessages, type JetStreamClient, type JsMsg } from "nats";
import type { Logger } from "../common/logger.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import { NO_TRACING, SpanKind, type TraceSpan, type Tracing } from "../common/tracing.js";
import type { RequestContext } from "../domain/ports.js";
import { decide, type Decision } from "./error-mapping.js";
import type { RetryPolicy } from "./retry-policy.js";
import { ORDER_ID_HEADER } from "./codec.js";
import { deadLetter } from "./dead-letter.js";
import { headersCarrier, messagingSpan } from "./trace-propagation.js";
import { watchForStrandedWork } from "./stranded-work.js";
import type { ConsumerDeclaration } from "./topology.js";

export interface WorkConsumerOptions {
  js: JetStreamClient;
  consumer: ConsumerDeclaration;
  /** Messages handled at once; the consumer's max_ack_pending keeps the rest in the stream. */
  concurrency: number;
  retry: RetryPolicy;
  log: Logger;
  /**
   * Processes one message; resolving means done (ack), throwing is mapped by
   * error-mapping.ts. `rc.trace` is the delivery's span: the work it causes belongs to it.
   */
  handle(msg: JsMsg, rc: RequestContext): Promise<void>;
  /** Called after a message was dead-lettered, e.g. to report the failed step. */
  onDeadLetter?(msg: JsMsg, reason: string, rc: RequestContext): Promise<void>;
  metrics?: Metrics;
  tracing?: Tracing;
  /** With work pending and none completed for this long, the consumer reports itself stalled (0 or absent: never). */
  stallAfterMs?: number;
  /** How often to look for work the stream holds below the consumer's ack floor (stranded-work.ts; 0 or absent: never). */
  strandedCheckMs?: number;
}

export interface RunningConsumer {
  readonly durable: string;
  readonly inFlight: number;
  /** Work pending, none completed for stallAfterMs: the consumer has stopped moving. */
  readonly stalled: boolean;
  /** Stops taking messages and waits for those in flight; unstarted ones stay in the stream. */
  stop(): Promise<void>;
}

/** What a log line about a message names: the order it concerns, its trace, its subject and its place in the stream. */
function about(msg: JsMsg, span: TraceSpan): Record<string, unknown> {
  return { order_id: msg.headers?.get(ORDER_ID_HEADER) || undefined, ...span.logFields, subject: msg.subject, seq: msg.info.streamSequence };
}

/**
 * One delivery as a consumer span in the publisher's trace: a redelivery is
 * another span in the same trace, and the gap after the producer span is the
 * time the message waited in the stream.
 */
function deliverySpan(tracing: Tracing, durable: string, msg: JsMsg): TraceSpan {
  if (!tracing.enabled) return NO_TRACING.start("", SpanKind.CONSUMER, undefined, {});
  const { name, attributes } = messagingSpan("process", msg.subject, msg.headers?.get(ORDER_ID_HEADER) || undefined, {
    "messaging.consumer.group.name": durable,
    "messaging.nats.stream": msg.info.stream,
    "messaging.nats.stream_sequence": msg.info.streamSequence,
    "messaging.nats.delivery_count": msg.info.deliveryCount,
    "messaging.nats.queue_wait_ms": Math.max(0, Date.now() - msg.info.timestampNanos / 1e6),
  });
  return tracing.start(name, SpanKind.CONSUMER, tracing.extract(headersCarrier(msg.headers)), attributes);
}

/**
 * The client's notices about its pulls (missed heartbeats, consumer not found, no responders): the
 * only trace a stalled consumer leaves, e.g. while its stream's leader moves in a partition.
 */
async function watchStatus(messages: ConsumerMessages, durable: string, log: Logger): Promise<void> {
  for await (const s of await messages.status()) {
    if (
      s.type === ConsumerEvents.HeartbeatsMissed ||
      s.type === ConsumerEvents.ConsumerNotFound ||
      s.type === ConsumerEvents.StreamNotFound ||
      s.type === ConsumerEvents.NoResponders ||
      s.type === ConsumerEvents.ConsumerDeleted
    )
      log.warn("consumer pull trouble", { consumer: durable, event: s.type, data: s.data });
  }
}

/**
 * Watches a consumer for a stall: work pending at the server (waiting or unacknowledged) while this
 * process has settled nothing for `afterMs`. What users of JetStream meet after a restart or a
 * leader change is a consumer that silently stops; this makes it say so: a warning naming it, the
 * nats_consumer_stalled gauge, and the service's readiness (GET /ready) until it moves again. An
 * idle consumer (nothing pending) is not stalled, and its clock starts again.
 */
function watchForStall(
  consumer: Consumer,
  afterMs: number,
  progress: { at: number },
  durable: string,
  log: Logger,
  metrics: Metrics,
): { readonly stalled: boolean; stop(): void } {
  let stalled = false;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const info = await consumer.info(false);
      const pending = info.num_pending + info.num_ack_pending;
      const now = performance.now();
      if (pending === 0) progress.at = now;
      const isStalled = pending > 0 && now - progress.at >= afterMs;
      if (isStalled !== stalled) {
        stalled = isStalled;
        metrics.consumerStalled(durable, stalled);
        if (stalled)
          log.warn("consumer stalled", {
            consumer: durable,
            pending: info.num_pending,
            ackPending: info.num_ack_pending,
            sinceMs: Math.round(now - progress.at),
          });
        else log.info("consumer moving again", { consumer: durable });
      }
    } catch {
      // The broker does not answer now (a restart, an election): nothing to conclude from that alone.
    } finally {
      checking = false;
    }
  };
  metrics.consumerStalled(durable, false);
  const timer = setInterval(() => void check(), Math.max(100, Math.min(5_000, Math.floor(afterMs / 4))));
  timer.unref();
  return {
    get stalled() {
      return stalled;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * A durable pull consumer whose handlers run concurrently up to the limit.
 * consume() keeps pulls open ahead of demand; awaiting each handler inside the
 * loop would serialise the service, so the loop only starts handlers.
 */
export async function startWorkConsumer(o: WorkConsumerOptions): Promise<RunningConsumer> {
  const consumer = await o.js.consumers.get(o.consumer.stream, o.consumer.durable).catch((err: unknown) => {
    throw new Error(
      `consumer ${o.consumer.durable} on stream ${o.consumer.stream} is not available (${(err as Error).message}); ` +
        "a service with NKey credentials does not create it: run npm run nats:provision",
      { cause: err },
    );
  });
  const messages: ConsumerMessages = await consumer.consume({ max_messages: o.concurrency });
  const inFlight = new Set<Promise<void>>();
  const metrics = o.metrics ?? NO_METRICS;
  const tracing = o.tracing ?? NO_TRACING;
  metrics.watchConsumer(o.consumer.durable, () => inFlight.size);

  const settle = async (msg: JsMsg, span: TraceSpan, decision: Decision): Promise<void> => {
    const fields = { ...about(msg, span), deliveries: msg.info.deliveryCount, reason: decision.reason };
    if (decision.kind === "retry") {
      o.log.warn("will retry", { ...fields, delayMs: decision.delayMs });
      span.event("will retry", { "retry.delay_ms": decision.delayMs });
      span.fail(`will retry: ${decision.reason}`);
      msg.nak(decision.delayMs);
      return;
    }
    try {
      await deadLetter(o.js, msg, decision.reason);
      // The reason travels with +TERM too (nats-server 2.10.7 and later), for advisories and monitoring.
      msg.term(decision.reason);
      progress.at = performance.now();
      metrics.deadLettered(msg.subject);
      o.log.warn("dead-lettered", fields);
      span.event("dead-lettered", { "dead_letter.reason": decision.reason });
      span.fail(`dead-lettered: ${decision.reason}`);
      await o.onDeadLetter?.(msg, decision.reason, { trace: span.context });
    } catch (err) {
      o.log.error("could not dead-letter; will retry", { ...fields, err });
      span.fail(`could not dead-letter; will retry: ${decision.reason}`, err);
      msg.nak(o.retry.baseDelayMs);
    }
  };

  // A message settled (acknowledged or dead-lettered) is progress; a retry is not.
  const progress = { at: performance.now() };
  const watchdog = o.stallAfterMs ? watchForStall(consumer, o.stallAfterMs, progress, o.consumer.durable, o.log, metrics) : undefined;
  const stranded = o.strandedCheckMs ? watchForStrandedWork({ js: o.js, consumer: o.consumer, everyMs: o.strandedCheckMs, log: o.log, metrics }) : undefined;

  const handleOne = async (msg: JsMsg): Promise<void> => {
    const deliveries = msg.info.deliveryCount;
    if (deliveries > 1) metrics.redelivered(o.consumer.durable);
    const span = deliverySpan(tracing, o.consumer.durable, msg);
    try {
      if (deliveries > o.retry.maxDeliver) {
        // Every earlier delivery ended without a decision: the handler itself keeps dying.
        return await settle(msg, span, { kind: "dead-letter", reason: `no outcome after ${deliveries - 1} deliveries (handler crashed or timed out)` });
      }
      try {
        await o.handle(msg, { trace: span.context });
        msg.ack();
        progress.at = performance.now();
      } catch (err) {
        const decision = decide(err, deliveries, o.retry);
        if (decision.reason.endsWith("internal error")) o.log.error("handler failed", { ...about(msg, span), err });
        await settle(msg, span, decision);
      }
    } finally {
      span.end();
    }
  };

  const loop = (async () => {
    for await (const msg of messages) {
      const p: Promise<void> = handleOne(msg).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  })();
  loop.catch((err: unknown) => o.log.error("consumer loop ended", { consumer: o.consumer.durable, err }));
  void watchStatus(messages, o.consumer.durable, o.log);

  o.log.info("consuming", { stream: o.consumer.stream, consumer: o.consumer.durable, concurrency: o.concurrency });
  return {
    durable: o.consumer.durable,
    get inFlight() {
      return inFlight.size;
    },
    get stalled() {
      return watchdog?.stalled ?? false;
    },
    async stop() {
      watchdog?.stop();
      stranded?.stop();
      messages.stop();
      await loop.catch(() => undefined);
      await Promise.all(inFlight);
    },
  };
}
