import {
  DeadlineError,
  DependencyUnavailableError,
  IdempotencyConflictError,
  InvalidOrderError,
  NotFoundError,
  OverloadedError,
} from "../../services/domain/errors.js";

/** A short code for an error a client saw, for counting: the gRPC status names where they apply. */
export function errorCode(err: unknown): string {
  if (err instanceof DependencyUnavailableError) return "UNAVAILABLE";
  if (err instanceof DeadlineError) return "DEADLINE_EXCEEDED";
  if (err instanceof OverloadedError) return "RESOURCE_EXHAUSTED";
  if (err instanceof InvalidOrderError) return "INVALID_ARGUMENT";
  if (err instanceof NotFoundError) return "NOT_FOUND";
  if (err instanceof IdempotencyConflictError) return "ALREADY_EXISTS";
  return err instanceof Error ? err.name : "UNKNOWN";
}
