import { isIP } from "node:net";
import { ConfigError } from "./config-error.js";

export interface AddressList {
  /** host:port entries as given. */
  addresses: string[];
  /** The gRPC channel target that reaches all of them. */
  target: string;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function parseEntry(variable: string, entry: string): { host: string; port: number; ip: 0 | 4 | 6 } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host) throw new ConfigError(`${variable}: ${JSON.stringify(entry)} is not host:port (e.g. 127.0.0.1:50052)`);
  if (!(port >= 1 && port <= 65535)) throw new ConfigError(`${variable}: port ${m[3]} in ${JSON.stringify(entry)} is not in 1-65535`);
  const ip = isIP(host) as 0 | 4 | 6;
  if (m[1] !== undefined && ip !== 6) throw new ConfigError(`${variable}: ${JSON.stringify(host)} in brackets is not an IPv6 address`);
  if (ip === 0 && !HOSTNAME.test(host)) throw new ConfigError(`${variable}: ${JSON.stringify(host)} is not a valid host name`);
  return { host, port, ip };
}

/**
 * Parses "host:port[,host:port...]". Several IP literals become one static
 * target balanced round_robin; one host name is resolved by DNS, whose answers
 * (all replicas behind a name, as in compose) are balanced the same way.
 */
export function parseAddressList(variable: string, value: string | undefined): AddressList {
  if (value === undefined || value.trim() === "")
    throw new ConfigError(`${variable} is not set: give the server's host:port, or a comma-separated list of replicas`);
  const addresses = value.split(",").map((s) => s.trim());
  if (addresses.some((a) => a === "")) throw new ConfigError(`${variable}: empty entry in ${JSON.stringify(value)}`);
  const entries = addresses.map((a) => parseEntry(variable, a));
  const first = entries[0]!;
  if (entries.length === 1 && first.ip === 0) return { addresses, target: `dns:${first.host}:${first.port}` };
  if (entries.some((e) => e.ip === 0)) {
    throw new ConfigError(`${variable}: a list of replicas must use IP addresses; for host names give one name that resolves to all replicas`);
  }
  const family = first.ip;
  if (entries.some((e) => e.ip !== family)) throw new ConfigError(`${variable}: do not mix IPv4 and IPv6 replicas in one list`);
  const list = entries.map((e) => (family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)).join(",");
  return { addresses, target: `ipv${family}:${list}` };
}

/** Parses a listen address ("host:port"); port 0 asks the OS for a free one. */
export function parseListenAddress(variable: string, value: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (!m || Number(m[3]) > 65535) throw new ConfigError(`${variable}: ${JSON.stringify(value)} is not host:port (e.g. 0.0.0.0:50051)`);
  return value;
}
