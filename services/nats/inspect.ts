import type { JetStreamManager } from "nats";
import { DEAD_LETTER_HEADERS } from "./dead-letter.js";
import { STREAMS } from "./topology.js";

export interface DeadLetterView {
  seq: number;
  subject: string;
  reason: string;
  originalSubject: string;
  originalStream: string;
  originalSequence: number;
  deliveries: number;
  at: string;
  bytes: number;
}

/** The dead letters, oldest first, with the headers that say why and where from. */
export async function readDeadLetters(jsm: JetStreamManager, limit = 100): Promise<DeadLetterView[]> {
  const info = await jsm.streams.info(STREAMS.deadLetters).catch(() => undefined);
  if (!info || info.state.messages === 0) return [];
  const out: DeadLetterView[] = [];
  const first = Math.max(info.state.first_seq, info.state.last_seq - limit + 1);
  for (let seq = first; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(STREAMS.deadLetters, { seq }).catch(() => undefined);
    if (!m) continue;
    const h = (name: string) => m.header.get(name) ?? "";
    out.push({
      seq,
      subject: m.subject,
      reason: h(DEAD_LETTER_HEADERS.reason),
      originalSubject: h(DEAD_LETTER_HEADERS.subject),
      originalStream: h(DEAD_LETTER_HEADERS.stream),
      originalSequence: Number(h(DEAD_LETTER_HEADERS.sequence)),
      deliveries: Number(h(DEAD_LETTER_HEADERS.deliveries)),
      at: h(DEAD_LETTER_HEADERS.at),
      bytes: m.data.length,
    });
  }
  return out;
}
