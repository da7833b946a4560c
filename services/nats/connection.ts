import { connect, Events, type NatsConnection } from "nats";
import type { Logger } from "../common/logger.js";

/**
 * One connection per service for its whole life. It waits for the broker at
 * start and reconnects forever, so services and nats-server may start and
 * restart in any order.
 */
export async function connectNats(servers: string, name: string, log: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: servers.split(",").map((s) => s.trim()),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
    // Without this, every request and JetStream publish captures a stack trace for its
    // possible error: measured at about a tenth of the order service's CPU.
    noAsyncTraces: true,
  });
  log.info("connected to NATS", { server: nc.getServer() });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect || s.type === Events.Reconnect || s.type === Events.Error) log.warn(`NATS ${s.type}`, { data: s.data });
    }
  })();
  return nc;
}
