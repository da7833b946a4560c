import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loopbackHost } from "./loopback.js";
import { projectRoot } from "../services/common/project-root.js";
import { ConfigError } from "../services/common/config-error.js";
import type { NatsSync } from "./nats-config.js";
import { connect, type ConnectionOptions } from "nats";
import { freePort, isPortFree } from "./free-port.js";

/** The oldest nats-server the project runs on: 2.10 has sync_interval, +TERM with a reason, and the fix for streams lost after kill -9. */
export const MIN_NATS_SERVER = [2, 10] as const;

export const INSTALL_HINT =
  "a nats-server of 2.10 or later (Debian's nats-server package, or https://github.com/nats-io/nats-server/releases) on PATH, or its path in NATS_SERVER_BIN";

/**
 * The Debian suites the project fetches a nats-server from. `sid` (unstable) carries the newest
 * line (2.15 at the time of writing), the default; `trixie` (Debian 13) carries 2.10, the oldest
 * line the project still proves itself on.
 */
export const NATS_SUITES = ["sid", "trixie"] as const;
export type NatsSuite = (typeof NATS_SUITES)[number];
export const DEFAULT_SUITE: NatsSuite = "sid";

/** Where the project keeps the nats-servers it fetched itself: one Debian package per suite, unpacked. */
export const LOCAL_NATS_DIR = join(projectRoot(fileURLToPath(import.meta.url)), ".tools", "nats-server");
const localBinary = (suite: NatsSuite) => join(LOCAL_NATS_DIR, suite, "usr", "sbin", "nats-server");

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
export function versionOf(binary: string): string {
  let v = versions.get(binary);
  if (v === undefined) {
    try {
      const printed = execFileSync(binary, ["--version"], { encoding: "utf8" })
        .trim()
        .replace(/^nats-server:\s*v?/, "");
      v = /^\d+\.\d+\.\d+/.test(printed) ? printed : "unknown";
    } catch {
      v = "unknown";
    }
    versions.set(binary, v);
  }
  return v;
}

/** A version's numbers ("2.10.27" -> [2, 10, 27]); zeros where it has none. */
function numbers(version: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = version.split(".").map((x) => Number.parseInt(x, 10) || 0);
  return [a, b, c];
}

/** Whether version `a` is at least `b` (both as nats-server prints them, "2.11.0"). */
export function versionAtLeast(a: string, b: string): boolean {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return true;
}

/** Whether a version string is at least MIN_NATS_SERVER. */
export function supportedVersion(version: string): boolean {
  return version !== "unknown" && versionAtLeast(version, MIN_NATS_SERVER.join("."));
}

/** Every nats-server there is: the project's own, then PATH, then Debian's /usr/sbin (not on a normal user's PATH). */
function candidates(): string[] {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  const own = NATS_SUITES.map(localBinary);
  return [...new Set([...own, ...dirs.map((d) => join(d, "nats-server"))])].filter(executable);
}

/** A nats-server binary given by hand (`source`: the setting or flag that named it): 2.10 or later, or a configuration error naming the source. */
export function checkedNatsServer(given: string, source: string): string {
  if (!executable(given)) throw new ConfigError(`${source}: ${JSON.stringify(given)} is not an executable file`);
  const version = versionOf(given);
  if (!supportedVersion(version)) throw new ConfigError(`${source}: ${given} is nats-server ${version}; the project needs 2.10 or later`);
  return given;
}

/** NATS_SERVER_BIN, when set. */
function fromEnv(): string | undefined {
  const given = process.env.NATS_SERVER_BIN;
  return given ? checkedNatsServer(given, "NATS_SERVER_BIN") : undefined;
}

/** The newest nats-server of 2.10 or later there is (NATS_SERVER_BIN when set). */
export function findNatsServer(): string | undefined {
  const env = fromEnv();
  if (env) return env;
  const usable = candidates().filter((b) => supportedVersion(versionOf(b)));
  // Newest first; among equals, the first found (the project's own before PATH).
  return usable.reduce<string | undefined>((best, b) => (best === undefined || !versionAtLeast(versionOf(best), versionOf(b)) ? b : best), undefined);
}

/** Whether this process may fetch Debian packages into the project: root, with apt-get and dpkg-deb. */
export function canFetch(): boolean {
  return process.getuid?.() === 0 && executable("/usr/bin/apt-get") && executable("/usr/bin/dpkg-deb");
}

/**
 * A suite's nats-server package, fetched with apt into the project's .tools/ without touching the
 * system's sources or packages: a sources list of its own for the suite, its own lists and cache,
 * `apt-get download`, then `dpkg-deb -x`. Whatever version the suite carries today is taken (the
 * package's file name is read, never assumed).
 */
function fetchDebianPackage(suite: NatsSuite, log: (line: string) => void): void {
  const work = join(LOCAL_NATS_DIR, `apt-${suite}`);
  rmSync(work, { recursive: true, force: true });
  for (const d of ["parts", "lists/partial", "cache/archives/partial"]) mkdirSync(join(work, d), { recursive: true });
  writeFileSync(
    join(work, "parts", `${suite}.sources`),
    `Types: deb\nURIs: http://deb.debian.org/debian\nSuites: ${suite}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  );
  const apt = ["-o", "Dir::Etc::SourceList=/dev/null", "-o", `Dir::Etc::SourceParts=${join(work, "parts")}`];
  apt.push("-o", `Dir::State::Lists=${join(work, "lists")}`, "-o", `Dir::Cache=${join(work, "cache")}`, "-o", "APT::Sandbox::User=root");
  log(`fetching Debian ${suite}'s nats-server package into .tools/`);
  try {
    execFileSync("apt-get", [...apt, "update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], cwd: work });
    execFileSync("apt-get", [...apt, "download", "-qq", "nats-server"], { stdio: ["ignore", "ignore", "inherit"], cwd: work });
    const deb = readdirSync(work).find((f) => /^nats-server_.*\.deb$/.test(f));
    if (!deb) throw new Error(`apt-get download nats-server (${suite}) left no package behind`);
    const target = join(LOCAL_NATS_DIR, suite);
    rmSync(target, { recursive: true, force: true });
    execFileSync("dpkg-deb", ["-x", join(work, deb), target]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A suite's nats-server in .tools/: reused when it is there, fetched otherwise (root with apt).
 * Throws, saying why, when it is not there and cannot be fetched.
 */
export function ensureSuiteNatsServer(suite: NatsSuite, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const binary = localBinary(suite);
  if (!executable(binary)) {
    if (!canFetch()) throw new Error(`Debian ${suite}'s nats-server is not in .tools/ and only root with apt-get and dpkg-deb can fetch it`);
    fetchDebianPackage(suite, log);
  }
  if (!supportedVersion(versionOf(binary))) throw new Error(`${binary} does not run as nats-server 2.10 or later (it printed ${versionOf(binary)})`);
  return binary;
}

let chosen: string | undefined;

/**
 * The nats-server the project runs: NATS_SERVER_BIN when set; otherwise the newest of 2.10 or later
 * among the one fetched from Debian unstable (fetched once, as root with apt, then reused), the
 * others in .tools/ and those on PATH. Fails, naming what to install, when there is none.
 */
export function ensureNatsServer(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  if (process.env.NATS_SERVER_BIN) return fromEnv()!;
  if (chosen && executable(chosen)) return chosen;
  if (!executable(localBinary(DEFAULT_SUITE)) && canFetch()) {
    try {
      fetchDebianPackage(DEFAULT_SUITE, log);
    } catch (err) {
      log(`could not fetch Debian ${DEFAULT_SUITE}'s nats-server (${(err as Error).message}); using the newest one found`);
    }
  }
  const found = findNatsServer();
  if (found) return (chosen = found);
  const older = candidates()
    .map((b) => ` (${b} is ${versionOf(b)})`)
    .join("");
  throw new Error(`nats-server 2.10 or later is needed${older}; install ${INSTALL_HINT}`);
}

/** One line for a start banner: which nats-server binary runs, and its version. */
export function describeNatsServer(binary = ensureNatsServer()): string {
  const why = process.env.NATS_SERVER_BIN ? "NATS_SERVER_BIN" : binary.startsWith(LOCAL_NATS_DIR) ? "fetched from Debian" : "found on PATH";
  return `nats-server v${versionOf(binary)} (${binary}; ${why})`;
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
  /** The nats-server binary to run (default: ensureNatsServer()), e.g. an older line the lab prices against the default. */
  binary?: string;
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
  const binary = options.binary ?? ensureNatsServer();
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
    // The last lines it wrote, so that a server that exits during start says why (a port taken, a bad option).
    const last: string[] = [];
    const onOutput = (line: string) => {
      last.push(line);
      if (last.length > 5) last.shift();
      options.onOutput?.(line);
    };
    for (const s of [proc.stdout, proc.stderr]) s?.on("data", (b: Buffer) => b.toString().split("\n").filter(Boolean).forEach(onOutput));
    const exited = new Promise<never>((_, reject) =>
      proc.once("exit", (code) => reject(new Error(`nats-server exited with ${code} during start${last.length > 0 ? `: ${last.join(" | ")}` : ""}`))),
    );
    const ready = waitForJetStream(url, 20_000, secure?.connect);
    // Whichever loses the race settles later, unheard.
    ready.catch(() => undefined);
    exited.catch(() => undefined);
    await Promise.race([ready, exited]);
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
