import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { connect, type ConnectionOptions } from "nats";
import { freePort, isPortFree } from "./free-port.js";

export const INSTALL_HINT = "sudo apt-get install -y nats-server";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** nats-server on PATH, or Debian's /usr/sbin/nats-server (not on a normal user's PATH). */
export function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  return dirs.map((d) => join(d, "nats-server")).find(executable);
}

/**
 * Finds nats-server, installing Debian's package when this process may (root
 * with apt-get); otherwise fails with the one command that installs it.
 */
export function ensureNatsServer(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findNatsServer();
  if (found) return found;
  const canInstall = process.getuid?.() === 0 && executable("/usr/bin/apt-get");
  if (!canInstall) throw new Error(`nats-server is not installed; install it with: ${INSTALL_HINT}`);
  log("nats-server not found; installing Debian's nats-server package");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "nats-server"], { stdio: "inherit", env });
  const installed = findNatsServer();
  if (!installed) throw new Error(`installing nats-server did not put it on PATH or in /usr/sbin; try: ${INSTALL_HINT}`);
  return installed;
}

export function natsServerVersion(binary = findNatsServer()): string {
  if (!binary) return "not installed";
  return execFileSync(binary, ["--version"], { encoding: "utf8" })
    .trim()
    .replace(/^nats-server:\s*/, "");
}

export interface ManagedNatsServer {
  url: string;
  port: number;
  /** The HTTP monitoring endpoint (/varz, /jsz, /healthz), on 127.0.0.1 like the client port. */
  monitorUrl: string;
  storeDir: string;
  version: string;
  /** The server process's id while it runs. */
  pid(): number | undefined;
  /** Stops the server (SIGTERM: JetStream flushes its store) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: a crash) and waits for it to exit; start() brings it back. */
  kill(): Promise<void>;
  /** Starts it again after stop() or kill(), on the same port and store. */
  start(): Promise<void>;
  /** Stops and starts it again on the same port and store, as a broker restart would. */
  restart(): Promise<void>;
}

export interface NatsServerOptions {
  storeDir: string;
  /** A fixed port; otherwise `preferPort` when free, else any free port. */
  port?: number;
  preferPort?: number;
  onOutput?: (line: string) => void;
  /**
   * The secure profile: a config written by writeNatsConfig (it sets the store and the
   * monitoring port given here), and how the readiness check connects (admin's NKey, TLS).
   */
  secure?: { configFile: string; monitorPort: number; connect: Partial<ConnectionOptions> };
  /** More command-line options, e.g. a cluster node's --server_name, --cluster and --routes. */
  extraArgs?: string[];
  /** The HTTP monitoring port; otherwise any free one. */
  monitorPort?: number;
}

/**
 * Waits until JetStream answers account requests at `url` (a comma-separated list for a cluster,
 * which answers only once it has a meta leader).
 */
export async function waitForJetStream(url: string, timeoutMs: number, options: Partial<ConnectionOptions> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const nc = await connect({ servers: url.split(","), timeout: 1_000, reconnect: false, ...options });
      try {
        await (await nc.jetstreamManager()).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`nats-server at ${url} did not become ready: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Starts a private nats-server with JetStream on file storage, on 127.0.0.1 only. */
export async function startNatsServer(options: NatsServerOptions): Promise<ManagedNatsServer> {
  const binary = ensureNatsServer();
  const secure = options.secure;
  const port = options.port ?? (options.preferPort && (await isPortFree(options.preferPort)) ? options.preferPort : await freePort());
  mkdirSync(options.storeDir, { recursive: true });
  const url = `nats://127.0.0.1:${port}`;
  const monitorPort = secure?.monitorPort ?? options.monitorPort ?? (await freePort());
  const args = secure
    ? ["-c", secure.configFile, "-p", String(port)]
    : ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort), "-js", "-sd", options.storeDir, ...(options.extraArgs ?? [])];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    const onOutput = options.onOutput;
    if (onOutput) for (const s of [proc.stdout, proc.stderr]) s?.on("data", (b: Buffer) => b.toString().split("\n").filter(Boolean).forEach(onOutput));
    else for (const s of [proc.stdout, proc.stderr]) s?.resume();
    const exited = new Promise<never>((_, reject) => proc.once("exit", (code) => reject(new Error(`nats-server exited with ${code} during start`))));
    await Promise.race([waitForJetStream(url, 20_000, secure?.connect), exited]);
    exited.catch(() => undefined);
  };
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    port,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    storeDir: options.storeDir,
    version: natsServerVersion(binary),
    pid: () => child?.pid,
    stop: () => stop(),
    kill: () => stop("SIGKILL"),
    start: launch,
    async restart() {
      await stop();
      await launch();
    },
  };
}
