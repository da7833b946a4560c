import type { NatsConnection } from "nats";

/** The parts of nats.js 2.x's protocol handler that decide when queued commands reach the socket. */
interface ProtocolHandler {
  outbound: { fill(buf: Uint8Array, ...payloads: Uint8Array[]): void; size(): number };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
}

const encoder = new TextEncoder();

function protocolOf(nc: NatsConnection): ProtocolHandler | undefined {
  const p = (nc as unknown as { protocol?: Partial<ProtocolHandler> }).protocol;
  const usable =
    p !== undefined &&
    typeof p.sendCommand === "function" &&
    typeof p.flushPending === "function" &&
    typeof p.outbound?.fill === "function" &&
    typeof p.outbound.size === "function" &&
    typeof p.pendingLimit === "number";
  return usable ? (p as ProtocolHandler) : undefined;
}

/**
 * Sends what a connection queues during one event-loop turn in one socket
 * write, instead of one write per microtask checkpoint.
 *
 * nats.js flushes its outbound buffer in a microtask, so every ack and every
 * publish of a consumer that holds many messages leaves in a write of its own,
 * and each write on loopback TCP also wakes nats-server for one read. Here the
 * flush waits for setImmediate: the commands of all the messages taken from
 * one socket read leave together, and a lone command still leaves within the
 * same turn. Nothing is held back past that turn, and a buffer that reaches
 * the client's own limit is still written at once.
 *
 * Returns false, leaving the connection as it was, when the client's internals
 * are not the ones this was written for.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = protocolOf(nc);
  if (!protocol) return false;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    protocol.flushPending();
  };
  protocol.sendCommand = (cmd, ...payloads) => {
    protocol.outbound.fill(typeof cmd === "string" ? encoder.encode(cmd) : cmd, ...payloads);
    if (protocol.outbound.size() >= protocol.pendingLimit) {
      protocol.flushPending();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return true;
}
