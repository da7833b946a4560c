import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// start:nats records where its managed server listens, so that nats:status finds it.
const FILE = "nats-url";

export function recordNatsUrl(dataDir: string, url: string): void {
  writeFileSync(join(dataDir, FILE), `${url}\n`);
}

export function recordedNatsUrl(dataDir: string): string | undefined {
  const path = join(dataDir, FILE);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}
