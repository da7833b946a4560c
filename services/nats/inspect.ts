import type { JetStreamManager } from "nats";
import { DEAD_LETTER_HEADERS } from "./dead-letter.js";
import { CONSUMERS, STREAMS } from "./topology.js";

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

export interface ConsumerStateView {
  durable: string;
  stream: string;
  /** Messages the consumer has not yet been given. */
  pending: number;
  /** Given and not yet acknowledged. */
  ackPending: number;
  /** Pull requests the server holds: 0 with pending work means nobody is asking for it. */
  waiting: number;
  redelivered: number;
  deliveredSeq: number;
  ackFloorSeq: number;
  leader?: string;
  streamMessages: number;
  /** The stream's first and last sequence: messages past deliveredSeq with pending 0 mean the consumer lost count. */
  streamFirstSeq: number;
  streamLastSeq: number;
}

/** Each durable consumer's state beside its stream's, or the error that answered instead. */
export async function readConsumerStates(jsm: JetStreamManager): Promise<Array<ConsumerStateView | { durable: string; error: string }>> {
  return Promise.all(
    Object.values(CONSUMERS).map(async (c) => {
      try {
        const [info, stream] = await Promise.all([jsm.consumers.info(c.stream, c.durable), jsm.streams.info(c.stream)]);
        return {
          durable: c.durable,
          stream: c.stream,
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          waiting: info.num_waiting,
          redelivered: info.num_redelivered,
          deliveredSeq: info.delivered.stream_seq,
          ackFloorSeq: info.ack_floor.stream_seq,
          leader: info.cluster?.leader,
          streamMessages: stream.state.messages,
          streamFirstSeq: stream.state.first_seq,
          streamLastSeq: stream.state.last_seq,
        };
      } catch (err) {
        return { durable: c.durable, error: (err as Error).message };
      }
    }),
  );
}
