import { loopbackHost } from "../loopback.js";
import type { LabNet } from "../net/lab-net.js";

/**
 * Where a stack's processes run. Without a lab network, all on this host (named by loopbackHost:
 * "localhost" over TLS, whose certificates name it). On the lab network, each process on a host of
 * its own, named after the stack ("grpc-order", "nats2-billing-2"), added on first use and removed
 * when the stack stops.
 */
export class Placement {
  readonly #hosts: string[] = [];
  /** The name the stack's hosts start with, reserved until release(): a second stack of a mode beside the first gets its own ("nats2"). */
  readonly prefix: string;

  constructor(
    readonly net: LabNet | undefined,
    mode: string,
    readonly secure: boolean,
  ) {
    this.prefix = net?.reservePrefix(mode) ?? mode;
  }

  /** The host a process runs on, by the process's name ("order", "billing-2", "broker"), added when missing. */
  #hostOf(process: string): { name: string; address: string } | undefined {
    const net = this.net;
    if (!net) return undefined;
    const name = `${this.prefix}-${process}`;
    if (!this.#hosts.includes(name)) {
      net.addHost(name);
      this.#hosts.push(name);
    }
    return { name, address: net.host(name).address };
  }

  /** The address a process listens on and is reached at. */
  addressOf(process: string): string {
    return this.#hostOf(process)?.address ?? loopbackHost(this.secure);
  }

  /** The command prefix that runs a process on its host (none without a lab network). */
  execOf(process: string): string[] | undefined {
    const host = this.#hostOf(process);
    return host && this.net!.exec(host.name);
  }

  /** Where a process runs, for a server started elsewhere (the broker): its command prefix and address. */
  hostFor(process: string): { exec: string[]; address: string } | undefined {
    const host = this.#hostOf(process);
    return host && { exec: this.net!.exec(host.name), address: host.address };
  }

  /** Removes the hosts added, and gives the prefix back. */
  release(): void {
    for (const h of this.#hosts.splice(0)) this.net?.removeHost(h);
    this.net?.releasePrefix(this.prefix);
  }
}
