import type { CallOptions, ServerUnaryCall } from "@grpc/grpc-js";
import type { RequestContext } from "../domain/ports.js";

/**
 * The deadline of the call being handled, as the transport-neutral context the
 * business logic passes on to its ports. Passed explicitly rather than through
 * AsyncLocalStorage, whose async hooks would tax every promise in the process.
 */
export function requestContextOf(call: ServerUnaryCall<unknown, unknown>): RequestContext {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && ms > 0 ? { deadline: ms } : {};
}

/** Options for an outgoing call: the smaller of our own budget and the caller's deadline. */
export function outgoingCallOptions(budgetMs: number, ctx: RequestContext | undefined): CallOptions {
  const own = Date.now() + budgetMs;
  return { deadline: ctx?.deadline === undefined ? own : Math.min(own, ctx.deadline) };
}
