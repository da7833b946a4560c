import { headers as natsHeaders, type JetStreamClient, type JetStreamManager, type NatsError } from "nats";
import type { Logger } from "../common/logger.js";
import type { Metrics } from "../common/metrics.js";
import type { ConsumerDeclaration } from "./topology.js";
import { isUnconfirmedDuplicate } from "./publisher.js";
import { MSG_ID_HEADER } from "./codec.js";

/** JetStream's answer to a get of a sequence the stream does not hold. */
const NO_MESSAGE_FOUND = 10037;

/** At most this many sequences are read in one sweep; the next sweep goes on from where this one stopped. */
const SWEEP_LIMIT = 1_000;

/**
 * The header a re-queued copy carries: the sequence it was stranded at. Its Nats-Msg-Id is derived
 * from the original's, so two replicas re-queuing the same message store one copy.
 */
export const REQUEUED_FROM_HEADER = "Requeued-From-Seq";

/**
 * Watches a work-queue stream for work its consumer will never be given, and puts it back in line.
 *
 * A work queue drops a message once it is acknowledged, so it should hold nothing at or below its
 * consumer's ack floor. It does when the stream's sequence went back under the consumer: nats-server
 * 2.10 (2.10.27 is Debian 13's) forgets a work queue's last sequence when it is killed while the
 * queue's last block empties (nats-server #6600, #6881); messages published after the restart then
 * take sequences the consumer believes done, and they stay in the stream unseen, with nothing pending
 * and no stall to notice. (2.11 and later move the consumer back by themselves; there this finds nothing.)
 *
 * Each stranded message is published again to its subject (same data and headers, a message id of
 * its own) and then deleted, so the consumer takes the copy; the handlers are idempotent by order id,
 * so a copy of work already done (an acknowledgement's deletion lost in the same crash) changes
 * nothing. A message is taken for stranded only when seen below the floor by two checks in a row, never
 * for an acknowledgement whose deletion is still on its way.
 */
export function watchForStrandedWork(o: { js: JetStreamClient; consumer: ConsumerDeclaration; everyMs: number; log: Logger; metrics: Metrics }): {
  stop(): void;
} {
  const { stream, durable } = o.consumer;
  let jsm: JetStreamManager | undefined;
  let suspect: number | undefined;
  let checking = false;

  const requeue = async (from: number, to: number): Promise<number> => {
    let moved = 0;
    for (let seq = from; seq <= Math.min(to, from + SWEEP_LIMIT - 1); seq++) {
      const stored = await jsm!.streams.getMessage(stream, { seq }).catch((err: unknown) => {
        if ((err as NatsError).api_error?.err_code === NO_MESSAGE_FOUND) return undefined;
        throw err;
      });
      if (!stored) continue;
      const h = natsHeaders();
      for (const [k, v] of stored.header ?? []) if (k !== MSG_ID_HEADER) for (const each of v) h.append(k, each);
      h.set(REQUEUED_FROM_HEADER, String(seq));
      const original = stored.header?.get(MSG_ID_HEADER) || `${stream}:${seq}:${stored.time.toISOString()}`;
      const ack = await o.js.publish(stored.subject, stored.data, { headers: h, msgID: `${original}~requeued-from-${seq}` });
      // nats-server 2.10 may answer a racing duplicate "duplicate of sequence 0", which confirms nothing:
      // the original stays, and the next sweep tries again.
      if (isUnconfirmedDuplicate(ack)) continue;
      await jsm!.streams.deleteMessage(stream, seq, false);
      moved++;
    }
    return moved;
  };

  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      jsm ??= await o.js.jetstreamManager();
      const [s, c] = await Promise.all([jsm.streams.info(stream), jsm.consumers.info(stream, durable)]);
      const floor = c.ack_floor.stream_seq;
      const first = s.state.first_seq;
      if (s.state.messages === 0 || first > floor) {
        suspect = undefined;
        return;
      }
      if (suspect !== first) {
        suspect = first;
        return;
      }
      suspect = undefined;
      const moved = await requeue(first, Math.min(floor, s.state.last_seq));
      if (moved > 0) {
        o.metrics.requeued(durable, moved);
        o.log.warn("re-queued work the consumer would never be given", {
          consumer: durable,
          stream,
          moved,
          fromSeq: first,
          ackFloorSeq: floor,
          streamLastSeq: s.state.last_seq,
        });
      }
    } catch (err) {
      // The broker does not answer now (a restart, an election): the next check tries again.
      o.log.debug("stranded-work check failed", { consumer: durable, err });
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), o.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
