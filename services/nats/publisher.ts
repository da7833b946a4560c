import type { JetStreamClient } from "nats";
import { NO_TRACING, SpanKind, type TraceContext, type Tracing } from "../common/tracing.js";
import { DependencyUnavailableError } from "../domain/errors.js";
import { ORDER_ID_HEADER, encodePayload, type ProtoType } from "./codec.js";
import { headersCarrier, messagingSpan } from "./trace-propagation.js";

/** Which trace a publish belongs to, and the tracing that records its span. */
export interface PublishTrace {
  tracing: Tracing;
  parent?: TraceContext;
}

export interface Published {
  seq: number;
  /** True when the stream already had this message id inside its duplicate window. */
  duplicate: boolean;
}

/**
 * Publishes a protobuf message into a stream and waits for the stream's ack;
 * the message id makes a re-publish inside the duplicate window a no-op. The
 * order the message concerns travels as the Shop-Order-Id header, so that
 * consumers can name it in their logs without decoding anything, and the
 * trace travels as traceparent, from a producer span around the publish.
 */
export async function publishMessage<T>(
  js: JetStreamClient,
  subject: string,
  type: ProtoType<T>,
  message: T,
  ids: { orderId: string; msgId: string },
  trace: PublishTrace = { tracing: NO_TRACING },
): Promise<Published> {
  const { data, headers } = encodePayload(type, message, { [ORDER_ID_HEADER]: ids.orderId });
  const msgID = ids.msgId;
  const { name, attributes } = messagingSpan("send", subject, ids.orderId, { "messaging.message.id": msgID });
  const span = trace.tracing.start(name, SpanKind.PRODUCER, trace.parent, attributes);
  trace.tracing.inject(span.context, headersCarrier(headers));
  try {
    const ack = await js.publish(subject, data, { headers, msgID });
    span.set({ "messaging.nats.stream": ack.stream, "messaging.nats.stream_sequence": ack.seq, "messaging.nats.duplicate": ack.duplicate });
    return { seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    const failure = new DependencyUnavailableError("NATS JetStream", `publish to ${subject} failed: ${(err as Error).message}`, { cause: err });
    span.fail(failure.message, err);
    throw failure;
  } finally {
    span.end();
  }
}
