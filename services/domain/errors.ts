/**
 * Transport-neutral failures of the business logic. Each adapter maps them to
 * its own vocabulary in exactly one place (its error-mapping.ts): gRPC status
 * codes, NATS service error codes and ack decisions. Every error takes
 * ErrorOptions, so the failure underneath (a gRPC status, a JetStream error)
 * stays reachable as `cause` for logs.
 */
export type DomainErrorKind = "invalid" | "not-found" | "conflict" | "unavailable" | "timeout" | "overloaded";

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

export interface FieldViolation {
  /** The field's path in the request, e.g. "items[0].quantity"; "" when the request as a whole is at fault. */
  field: string;
  rule: string;
}

/** The input breaks a rule; retrying the same input can never succeed. */
export class InvalidOrderError extends DomainError {
  readonly kind = "invalid";
  constructor(
    readonly violations: readonly FieldViolation[],
    options?: ErrorOptions,
  ) {
    super(violations.map((v) => (v.field ? `${v.field}: ${v.rule}` : v.rule)).join("; "), options);
    this.name = "InvalidOrderError";
  }
  get field(): string {
    return this.violations[0]?.field ?? "";
  }
}

export class NotFoundError extends DomainError {
  readonly kind = "not-found";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotFoundError";
  }
  static of(what: string, id: string): NotFoundError {
    return new NotFoundError(`${what} ${JSON.stringify(id)} not found`);
  }
}

/** The idempotency key was reused for a different order. */
export class IdempotencyConflictError extends DomainError {
  readonly kind = "conflict";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "IdempotencyConflictError";
  }
  static of(orderId: string): IdempotencyConflictError {
    return new IdempotencyConflictError(`order_id ${JSON.stringify(orderId)} was already used for a different order`);
  }
}

/** A service this one depends on could not be reached; the work may be retried. */
export class DependencyUnavailableError extends DomainError {
  readonly kind = "unavailable";
  constructor(
    readonly dependency: string,
    detail?: string,
    options?: ErrorOptions,
  ) {
    super(`${dependency} unavailable${detail ? `: ${detail}` : ""}`, options);
    this.name = "DependencyUnavailableError";
  }
}

/** The time budget of the request ran out; the outcome downstream is unknown. */
export class DeadlineError extends DomainError {
  readonly kind = "timeout";
  constructor(
    readonly dependency: string,
    options?: ErrorOptions,
  ) {
    super(`deadline exceeded waiting for ${dependency}`, options);
    this.name = "DeadlineError";
  }
}

/** The service is at its in-flight limit and sheds this request. */
export class OverloadedError extends DomainError {
  readonly kind = "overloaded";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OverloadedError";
  }
}

/** The request could not even be read (bytes that are not the expected message). */
export class MalformedRequestError extends DomainError {
  readonly kind = "invalid";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MalformedRequestError";
  }
}

/** A failure on the other side that is none of the above; its text was already kept from internals by that side. */
export class RemoteInternalError extends Error {
  constructor(
    readonly dependency: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${dependency} failed: ${detail}`, options);
    this.name = "RemoteInternalError";
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** One line per error in the chain: "Name: message", then "caused by: ..." for each cause, with the stack of the first. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    const text =
      current instanceof Error
        ? depth === 0
          ? (current.stack ?? `${current.name}: ${current.message}`)
          : `${current.name}: ${current.message}`
        : typeof current === "string"
          ? current
          : JSON.stringify(current);
    parts.push(depth === 0 ? text : `caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join("\n");
}
