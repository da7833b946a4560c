import { headers as natsHeaders, type MsgHdrs } from "nats";
import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { MalformedRequestError } from "../domain/errors.js";

export interface ProtoType<T> {
  /** Fully-qualified protobuf name, e.g. "shop.v1.Order". */
  typeName: string;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

export function protoType<T>(typeName: string, fns: Pick<ProtoType<T>, "encode" | "decode">): ProtoType<T> {
  return { typeName, encode: fns.encode, decode: fns.decode };
}

export const CONTENT_TYPE = "Content-Type";
/** JetStream's de-duplication header: a re-publish of the same id inside the duplicate window is dropped. */
export const MSG_ID_HEADER = "Nats-Msg-Id";
/** The order a message concerns, for logs: set by every publisher of the workflow. */
export const ORDER_ID_HEADER = "Shop-Order-Id";

export function contentTypeOf(type: ProtoType<unknown>): string {
  return `application/protobuf; proto=${type.typeName}`;
}

/** Payload and headers of one NATS message carrying a protobuf message. */
export function encodePayload<T>(type: ProtoType<T>, message: T, extra: Record<string, string> = {}): { data: Uint8Array; headers: MsgHdrs } {
  const headers = natsHeaders();
  headers.set(CONTENT_TYPE, contentTypeOf(type));
  for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  return { data: type.encode(message).finish(), headers };
}

/**
 * Decodes a payload of the subject's type. A Content-Type naming another type,
 * or bytes that are not that message, are a MalformedRequestError: no retry can fix it.
 */
export function decodePayload<T>(type: ProtoType<T>, data: Uint8Array, headers: MsgHdrs | undefined): T {
  const declared = headers?.get(CONTENT_TYPE) ?? "";
  if (declared !== "" && declared !== contentTypeOf(type)) {
    throw new MalformedRequestError(`wrong content type ${JSON.stringify(declared)}; expected ${JSON.stringify(contentTypeOf(type))}`);
  }
  try {
    return type.decode(data);
  } catch (err) {
    throw new MalformedRequestError(`undecodable ${type.typeName} payload (${data.length} bytes): ${(err as Error).message}`, { cause: err });
  }
}
