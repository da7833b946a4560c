// npm run start:nats: the three NATS services as separate processes. Without NATS_URL it first
// starts a managed nats-server (JetStream on file storage under DATA_DIR) and stops it on exit.
import { mkdirSync } from "node:fs";
import { SERVICE_NAMES } from "../services/common/config.js";
import { dataPaths } from "../services/common/data-paths.js";
import { startNatsServer, type ManagedNatsServer } from "./lib/nats-server.js";
import { recordNatsUrl } from "./lib/nats-url-file.js";
import { ProcessGroup } from "./lib/process-group.js";

const DATA_DIR = process.env.DATA_DIR ?? "./data/nats";

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  let managed: ManagedNatsServer | undefined;
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    managed = await startNatsServer({
      storeDir: dataPaths(DATA_DIR).natsStoreDir,
      preferPort: 4222,
      // The server's startup banner is long; warnings and errors are what an operator needs.
      onOutput: (line) => {
        if (process.env.LOG_LEVEL === "debug" || /\[(WRN|ERR|FTL)\]/.test(line)) process.stderr.write(`[nats-server] ${line}\n`);
      },
    });
    natsUrl = managed.url;
    recordNatsUrl(DATA_DIR, natsUrl, managed.monitorUrl);
    process.stderr.write(
      `[start:nats] managed nats-server ${managed.version} at ${natsUrl} (store ${managed.storeDir}; monitoring ${managed.monitorUrl}/varz, /jsz)\n`,
    );
  }

  const group = new ProcessGroup();
  for (const name of SERVICE_NAMES) group.spawnScript(name, "scripts/service.ts", [name, "--mode", "nats"], { NATS_URL: natsUrl, DATA_DIR });

  group.superviseUntilStopped(async () => managed?.stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`start:nats failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
