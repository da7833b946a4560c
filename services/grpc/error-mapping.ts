import { Metadata, status, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import { decodeViolations, encodeViolations } from "../wire/error-details.js";
import type { Logger } from "../common/logger.js";
import {
  DeadlineError,
  DependencyUnavailableError,
  IdempotencyConflictError,
  InvalidOrderError,
  NotFoundError,
  OverloadedError,
  RemoteInternalError,
  isDomainError,
  type DomainErrorKind,
} from "../domain/errors.js";

/** The metadata key of the gRPC richer error model: a google.rpc.Status with details. */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** The one place where domain errors become gRPC statuses. */
const CODE: Record<DomainErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  "not-found": status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
  overloaded: status.RESOURCE_EXHAUSTED,
};

/** A handler's failure as the status the caller gets; field violations travel as google.rpc.BadRequest details. */
export function toWireError(err: unknown, log: Logger): Partial<StatusObject> {
  const metadata = new Metadata();
  if (isDomainError(err)) {
    const code = CODE[err.kind];
    if (err instanceof InvalidOrderError) metadata.set(STATUS_DETAILS_KEY, Buffer.from(encodeViolations(code, err.message, err.violations)));
    return { code, details: err.message, metadata };
  }
  // Unknown errors never leak internals to the caller; the log keeps them, with their causes, under a reference.
  const ref = randomUUID().slice(0, 8);
  log.error("unexpected error", { ref, err });
  return { code: status.INTERNAL, details: `internal error (ref ${ref})`, metadata };
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number";
}

function violationsOf(err: ServiceError): InvalidOrderError {
  const bytes = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  const violations = decodeViolations(typeof bytes === "string" ? Buffer.from(bytes, "base64") : bytes);
  return new InvalidOrderError(violations ?? [{ field: "", rule: err.details }], { cause: err });
}

/** The reverse, for callers: a status from `dependency` becomes a domain error whose cause is the status. */
export function fromWireError(err: unknown, dependency: string): Error {
  if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err));
  const details = err.details ?? "";
  const cause = { cause: err };
  switch (err.code) {
    case status.INVALID_ARGUMENT:
      return violationsOf(err);
    case status.NOT_FOUND:
      return new NotFoundError(details, cause);
    case status.ALREADY_EXISTS:
      return new IdempotencyConflictError(details, cause);
    case status.UNAVAILABLE:
    case status.CANCELLED:
      return new DependencyUnavailableError(dependency, details, cause);
    case status.DEADLINE_EXCEEDED:
      return new DeadlineError(dependency, cause);
    case status.RESOURCE_EXHAUSTED:
      return new OverloadedError(`${dependency} overloaded: ${details}`, cause);
    default:
      return new RemoteInternalError(dependency, `${status[err.code] ?? err.code}: ${details}`, cause);
  }
}
