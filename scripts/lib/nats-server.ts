import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loopbackHost } from "./loopback.js";
import { projectRoot } from "../../services/common/project-root.js";
import type { NatsSync } from "./nats-config.js";
import { connect, type ConnectionOptions } from "nats";
import { freePort, isPortFree } from "./free-port.js";

/** The oldest nats-server the project runs on: 2.10 has sync_interval, +TERM with a reason, and the fix for streams lost after kill -9. */
export const MIN_NATS_SERVER = [2, 10] as const;

export const INSTALL_HINT = "a nats-server of 2.10 or later (Debian 13's nats-server package, or https://github.com/nats-io/nats-server/releases) on PATH";

/** Where the project keeps a nats-server it fetched itself (Debian 13's package, unpacked). */
export const LOCAL_NATS_DIR = join(projectRoot(fileURLToPath(import.meta.url)), ".tools", "nats-server");
const LOCAL_BINARY = join(LOCAL_NATS_DIR, "usr", "sbin", "nats-server");

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const versions = new Map<string, string>();

/** A binary's version as it prints it ("2.10.27"); "unknown" when it cannot be run. */
function versionOf(binary: string): string {
  let v = versions.get(binary);
  if (v === undefined) {
    try {
      v = execFileSync(binary, ["--version"], { encoding: "utf8" })
        .trim()
        .replace(/^nats-server:\s*v?/, "");
    } catch {
      v = "unknown";
    }
    versions.set(binary, v);
  }
  return v;
}

/** Whether a version string is at least MIN_NATS_SERVER. */
export function supportedVersion(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map((x) => Number.parseInt(x, 10));
  return major > MIN_NATS_SERVER[0] || (major === MIN_NATS_SERVER[0] && minor >= MIN_NATS_SERVER[1]);
}

/** Every nats-server there is: the project's own, then PATH, then Debian's /usr/sbin (not on a normal user's PATH). */
function candidates(): string[] {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  return [LOCAL_BINARY, ...dirs.map((d) => join(d, "nats-server"))].filter(executable);
}

/** The first nats-server of 2.10 or later. */
export function findNatsServer(): string | undefined {
  return candidates().find((b) => supportedVersion(versionOf(b)));
}

/**
 * Debian 13's nats-server package, fetched with apt into the project's .tools/ without
 * touching the system's sources or packages: a sources list of its own for the trixie
 * suite, its own lists and cache, `apt-get download`, then `dpkg-deb -x`.
 */
function fetchDebianPackage(log: (line: string) => void): void {
  const work = join(LOCAL_NATS_DIR, "..", "apt");
  for (const d of ["parts", "lists/partial", "cache/archives/partial"]) mkdirSync(join(work, d), { recursive: true });
  writeFileSync(
    join(work, "parts", "trixie.sources"),
    "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
  );
  const apt = ["-o", "Dir::Etc::SourceList=/dev/null", "-o", `Dir::Etc::SourceParts=${join(work, "parts")}`];
  apt.push("-o", `Dir::State::Lists=${join(work, "lists")}`, "-o", `Dir::Cache=${join(work, "cache")}`, "-o", "APT::Sandbox::User=root");
  log("no nats-server of 2.10 or later found; fetching Debian 13's nats-server package into .tools/");
  execFileSync("apt-get", [...apt, "update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], cwd: work });
  execFileSync("apt-get", [...apt, "download", "-qq", "nats-server"], { stdio: ["ignore", "ignore", "inherit"], cwd: work });
  const deb = readdirSync(work).find((f) => /^nats-server_.*\.deb$/.test(f));
  if (!deb) throw new Error("apt-get download nats-server left no package behind");
  execFileSync("dpkg-deb", ["-x", join(work, deb), LOCAL_NATS_DIR]);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Finds a nats-server of 2.10 or later. Without one, as root with apt, it fetches Debian 13's
 * package into the project (the system's packages stay as they are); otherwise it fails,
 * naming what to install.
 */
export function ensureNatsServer(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findNatsServer();
  if (found) return found;
  const older = candidates()
    .map((b) => ` (${b} is ${versionOf(b)})`)
    .join("");
  const canFetch = process.getuid?.() === 0 && executable("/usr/bin/apt-get") && executable("/usr/bin/dpkg-deb");
  if (!canFetch) throw new Error(`nats-server 2.10 or later is needed${older}; install ${INSTALL_HINT}`);
  fetchDebianPackage(log);
  const fetched = findNatsServer();
  if (!fetched) throw new Error(`Debian 13's nats-server did not run from ${LOCAL_BINARY}; install ${INSTALL_HINT}`);
  return fetched;
}

export function natsServerVersion(binary = findNatsServer()): string {
  return binary ? `v${versionOf(binary)}` : "not installed";
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
  /** "always": JetStream fsyncs before it acknowledges each write (sync_interval: always), so a power loss loses nothing acknowledged. */
  sync?: NatsSync;
  /** A host of the lab network: the server runs there (`exec` prefixes its command) and listens on its address. */
  on?: { exec: string[]; address: string };
}

/** The JetStream block of a config that sets sync_interval (command-line options can set no such thing). */
function syncConfig(storeDir: string): string {
  const file = `${storeDir.replace(/\/+$/, "")}.sync.conf`;
  writeFileSync(file, `jetstream {\n  store_dir: ${JSON.stringify(storeDir)}\n  sync_interval: always\n}\n`);
  return file;
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
  const host = options.on?.address ?? "127.0.0.1";
  const url = `nats://${options.on ? host : loopbackHost(!!secure)}:${port}`;
  const monitorPort = secure?.monitorPort ?? options.monitorPort ?? (await freePort());
  const jetstream = options.sync === "always" ? ["-c", syncConfig(options.storeDir)] : ["-js", "-sd", options.storeDir];
  const args = secure
    ? ["-c", secure.configFile, "-p", String(port)]
    : ["-a", host, "-p", String(port), "-m", String(monitorPort), ...jetstream, ...(options.extraArgs ?? [])];
  let child: ChildProcess | undefined;

  const launch = async () => {
    // `ip netns exec` execs the server in place: the child's pid is the server's own.
    const [command, ...prefix] = options.on ? [...options.on.exec, binary] : [binary];
    const proc = spawn(command, [...prefix, ...args], { stdio: ["ignore", "pipe", "pipe"] });
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
    monitorUrl: `http://${host}:${monitorPort}`,
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
