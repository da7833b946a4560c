import type { CallOptions, ServerUnaryCall } from "@grpc/grpc-js";
import { AsyncLocalStorage } from "node:async_hooks";

// The server call being handled, so that the outgoing calls it causes inherit
// its deadline and cancellation without the business logic knowing about gRPC.
const current = new AsyncLocalStorage<ServerUnaryCall<unknown, unknown>>();

export function runInCall<T>(call: ServerUnaryCall<unknown, unknown>, work: () => T): T {
  return current.run(call, work);
}

/** Options for an outgoing call: the smaller of our own budget and the caller's deadline. */
export function outgoingCallOptions(budgetMs: number): CallOptions {
  const parent = current.getStore();
  const own = Date.now() + budgetMs;
  if (!parent) return { deadline: own };
  const inherited = parent.getDeadline();
  const inheritedMs = inherited instanceof Date ? inherited.getTime() : inherited;
  const deadline = Number.isFinite(inheritedMs) && inheritedMs > 0 ? Math.min(own, inheritedMs) : own;
  return { deadline, parent };
}
