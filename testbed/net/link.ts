import { connect, createServer, type Server, type Socket } from "node:net";

/** One network hop between two parties, as the lab sees it: a delay each way, and a switch that cuts it. */
export interface Link {
  /** e.g. "order-billing": the caller, then whom it reaches through this link. */
  readonly name: string;
  /** Where the caller connects instead of the callee: host:port. */
  readonly address: string;
  /** The one-way delay (ms) added to every chunk in each direction, plus up to `jitterMs` more. */
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Whether the link is cut now. */
  readonly isCut: boolean;
  /** Cuts the link: nothing crosses it either way, and nothing is refused or reset; connections stay open and stall. */
  cut(): void;
  /** Heals it: what waited crosses, in order, and new connections reach the callee again. */
  heal(): void;
  close(): Promise<void>;
}

export interface LinkOptions {
  name: string;
  /** The callee's address. */
  target: { host: string; port: number };
  delayMs?: number;
  jitterMs?: number;
  /** How callers name the link's host (localhost over TLS). */
  host?: string;
  /** The address it listens on: 127.0.0.1, or the lab bridge's address for callers on lab hosts. */
  listen?: string;
}

/** A direction of one connection: chunks wait until their time, and leave in the order they came. */
class DelayedPipe {
  readonly #queue: Array<{ due: number; chunk: Buffer }> = [];
  #timer?: NodeJS.Timeout;
  #lastDue = 0;
  #ended = false;

  constructor(
    private readonly to: Socket,
    private readonly delay: () => number,
    private readonly blocked: () => boolean,
  ) {}

  push(chunk: Buffer): void {
    // Never earlier than the chunk before it: a stream keeps its order whatever the jitter.
    const due = Math.max(performance.now() + this.delay(), this.#lastDue);
    this.#lastDue = due;
    this.#queue.push({ due, chunk });
    this.flush();
  }

  end(): void {
    this.#ended = true;
    this.flush();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.blocked() || this.to.destroyed) return;
    const now = performance.now();
    while (this.#queue.length > 0 && this.#queue[0]!.due <= now) this.to.write(this.#queue.shift()!.chunk);
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.flush(), this.#queue[0]!.due - now);
    else if (this.#ended) this.to.end();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * A link in user space: a TCP relay in front of the callee that delays every chunk each way (tc's
 * netem is not in this kernel) and can go silent. A cut stops reading and forwarding on every
 * connection and holds new ones unconnected: the parties see what a network that drops every
 * packet shows them (writes that go nowhere, no answer, no reset) until their own deadlines and
 * keepalives give up; what TCP would retransmit after a heal crosses after it.
 */
export async function startLink(o: LinkOptions): Promise<Link> {
  const delayMs = o.delayMs ?? 0;
  const jitterMs = o.jitterMs ?? 0;
  const delay = () => delayMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
  let cut = false;
  const blocked = () => cut;
  const connections = new Set<{ client: Socket; upstream?: Socket; pipes: DelayedPipe[]; start(): void }>();

  const server: Server = createServer({ noDelay: true }, (client) => {
    const c = {
      client,
      upstream: undefined as Socket | undefined,
      pipes: [] as DelayedPipe[],
      start() {
        if (c.upstream || client.destroyed) return;
        const upstream = connect({ host: o.target.host, port: o.target.port, noDelay: true });
        c.upstream = upstream;
        const down = new DelayedPipe(client, delay, blocked);
        const up = new DelayedPipe(upstream, delay, blocked);
        c.pipes = [up, down];
        client.on("data", (b: Buffer) => up.push(b));
        upstream.on("data", (b: Buffer) => down.push(b));
        client.on("end", () => up.end());
        upstream.on("end", () => down.end());
        const destroy = () => {
          up.stop();
          down.stop();
          client.destroy();
          upstream.destroy();
          connections.delete(c);
        };
        client.on("close", destroy);
        upstream.on("close", destroy);
        upstream.on("error", destroy);
        client.resume();
      },
    };
    connections.add(c);
    client.on("error", () => client.destroy());
    client.on("close", () => connections.delete(c));
    // Held, unconnected, while the link is cut: as a SYN that gets no answer.
    client.pause();
    if (!cut) c.start();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, o.listen ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    name: o.name,
    address: `${o.host ?? o.listen ?? "127.0.0.1"}:${port}`,
    delayMs,
    jitterMs,
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const c of connections) {
        c.client.pause();
        c.upstream?.pause();
      }
    },
    heal() {
      cut = false;
      for (const c of connections) {
        if (!c.upstream) c.start();
        c.client.resume();
        c.upstream?.resume();
        for (const p of c.pipes) p.flush();
      }
    },
    async close() {
      for (const c of connections) {
        c.client.destroy();
        c.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
