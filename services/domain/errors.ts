/**
 * Transport-neutral failures of the business logic. Each adapter maps them to
 * its own vocabulary in exactly one place (gRPC status codes, NATS ack decisions).
 */
export type DomainErrorKind =
  | "invalid"
  | "not-found"
  | "conflict"
  | "unavailable"
  | "timeout"
  | "overloaded";

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

export interface FieldViolation {
  field: string;
  rule: string;
}

/** The input breaks a rule; retrying the same input can never succeed. */
export class InvalidOrderError extends DomainError {
  readonly kind = "invalid";
  constructor(readonly violations: readonly FieldViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.rule}`).join("; "));
    this.name = "InvalidOrderError";
  }
  get field(): string {
    return this.violations[0]?.field ?? "";
  }
}

export class NotFoundError extends DomainError {
  readonly kind = "not-found";
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
  static of(what: string, id: string): NotFoundError {
    return new NotFoundError(`${what} ${JSON.stringify(id)} not found`);
  }
}

/** The idempotency key was reused for a different order. */
export class IdempotencyConflictError extends DomainError {
  readonly kind = "conflict";
  constructor(message: string) {
    super(message);
    this.name = "IdempotencyConflictError";
  }
  static of(orderId: string): IdempotencyConflictError {
    return new IdempotencyConflictError(`order_id ${JSON.stringify(orderId)} was already used for a different order`);
  }
}

/** A service this one depends on could not be reached; the work may be retried. */
export class DependencyUnavailableError extends DomainError {
  readonly kind = "unavailable";
  constructor(readonly dependency: string, detail?: string) {
    super(`${dependency} unavailable${detail ? `: ${detail}` : ""}`);
    this.name = "DependencyUnavailableError";
  }
}

/** The time budget of the request ran out; the outcome downstream is unknown. */
export class DeadlineError extends DomainError {
  readonly kind = "timeout";
  constructor(readonly dependency: string) {
    super(`deadline exceeded waiting for ${dependency}`);
    this.name = "DeadlineError";
  }
}

/** The service is at its in-flight limit and sheds this request. */
export class OverloadedError extends DomainError {
  readonly kind = "overloaded";
  constructor(message: string) {
    super(message);
    this.name = "OverloadedError";
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** The request could not even be read (bytes that are not the expected message). */
export class MalformedRequestError extends DomainError {
  readonly kind = "invalid";
  constructor(message: string) {
    super(message);
    this.name = "MalformedRequestError";
  }
}
