import type { NatsConnection } from "nats";
import type { QueueSample } from "../results.js";
import { CONSUMERS, STREAMS } from "../../services/nats/topology.js";

const WORK_STREAMS = [STREAMS.orders, STREAMS.billing, STREAMS.notification, STREAMS.events];

/** Polls JetStream for backlog and in-flight work while a scenario runs. */
export function sampleQueues(nc: NatsConnection, start: number, everyMs = 200): { stop(): Promise<QueueSample[]> } {
  const samples: QueueSample[] = [];
  let running = true;
  const loop = (async () => {
    const jsm = await nc.jetstreamManager();
    while (running) {
      const t = performance.now() - start;
      try {
        const streams = await Promise.all(WORK_STREAMS.map((s) => jsm.streams.info(s)));
        const consumers = await Promise.all(Object.values(CONSUMERS).map((c) => jsm.consumers.info(c.stream, c.durable)));
        samples.push({
          t,
          backlog: streams.reduce((n, s) => n + s.state.messages, 0),
          ackPending: consumers.reduce((n, c) => n + c.num_ack_pending, 0),
          maxConsumerAckPending: Math.max(...consumers.map((c) => c.num_ack_pending)),
        });
      } catch {
        // The broker may be briefly unreachable; the next sample will tell.
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
