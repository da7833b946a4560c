import type { JetStreamClient } from "nats";
import { DependencyUnavailableError } from "../domain/errors.js";
import { encodePayload, type ProtoType } from "./codec.js";

export interface Published {
  seq: number;
  /** True when the stream already had this message id inside its duplicate window. */
  duplicate: boolean;
}

/**
 * Publishes a protobuf message into a stream and waits for the stream's ack;
 * the message id makes a re-publish inside the duplicate window a no-op.
 */
export async function publishMessage<T>(js: JetStreamClient, subject: string, type: ProtoType<T>, message: T, msgID: string): Promise<Published> {
  const { data, headers } = encodePayload(type, message);
  try {
    const ack = await js.publish(subject, data, { headers, msgID });
    return { seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    throw new DependencyUnavailableError("NATS JetStream", `publish to ${subject} failed: ${(err as Error).message}`, { cause: err });
  }
}
