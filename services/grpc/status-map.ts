import { Metadata, status, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import type { Logger } from "../common/logger.js";
import {
  DeadlineError,
  DependencyUnavailableError,
  IdempotencyConflictError,
  InvalidOrderError,
  NotFoundError,
  OverloadedError,
  isDomainError,
  type DomainErrorKind,
} from "../domain/errors.js";

/** The one place where domain errors become gRPC statuses. */
const CODE: Record<DomainErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  "not-found": status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
  overloaded: status.RESOURCE_EXHAUSTED,
};

export function toStatus(err: unknown, log: Logger): Partial<StatusObject> {
  if (isDomainError(err)) return { code: CODE[err.kind], details: err.message, metadata: new Metadata() };
  // Unknown errors never leak internals to the caller; the log keeps them under a reference.
  const ref = randomUUID().slice(0, 8);
  log.error("unexpected error", { ref, err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return { code: status.INTERNAL, details: `internal error (ref ${ref})`, metadata: new Metadata() };
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number";
}

function parseViolations(details: string): InvalidOrderError {
  return new InvalidOrderError(
    details.split("; ").map((part) => {
      const at = part.indexOf(": ");
      return at < 0 ? { field: "", rule: part } : { field: part.slice(0, at), rule: part.slice(at + 2) };
    }),
  );
}

/** The reverse, for callers: a status from `dependency` becomes a domain error. */
export function fromServiceError(err: unknown, dependency: string): Error {
  if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err));
  const details = err.details ?? "";
  switch (err.code) {
    case status.INVALID_ARGUMENT:
      return parseViolations(details);
    case status.NOT_FOUND:
      return new NotFoundError(details);
    case status.ALREADY_EXISTS:
      return new IdempotencyConflictError(details);
    case status.UNAVAILABLE:
    case status.CANCELLED:
      return new DependencyUnavailableError(dependency, details);
    case status.DEADLINE_EXCEEDED:
      return new DeadlineError(dependency);
    case status.RESOURCE_EXHAUSTED:
      return new OverloadedError(`${dependency} overloaded: ${details}`);
    default:
      return new Error(`${dependency} failed with ${status[err.code] ?? err.code}: ${details}`);
  }
}
