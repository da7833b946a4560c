import { execFileSync } from "node:child_process";
import { constants } from "node:os";

/**
 * The lab's network: hosts as Linux network namespaces on one bridge, each with its own address in
 * LAB_SUBNET, and links between them that can be cut (iptables DROP inside a host: every packet
 * dropped both ways, no reset) and healed. Root only. Everything it makes is named with PREFIX, so
 * that a crashed run's leftovers are found and removed at the next start (or `npm run net:clean`).
 */
export const LAB_SUBNET = "10.213.77.0/24";
const NET = "10.213.77";
/** The bridge's own address: how the lab's processes in the main namespace reach the hosts. */
export const BRIDGE_ADDRESS = `${NET}.254`;
const PREFIX = "gvn";
const BRIDGE = `${PREFIX}br0`;
const FORWARD_RULE = ["FORWARD", "-i", BRIDGE, "-o", BRIDGE, "-j", "ACCEPT"];

function sh(cmd: string, args: string[], quiet = false): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    if (quiet) return "";
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(`${cmd} ${args.join(" ")}: ${stderr.trim() || (err as Error).message}`, { cause: err });
  }
}

/** Why this process cannot make a lab network, or undefined when it can. */
export function labNetUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "the lab network needs root (network namespaces, a bridge and iptables)";
  for (const tool of ["ip", "iptables"])
    if (!sh("sh", ["-c", `command -v ${tool}`], true)) return `the lab network needs ${tool} (apt-get install iproute2 iptables)`;
  return undefined;
}

/** The bridge's end of host `index`'s veth pair (an interface name has at most 15 characters). */
const vethOf = (index: number) => `${PREFIX}v${index}`;

/** Removes every namespace, link, bridge and rule a lab network made, this run's or a crashed one's. */
export function cleanLabNet(): string[] {
  const removed: string[] = [];
  for (const ns of sh("ip", ["netns", "list"], true).split("\n")) {
    const name = ns.split(" ")[0];
    if (name?.startsWith(`${PREFIX}-`)) {
      // What still runs on the host goes with it (a run that was killed leaves its servers behind).
      for (const pid of sh("ip", ["netns", "pids", name], true).split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
          removed.push(`process ${pid} on ${name}`);
        } catch {
          // Already gone.
        }
      }
      sh("ip", ["netns", "delete", name], true);
      removed.push(`namespace ${name}`);
    }
  }
  for (const line of sh("ip", ["-o", "link", "show"], true).split("\n")) {
    const link = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (link?.startsWith(`${PREFIX}v`)) {
      sh("ip", ["link", "delete", link], true);
      removed.push(`link ${link}`);
    }
  }
  if (sh("ip", ["link", "show", BRIDGE], true)) {
    sh("ip", ["link", "delete", BRIDGE], true);
    removed.push(`bridge ${BRIDGE}`);
  }
  while (checkRule()) {
    sh("iptables", ["-D", ...FORWARD_RULE], true);
    removed.push("FORWARD rule");
  }
  return removed;
}

function checkRule(): boolean {
  try {
    execFileSync("iptables", ["-C", ...FORWARD_RULE], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface LabHost {
  name: string;
  namespace: string;
  address: string;
  /** The last byte of its address. */
  index: number;
}

export class LabNet {
  readonly hosts = new Map<string, LabHost>();
  readonly #prefixes = new Set<string>();
  #closed = false;
  readonly #onExit = () => this.close();
  /**
   * Ctrl-C or a stop: the process exits as the signal would have ended it (128 + its number), but
   * through "exit", so that the network and every process group's children go with it.
   */
  readonly #onSignal = (signal: NodeJS.Signals) => {
    process.exit(128 + constants.signals[signal]);
  };

  private constructor() {}

  /** A bridge and one host per name (addresses .1, .2, … in order); leftovers of an earlier run are removed first. */
  static create(names: readonly string[] = []): LabNet {
    const why = labNetUnavailable();
    if (why) throw new Error(why);
    cleanLabNet();
    const net = new LabNet();
    // Removed at exit, on Ctrl-C or SIGTERM and on a crash of this process's own code; a killed
    // (SIGKILL) process's leftovers go at the next start.
    process.once("exit", net.#onExit);
    // A signal's default ends the process without "exit": without these the hosts would stay until the next start.
    process.once("SIGINT", net.#onSignal);
    process.once("SIGTERM", net.#onSignal);
    try {
      sh("ip", ["link", "add", BRIDGE, "type", "bridge"]);
      sh("ip", ["addr", "add", `${BRIDGE_ADDRESS}/24`, "dev", BRIDGE]);
      sh("ip", ["link", "set", BRIDGE, "up"]);
      // Docker's package sets the FORWARD policy to DROP, which would drop traffic across the bridge too.
      sh("iptables", ["-I", ...FORWARD_RULE]);
      for (const name of names) net.addHost(name);
    } catch (err) {
      net.close();
      throw err;
    }
    return net;
  }

  /** One more host, at the lowest free address (.1 to .253); a name can be taken once at a time. */
  addHost(name: string): LabHost {
    if (this.#closed) throw new Error(`lab network closed: cannot add host ${name}`);
    if (this.hosts.has(name)) throw new Error(`lab host ${name} exists already`);
    const used = new Set([...this.hosts.values()].map((h) => h.index));
    const index = Array.from({ length: 253 }, (_, i) => i + 1).find((i) => !used.has(i));
    if (index === undefined) throw new Error(`the lab network (${LAB_SUBNET}) has no free address for host ${name}`);
    const namespace = `${PREFIX}-${name}`;
    // Interface names have at most 15 characters; the host's index keeps them apart.
    const veth = vethOf(index);
    const address = `${NET}.${index}`;
    sh("ip", ["netns", "add", namespace]);
    sh("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace]);
    sh("ip", ["link", "set", veth, "master", BRIDGE]);
    sh("ip", ["link", "set", veth, "up"]);
    sh("ip", ["-n", namespace, "addr", "add", `${address}/24`, "dev", "eth0"]);
    sh("ip", ["-n", namespace, "link", "set", "eth0", "up"]);
    sh("ip", ["-n", namespace, "link", "set", "lo", "up"]);
    const host = { name, namespace, address, index };
    this.hosts.set(name, host);
    return host;
  }

  /**
   * A name prefix for one stack's hosts, free until released: `base` ("nats"), else "nats2", … so
   * that two stacks of one mode running side by side (a priced comparison) get hosts of their own.
   */
  reservePrefix(base: string): string {
    for (let k = 1; ; k++) {
      const prefix = k === 1 ? base : `${base}${k}`;
      if (!this.#prefixes.has(prefix)) {
        this.#prefixes.add(prefix);
        return prefix;
      }
    }
  }

  releasePrefix(prefix: string): void {
    this.#prefixes.delete(prefix);
  }

  /** The host by this name, added when there is none yet (a cluster's nodes, n1, n2, …). */
  ensureHost(name: string): LabHost {
    return this.hosts.get(name) ?? this.addHost(name);
  }

  /** Removes a host whose processes have ended (its address becomes free again). */
  removeHost(name: string): void {
    const h = this.hosts.get(name);
    if (!h) return;
    this.hosts.delete(name);
    // The veth pair goes first, and at once: deleting the namespace alone frees it later, in the
    // kernel's own time, and a host added meanwhile at the same index met "File exists".
    sh("ip", ["link", "delete", vethOf(h.index)], true);
    sh("ip", ["netns", "delete", h.namespace], true);
  }

  host(name: string): LabHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  /** The command prefix that runs a program on `host`. */
  exec(name: string): string[] {
    return ["ip", "netns", "exec", this.host(name).namespace];
  }

  /** Cuts every packet between `a` and each of `others` (both ways, silently). */
  cut(a: string, others: readonly string[]): void {
    const ns = this.host(a).namespace;
    for (const o of others) {
      const peer = o === "main" ? BRIDGE_ADDRESS : this.host(o).address;
      sh("ip", ["netns", "exec", ns, "iptables", "-A", "INPUT", "-s", peer, "-j", "DROP"]);
      sh("ip", ["netns", "exec", ns, "iptables", "-A", "OUTPUT", "-d", peer, "-j", "DROP"]);
    }
  }

  /** Cuts `a` from every other host and from the main namespace. */
  isolate(a: string): void {
    this.cut(a, ["main", ...[...this.hosts.keys()].filter((h) => h !== a)]);
  }

  /** Heals the cuts made on `a` (by cut or isolate of `a`), leaving every other host's as they are. */
  rejoin(a: string): void {
    sh("ip", ["netns", "exec", this.host(a).namespace, "iptables", "-F"]);
  }

  /** Heals every cut. */
  heal(): void {
    for (const h of this.hosts.values()) sh("ip", ["netns", "exec", h.namespace, "iptables", "-F"]);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.removeListener("exit", this.#onExit);
    process.removeListener("SIGINT", this.#onSignal);
    process.removeListener("SIGTERM", this.#onSignal);
    cleanLabNet();
  }
}
