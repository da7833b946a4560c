import { ErrorCode, type JetStreamClient, type NatsError } from "nats";
import { NO_TRACING, SpanKind, type TraceContext, type TraceSpan, type Tracing } from "../common/tracing.js";
import { DependencyUnavailableError } from "../domain/errors.js";
import { ORDER_ID_HEADER, encodePayload } from "./codec.js";
import type { Route } from "./routes.js";
import { headersCarrier, messagingSpan } from "./trace-propagation.js";

/** How long a publish keeps trying through transient failures, unless told (NATS_PUBLISH_RETRY_MS). */
export const DEFAULT_PUBLISH_RETRY_MS = 20_000;

/** How a service's publishes go out: who records their spans, and how long they ride out an election. */
export interface Outbound {
  tracing: Tracing;
  /** Budget for retrying a publish whose ack did not come (no stream leader, timeout, reconnecting). */
  retryMs: number;
}

export const DEFAULT_OUTBOUND: Outbound = { tracing: NO_TRACING, retryMs: DEFAULT_PUBLISH_RETRY_MS };

/** One publish: the service's outbound settings and the trace it belongs to. */
export type PublishOptions = Partial<Outbound> & { parent?: TraceContext };

export interface Published {
  seq: number;
  /** True when the stream already had this message id inside its duplicate window. */
  duplicate: boolean;
}

const TRANSIENT_CODES = new Set<string>([ErrorCode.NoResponders, ErrorCode.Timeout, ErrorCode.Disconnect]);

/**
 * JetStream's error 10158, "duplicate message id is in process" (409): nats-server 2.11+ answers so
 * a publish whose message id is still being stored from an earlier publish. Like the unconfirmed
 * duplicate of older servers, it says nothing yet about whether the stream will hold the message.
 */
export const DUPLICATE_IN_PROCESS = 10158;

/**
 * Failures that say nothing about the message, only that no stream leader
 * answered in time: while JetStream elects one (a server of the cluster went
 * away), or while the client reconnects; or that an earlier publish of the same
 * id is still in flight. Publishing again with the same message id is safe: the
 * stream keeps one copy.
 */
export function isTransientPublishFailure(err: unknown): boolean {
  const code: string = (err as NatsError).code;
  const api = (err as NatsError).api_error;
  return TRANSIENT_CODES.has(code) || api?.code === 503 || api?.err_code === DUPLICATE_IN_PROCESS || err instanceof UnconfirmedPublishError;
}

/**
 * An ack that confirms nothing: "duplicate" of sequence 0. nats-server before 2.11 stages a message
 * id with sequence 0 while its message is being replicated, and answers a re-publish of that id so;
 * when the stream's leader changes before the message is stored, the staged id stays until the
 * duplicate window ends, and every re-publish is answered so although the stream never held the
 * message (nats-server#5827 and #6486, fixed in 2.11, which answers error 10158 instead). Taken as a confirmation, it loses the
 * message; it is retried instead, like an ack that did not come.
 */
export function isUnconfirmedDuplicate(ack: { duplicate: boolean; seq: number }): boolean {
  return ack.duplicate && ack.seq === 0;
}

/** Thrown for an unconfirmed duplicate: transient, the same message id is published again. */
export class UnconfirmedPublishError extends Error {
  readonly code = "UNCONFIRMED_DUPLICATE";
  constructor(subject: string) {
    super(`the stream answered a publish to ${subject} as a duplicate of sequence 0, which confirms nothing (a leader change lost the first copy)`);
  }
}

function producerSpan(tracing: Tracing, subject: string, ids: { orderId: string; msgId: string }, parent: TraceContext | undefined): TraceSpan {
  const { name, attributes } = messagingSpan("send", subject, ids.orderId, { "messaging.message.id": ids.msgId });
  return tracing.start(name, SpanKind.PRODUCER, parent, attributes);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes a protobuf message into a stream and waits for the stream's ack;
 * the message id makes a re-publish inside the duplicate window a no-op, so a
 * publish whose ack was lost is retried, with the same id, until the retry
 * budget runs out. The order the message concerns travels as the
 * Shop-Order-Id header, so that consumers can name it in their logs without
 * decoding anything, and the trace travels as traceparent, from a producer
 * span around the publish.
 */
export async function publishMessage<T>(
  js: JetStreamClient,
  route: Route<T>,
  message: T,
  ids: { orderId: string; msgId: string },
  options: PublishOptions = {},
): Promise<Published> {
  const tracing = options.tracing ?? NO_TRACING;
  const subject = route.subject;
  const { data, headers } = encodePayload(route.payload, message, { [ORDER_ID_HEADER]: ids.orderId });
  const msgID = ids.msgId;
  // Tracing off costs nothing here: no attributes are built, and only a trace handed in travels on.
  const span = tracing.enabled ? producerSpan(tracing, subject, ids, options.parent) : NO_TRACING.start("", SpanKind.PRODUCER, options.parent, {});
  if (span.context) tracing.inject(span.context, headersCarrier(headers));
  const giveUpAt = performance.now() + (options.retryMs ?? DEFAULT_PUBLISH_RETRY_MS);
  let delay = 100;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await js.publish(subject, data, { headers, msgID });
        if (isUnconfirmedDuplicate(ack)) throw new UnconfirmedPublishError(subject);
        span.set({ "messaging.nats.stream": ack.stream, "messaging.nats.stream_sequence": ack.seq, "messaging.nats.duplicate": ack.duplicate });
        return { seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        if (isTransientPublishFailure(err) && performance.now() + delay < giveUpAt) {
          span.event("publish retried", { attempt, reason: (err as Error).message });
          await pause(delay);
          delay = Math.min(delay * 2, 1_000);
          continue;
        }
        const failure = new DependencyUnavailableError("NATS JetStream", `publish to ${subject} failed: ${(err as Error).message}`, { cause: err });
        span.fail(failure.message, err);
        throw failure;
      }
    }
  } finally {
    span.end();
  }
}
