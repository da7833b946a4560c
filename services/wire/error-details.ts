import type { FieldViolation } from "../domain/errors.js";
import { BadRequest } from "../gen/google/rpc/error_details.js";
import { Status } from "../gen/google/rpc/status.js";

const BAD_REQUEST_TYPE_URL = "type.googleapis.com/google.rpc.BadRequest";

/**
 * Field violations as a google.rpc.Status carrying a google.rpc.BadRequest:
 * the richer error model of gRPC (grpc-status-details-bin), used as the NATS
 * service error body too, so both modes hand their clients the same structure.
 */
export function encodeViolations(code: number, message: string, violations: readonly FieldViolation[]): Uint8Array {
  const badRequest = BadRequest.encode({ fieldViolations: violations.map((v) => ({ field: v.field, description: v.rule })) }).finish();
  return Status.encode({ code, message, details: [{ typeUrl: BAD_REQUEST_TYPE_URL, value: badRequest }] }).finish();
}

/** The violations in an encoded google.rpc.Status, or undefined when there are none or the bytes are not one. */
export function decodeViolations(bytes: Uint8Array | undefined): FieldViolation[] | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const detail = Status.decode(bytes).details.find((d) => d.typeUrl === BAD_REQUEST_TYPE_URL);
    if (!detail) return undefined;
    return BadRequest.decode(detail.value).fieldViolations.map((v) => ({ field: v.field, rule: v.description }));
  } catch {
    return undefined;
  }
}
