import { headers as natsHeaders, type JetStreamClient, type JsMsg } from "nats";
import { SUBJECTS } from "./topology.js";
import { isUnconfirmedDuplicate, UnconfirmedPublishError } from "./publisher.js";

/** Headers a dead letter carries, besides the original message's own. */
export const DEAD_LETTER_HEADERS = {
  reason: "Dead-Letter-Reason",
  subject: "Dead-Letter-Subject",
  stream: "Dead-Letter-Stream",
  sequence: "Dead-Letter-Stream-Seq",
  deliveries: "Dead-Letter-Deliveries",
  consumer: "Dead-Letter-Consumer",
  at: "Dead-Letter-Time",
} as const;

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, 1000);
}

/**
 * Copies a message to deadletter.<subject> with the reason and its origin.
 * The copy's message id is its stream and sequence, so copying twice (a crash
 * before the term) leaves one dead letter.
 */
export async function deadLetter(js: JetStreamClient, msg: JsMsg, reason: string): Promise<void> {
  const h = natsHeaders();
  for (const [key, values] of msg.headers ?? []) {
    if (key.startsWith("Nats-")) continue;
    for (const v of values) h.append(key, v);
  }
  h.set(DEAD_LETTER_HEADERS.reason, oneLine(reason));
  h.set(DEAD_LETTER_HEADERS.subject, msg.subject);
  h.set(DEAD_LETTER_HEADERS.stream, msg.info.stream);
  h.set(DEAD_LETTER_HEADERS.sequence, String(msg.info.streamSequence));
  h.set(DEAD_LETTER_HEADERS.deliveries, String(msg.info.deliveryCount));
  h.set(DEAD_LETTER_HEADERS.consumer, msg.info.consumer);
  h.set(DEAD_LETTER_HEADERS.at, new Date().toISOString());
  const subject = `${SUBJECTS.deadLetterPrefix}.${msg.subject}`;
  const ack = await js.publish(subject, msg.data, { headers: h, msgID: `dl:${msg.info.stream}:${msg.info.streamSequence}` });
  // Not stored after all: the caller keeps the message and tries again (see isUnconfirmedDuplicate).
  if (isUnconfirmedDuplicate(ack)) throw new UnconfirmedPublishError(subject);
}
