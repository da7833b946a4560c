import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// start:nats records where its managed server listens (clients, and HTTP monitoring), so that nats:status finds it.
const FILE = "nats-url";
const MONITOR_FILE = "nats-monitor-url";

export function recordNatsUrl(dataDir: string, url: string, monitorUrl: string): void {
  writeFileSync(join(dataDir, FILE), `${url}\n`);
  writeFileSync(join(dataDir, MONITOR_FILE), `${monitorUrl}\n`);
}

function recorded(dataDir: string, file: string): string | undefined {
  const path = join(dataDir, file);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}

export const recordedNatsUrl = (dataDir: string) => recorded(dataDir, FILE);
export const recordedMonitorUrl = (dataDir: string) => recorded(dataDir, MONITOR_FILE);
