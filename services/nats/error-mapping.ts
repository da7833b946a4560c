import { randomUUID } from "node:crypto";
import type { Msg } from "nats";
import { decodeViolations, encodeViolations } from "../wire/error-details.js";
import type { Logger } from "../common/logger.js";
import {
  DeadlineError,
  DependencyUnavailableError,
  IdempotencyConflictError,
  InvalidOrderError,
  MalformedRequestError,
  NotFoundError,
  OverloadedError,
  RemoteInternalError,
  isDomainError,
  type DomainErrorKind,
} from "../domain/errors.js";
import { redeliveryDelayMs, type RetryPolicy } from "./retry-policy.js";

/**
 * The one place where domain errors become NATS vocabulary: service error
 * codes for request/reply (toWireError / fromWireError, the same pair as the
 * gRPC adapter's) and ack decisions for JetStream work (decide, with the
 * redelivery delays of retry-policy.ts).
 */

/** A NATS service error: the Nats-Service-Error-Code / Nats-Service-Error headers, and a body with details. */
export interface WireError {
  code: number;
  description: string;
  /** A google.rpc.Status with google.rpc.BadRequest for field violations; empty otherwise. */
  body: Uint8Array;
}

const CODE: Record<DomainErrorKind, number> = { invalid: 400, "not-found": 404, conflict: 409, unavailable: 503, timeout: 504, overloaded: 429 };
const EMPTY = new Uint8Array(0);

export function toWireError(err: unknown, log: Logger): WireError {
  if (isDomainError(err)) {
    const code = CODE[err.kind];
    const body = err instanceof InvalidOrderError ? encodeViolations(code, err.message, err.violations) : EMPTY;
    return { code, description: err.message, body };
  }
  // Unknown errors never leak internals to the caller; the log keeps them, with their causes, under a reference.
  const ref = randomUUID().slice(0, 8);
  log.error("unexpected error", { ref, err });
  return { code: 500, description: `internal error (ref ${ref})`, body: EMPTY };
}

/** A NATS service's error reply, kept whole as the cause of the domain error it maps to. */
export class ServiceErrorReply extends Error {
  constructor(
    readonly dependency: string,
    readonly code: number,
    readonly description: string,
    /** The reply message itself: its subject, headers and body, as the broker delivered them. */
    readonly reply?: Msg,
  ) {
    super(`${dependency} answered ${code}: ${description}`);
    this.name = "ServiceErrorReply";
  }
}

/** The reverse, for clients of a NATS service endpoint: the answer of `dependency` (the reply, when there is one) becomes a domain error. */
export function fromWireError(wire: WireError, dependency: string, reply?: Msg): Error {
  const cause = { cause: new ServiceErrorReply(dependency, wire.code, wire.description, reply) };
  switch (wire.code) {
    case 400:
      return new InvalidOrderError(decodeViolations(wire.body) ?? [{ field: "", rule: wire.description }], cause);
    case 404:
      return new NotFoundError(wire.description, cause);
    case 409:
      return new IdempotencyConflictError(wire.description, cause);
    case 429:
      return new OverloadedError(`${dependency} overloaded: ${wire.description}`, cause);
    case 503:
      return new DependencyUnavailableError(dependency, wire.description, cause);
    case 504:
      return new DeadlineError(dependency, cause);
    default:
      return new RemoteInternalError(dependency, `${wire.code}: ${wire.description}`, cause);
  }
}

export type Decision = { kind: "retry"; delayMs: number; reason: string } | { kind: "dead-letter"; reason: string };

/**
 * A handler's failure as a JetStream decision: errors that no retry can fix
 * are dead-lettered now; transient ones are nak'ed with an exponential delay
 * until max_deliver, then dead-lettered.
 */
export function decide(err: unknown, deliveryCount: number, policy: RetryPolicy): Decision {
  // Bytes no handler can read: no retry can fix them; the reason says what was wrong.
  if (err instanceof MalformedRequestError) return { kind: "dead-letter", reason: err.message };
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
  return { kind: "retry", delayMs: redeliveryDelayMs(deliveryCount, policy), reason };
}
