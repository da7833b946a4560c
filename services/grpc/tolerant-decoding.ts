import type { ServiceDefinition } from "@grpc/grpc-js";
import { MalformedRequestError } from "../domain/errors.js";

/**
 * grpc-js answers a request it cannot deserialize with INTERNAL, which blames
 * the server. Decoding failures become a MalformedRequestError value instead,
 * which the unary wrapper turns into INVALID_ARGUMENT with the reason.
 */
export function tolerantDecoding<D extends ServiceDefinition>(definition: D): D {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes) as unknown;
        } catch (err) {
          return new MalformedRequestError(`malformed request for ${method.path} (${bytes.length} bytes): ${(err as Error).message}`, { cause: err });
        }
      },
    };
  }
  return out as D;
}
