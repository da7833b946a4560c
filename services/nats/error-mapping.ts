import { DependencyUnavailableError, InvalidOrderError, NotFoundError, isDomainError } from "../domain/errors.js";
import { PoisonMessageError } from "./poison.js";

export type Decision = { kind: "retry"; delayMs: number; reason: string } | { kind: "dead-letter"; reason: string };

export interface RetryPolicy {
  maxDeliver: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, "maxDeliver"> = { baseDelayMs: 250, maxDelayMs: 15_000 };

/**
 * The one place where a handler's failure becomes a JetStream decision:
 * errors that no retry can fix are dead-lettered now; transient ones are
 * nak'ed with an exponential delay until max_deliver, then dead-lettered.
 */
export function decide(err: unknown, deliveryCount: number, policy: RetryPolicy): Decision {
  if (err instanceof PoisonMessageError) return { kind: "dead-letter", reason: err.message };
  let reason: string;
  if (isDomainError(err)) {
    switch (err.kind) {
      case "invalid":
      case "conflict":
      case "not-found":
        return { kind: "dead-letter", reason: `${err.kind}: ${err.message}` };
      default:
        reason = err.message;
    }
  } else {
    reason = "internal error";
  }
  if (deliveryCount >= policy.maxDeliver) return { kind: "dead-letter", reason: `gave up after ${deliveryCount} deliveries: ${reason}` };
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (deliveryCount - 1));
  return { kind: "retry", delayMs, reason };
}

/** Domain errors as NATS service errors (Nats-Service-Error-Code / Nats-Service-Error headers). */
export function serviceError(err: unknown): { code: number; description: string } {
  if (err instanceof PoisonMessageError) return { code: 400, description: err.message };
  if (!isDomainError(err)) return { code: 500, description: "internal error" };
  const code = { invalid: 400, "not-found": 404, conflict: 409, unavailable: 503, timeout: 504, overloaded: 429 }[err.kind];
  return { code, description: err.message };
}

/** The reverse, for clients of a NATS service endpoint. */
export function fromServiceError(code: number, description: string): Error {
  switch (code) {
    case 400:
      return new InvalidOrderError([{ field: "", rule: description }]);
    case 404:
      return new NotFoundError(description);
    case 503:
      return new DependencyUnavailableError("order service", description);
    default:
      return new Error(`order service error ${code}: ${description}`);
  }
}
