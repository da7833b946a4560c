import { startGrpcInProcess, type GrpcInProcessStack } from "./grpc-in-process.js";
import { startNatsInProcess, type NatsInProcessStack } from "./nats-in-process.js";
import { ProcessStack } from "./process-stack.js";
import type { Stack, StackOptions } from "./stack.js";

/**
 * The one way to stand up a system, for the tests, the lab and the start scripts: a mode's three
 * services in this process or as processes, plain or secure, on one broker or a cluster.
 */
export function startStack(options: StackOptions & { mode: "grpc"; where: "in-process" }): Promise<GrpcInProcessStack>;
export function startStack(options: StackOptions & { mode: "nats"; where: "in-process" }): Promise<NatsInProcessStack>;
export function startStack(options: StackOptions & { where: "processes" }): Promise<ProcessStack>;
export function startStack(options: StackOptions): Promise<Stack>;
export async function startStack(options: StackOptions): Promise<Stack> {
  if (options.where === "processes") return ProcessStack.start(options);
  const several = Object.entries(options.replicas ?? {}).find(([, n]) => n > 1);
  if (several) throw new Error(`replicas: ${several[0]}=${several[1]} needs where: "processes" (services in this process run once each)`);
  return options.mode === "grpc" ? startGrpcInProcess(options) : startNatsInProcess(options);
}
