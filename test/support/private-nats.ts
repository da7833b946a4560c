import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { startNatsServer, type ManagedNatsServer } from "../../testbed/nats-server.js";

export interface PrivateNats {
  readonly server: ManagedNatsServer;
  /** A plain connection to it, for the suite's own setup and checks. */
  readonly nc: NatsConnection;
}

/**
 * A nats-server of the suite's own (JetStream, file storage in a temporary
 * folder, a free port) for the describe block that calls this, with a
 * connection; started before its tests, stopped and removed after them.
 */
export function usePrivateNats(name: string): PrivateNats {
  let dir: string | undefined;
  const nats = {} as { server: ManagedNatsServer; nc: NatsConnection };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `gvn-${name}-`));
    nats.server = await startNatsServer({ storeDir: dir });
    nats.nc = await connect({ servers: nats.server.url });
  });
  after(async () => {
    await nats.nc?.close();
    await nats.server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return nats;
}
