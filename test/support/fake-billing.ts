import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { BillingServiceService, type CreateInvoiceRequest, type CreateInvoiceResponse } from "../../services/gen/shop/v1/billing.js";

export type CreateInvoiceHandler = (call: ServerUnaryCall<CreateInvoiceRequest, CreateInvoiceResponse>, cb: sendUnaryData<CreateInvoiceResponse>) => void;

/** A billing stand-in whose answers the test decides, to watch what its callers do. */
export async function fakeBilling(handler: CreateInvoiceHandler): Promise<{ address: string; close(): void }> {
  const server = new Server();
  server.addService(BillingServiceService, { createInvoice: handler, getInvoice: (_c: unknown, cb: sendUnaryData<unknown>) => cb({ code: status.UNIMPLEMENTED }) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}
