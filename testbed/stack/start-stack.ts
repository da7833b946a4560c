import { mkdtemp } from "node:fs/promises";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt } from "../build.js";
import { startGrpcInProcess, type GrpcInProcessStack } from "./grpc-in-process.js";
import { GrpcProcessStack } from "./grpc-process-stack.js";
import { startNatsInProcess, type NatsInProcessStack } from "./nats-in-process.js";
import { NatsProcessStack } from "./nats-process-stack.js";
import type { ProcessStackOptions } from "./process-stack.js";
import type { Stack, StackOptions } from "./stack.js";

/** A stack of either mode as processes. */
export type AnyProcessStack = GrpcProcessStack | NatsProcessStack;

/** Whether a stack runs a broker the caller can look into (its connection, its nodes): a capability, not a mode's name. */
export function withBroker(stack: AnyProcessStack): stack is NatsProcessStack {
  return stack.capabilities.hasBroker;
}

/** The options of a process stack, checked, with a data folder (a temporary one, removed at stop, when none is given). */
async function processOptions(given: StackOptions): Promise<ProcessStackOptions> {
  if (given.net && given.secure)
    throw new Error("net: the secure profile's development certificates name localhost, not the lab's hosts; run the lab network without the secure profile");
  if (given.natsUrl && (given.secure || (given.cluster ?? 1) > 1))
    throw new Error("natsUrl: a broker given runs as it is; the stack cannot make it secure or a cluster");
  if (given.mode === "grpc" && given.secure && Object.values(given.replicas ?? {}).some((n) => n > 1))
    throw new Error(
      "replicas with secure in gRPC mode: the order service balances over IP addresses, which the development certificates do not name; run replicas in the plain profile",
    );
  const ownsDataDir = given.dataDir === undefined;
  const dataDir = given.dataDir ?? (await mkdtemp(join(tmpdir(), `gvn-${given.mode}-processes-`)));
  mkdirSync(dataDir, { recursive: true });
  return { ...given, dataDir, ownsDataDir, logFile: given.logFile ?? join(dataDir, "services.log") };
}

/**
 * The one way to stand up a system, for the tests, the lab, the demo and the start scripts: a mode's
 * three services in this process or as processes, plain or secure, on one broker or a cluster.
 */
export function startStack(options: StackOptions & { mode: "grpc"; where: "in-process" }): Promise<GrpcInProcessStack>;
export function startStack(options: StackOptions & { mode: "nats"; where: "in-process" }): Promise<NatsInProcessStack>;
export function startStack(options: StackOptions & { mode: "grpc"; where: "processes" }): Promise<GrpcProcessStack>;
export function startStack(options: StackOptions & { mode: "nats"; where: "processes" }): Promise<NatsProcessStack>;
export function startStack(options: StackOptions & { where: "processes" }): Promise<AnyProcessStack>;
export function startStack(options: StackOptions): Promise<Stack>;
export async function startStack(options: StackOptions): Promise<Stack> {
  if (options.where === "processes") {
    const o = await processOptions(options);
    // The lab measures what ships: its build. The start scripts run the source.
    if (!o.fromSource) await ensureBuilt();
    return options.mode === "grpc" ? GrpcProcessStack.start(o) : NatsProcessStack.start(o);
  }
  const several = Object.entries(options.replicas ?? {}).find(([, n]) => n > 1);
  if (several) throw new Error(`replicas: ${several[0]}=${several[1]} needs where: "processes" (services in this process run once each)`);
  return options.mode === "grpc" ? startGrpcInProcess(options) : startNatsInProcess(options);
}
