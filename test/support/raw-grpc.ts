import { credentials, makeGenericClientConstructor, Metadata, type ServiceError } from "@grpc/grpc-js";
import { rawUnaryMethod } from "../../lab/systems/raw-chain-node.js";

/** Calls any method path with raw bytes, as a client that knows nothing of the schema would. */
export async function rawUnary(
  address: string,
  path: string,
  payload: Buffer,
  deadlineMs = 5_000,
  options: Record<string, number> = {},
): Promise<{ error?: ServiceError; response?: Buffer }> {
  const Ctor = makeGenericClientConstructor({ call: rawUnaryMethod(path) }, "Raw");
  const client = new Ctor(address, credentials.createInsecure(), options) as unknown as {
    call(req: Buffer, md: Metadata, opts: object, cb: (err: ServiceError | null, res: Buffer) => void): void;
    close(): void;
  };
  try {
    return await new Promise((resolve) =>
      client.call(payload, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => resolve(err ? { error: err } : { response: res })),
    );
  } finally {
    client.close();
  }
}
