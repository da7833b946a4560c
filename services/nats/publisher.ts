import type { JetStreamClient } from "nats";
import { DependencyUnavailableError } from "../domain/errors.js";
import { ORDER_ID_HEADER, encodePayload, type ProtoType } from "./codec.js";

export interface Published {
  seq: number;
  /** True when the stream already had this message id inside its duplicate window. */
  duplicate: boolean;
}

/**
 * Publishes a protobuf message into a stream and waits for the stream's ack;
 * the message id makes a re-publish inside the duplicate window a no-op. The
 * order the message concerns travels as the Shop-Order-Id header, so that
 * consumers can name it in their logs without decoding anything.
 */
export async function publishMessage<T>(
  js: JetStreamClient,
  subject: string,
  type: ProtoType<T>,
  message: T,
  ids: { orderId: string; msgId: string },
): Promise<Published> {
  const { data, headers } = encodePayload(type, message, { [ORDER_ID_HEADER]: ids.orderId });
  const msgID = ids.msgId;
  try {
    const ack = await js.publish(subject, data, { headers, msgID });
    return { seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    throw new DependencyUnavailableError("NATS JetStream", `publish to ${subject} failed: ${(err as Error).message}`, { cause: err });
  }
}
