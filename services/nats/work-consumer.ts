import type { ConsumerMessages, JetStreamClient, JsMsg } from "nats";
import type { Logger } from "../common/logger.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import { decide, type Decision, type RetryPolicy } from "./error-mapping.js";
import { ORDER_ID_HEADER } from "./codec.js";
import { deadLetter } from "./dead-letter.js";
import type { ConsumerDeclaration } from "./topology.js";

export interface WorkConsumerOptions {
  js: JetStreamClient;
  consumer: ConsumerDeclaration;
  /** Messages handled at once; the consumer's max_ack_pending keeps the rest in the stream. */
  concurrency: number;
  retry: RetryPolicy;
  log: Logger;
  /** Processes one message; resolving means done (ack), throwing is mapped by ack-decision.ts. */
  handle(msg: JsMsg): Promise<void>;
  /** Called after a message was dead-lettered, e.g. to report the failed step. */
  onDeadLetter?(msg: JsMsg, reason: string): Promise<void>;
  metrics?: Metrics;
}

export interface RunningConsumer {
  readonly inFlight: number;
  /** Stops taking messages and waits for those in flight; unstarted ones stay in the stream. */
  stop(): Promise<void>;
}

/** What a log line about a message names: the order it concerns, its subject and its place in the stream. */
function about(msg: JsMsg): Record<string, unknown> {
  return { order_id: msg.headers?.get(ORDER_ID_HEADER) || undefined, subject: msg.subject, seq: msg.info.streamSequence };
}

/**
 * A durable pull consumer whose handlers run concurrently up to the limit.
 * consume() keeps pulls open ahead of demand; awaiting each handler inside the
 * loop would serialise the service, so the loop only starts handlers.
 */
export async function startWorkConsumer(o: WorkConsumerOptions): Promise<RunningConsumer> {
  const consumer = await o.js.consumers.get(o.consumer.stream, o.consumer.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: o.concurrency });
  const inFlight = new Set<Promise<void>>();
  const metrics = o.metrics ?? NO_METRICS;
  metrics.watchConsumer(o.consumer.durable, () => inFlight.size);

  const settle = async (msg: JsMsg, decision: Decision): Promise<void> => {
    const fields = { ...about(msg), deliveries: msg.info.deliveryCount, reason: decision.reason };
    if (decision.kind === "retry") {
      o.log.warn("will retry", { ...fields, delayMs: decision.delayMs });
      msg.nak(decision.delayMs);
      return;
    }
    try {
      await deadLetter(o.js, msg, decision.reason);
      // Debian's nats-server 2.9 does not take a reason with +TERM; the dead letter carries it.
      msg.term();
      metrics.deadLettered(msg.subject);
      o.log.warn("dead-lettered", fields);
      await o.onDeadLetter?.(msg, decision.reason);
    } catch (err) {
      o.log.error("could not dead-letter; will retry", { ...fields, err });
      msg.nak(o.retry.baseDelayMs);
    }
  };

  const handleOne = async (msg: JsMsg): Promise<void> => {
    const deliveries = msg.info.deliveryCount;
    if (deliveries > 1) metrics.redelivered(o.consumer.durable);
    if (deliveries > o.retry.maxDeliver) {
      // Every earlier delivery ended without a decision: the handler itself keeps dying.
      return settle(msg, { kind: "dead-letter", reason: `no outcome after ${deliveries - 1} deliveries (handler crashed or timed out)` });
    }
    try {
      await o.handle(msg);
      msg.ack();
    } catch (err) {
      const decision = decide(err, deliveries, o.retry);
      if (decision.reason.endsWith("internal error")) o.log.error("handler failed", { ...about(msg), err });
      await settle(msg, decision);
    }
  };

  const loop = (async () => {
    for await (const msg of messages) {
      const p: Promise<void> = handleOne(msg).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  })();
  loop.catch((err: unknown) => o.log.error("consumer loop ended", { consumer: o.consumer.durable, err }));

  o.log.info("consuming", { stream: o.consumer.stream, consumer: o.consumer.durable, concurrency: o.concurrency });
  return {
    get inFlight() {
      return inFlight.size;
    },
    async stop() {
      messages.stop();
      await loop.catch(() => undefined);
      await Promise.all(inFlight);
    },
  };
}
