import { identity } from "../../testbed/identity.js";
import type { GrpcInProcessStack } from "../../testbed/stack/grpc-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { status } from "@grpc/grpc-js";
import { expect } from "chai";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCertificate, writeCertificates, type CertificateSet } from "../../testbed/certs.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import { parseAddressList } from "../../services/common/address-list.js";
import { BillingServiceClient } from "../../services/gen/shop/v1/billing_service.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { callUnary, createClient } from "../../services/grpc/channel.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import { testCertificates } from "../support/certs.js";
import { eventually } from "../support/eventually.js";
import { memoryLogger, type LogLine } from "../support/memory-logger.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC secure profile: mutual TLS and per-caller authorization", function () {
  this.timeout(60_000);
  let certs: CertificateSet;
  let stack: GrpcInProcessStack;
  let lines: LogLine[];
  let scratch: string;

  before(async () => {
    certs = testCertificates();
    lines = [];
    stack = await startStack({ mode: "grpc", where: "in-process", secure: certs, log: (name) => memoryLogger(lines, { service: name }) });
    scratch = mkdtempSync(join(tmpdir(), "gvn-bad-certs-"));
  });
  after(async () => {
    await stack?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const orderAddr = () => stack.services.order.addresses.listens!;
  const billingAddr = () => stack.services.billing.addresses.listens!;

  /** The workflow still serves a properly authenticated client: nothing above broke it. */
  async function stillCompletes(): Promise<void> {
    const client = new GrpcWorkflowClient({ orderServiceAddr: orderAddr(), tls: identity(certs, "client").pem() });
    try {
      expect((await client.placeOrder(sampleOrder())).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
    } finally {
      await client.close();
    }
  }

  async function refusedHandshake(tls: { ca: Buffer; cert: Buffer; key: Buffer } | undefined, reason: RegExp): Promise<void> {
    const before = lines.length;
    const client = new GrpcWorkflowClient({ orderServiceAddr: orderAddr(), deadlineMs: 3_000, tls });
    try {
      const err = await client.placeOrder(sampleOrder()).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err, "the call must fail").to.be.instanceOf(Error);
    } finally {
      await client.close();
    }
    if (tls) {
      // A client that presents a certificate the server rejects: the server says why.
      await eventually("the refused handshake to be logged with its reason", () =>
        lines.slice(before).find((l) => l.service === "order" && l.msg === "TLS handshake refused" && reason.test(String(l.reason))),
      );
    }
    await stillCompletes();
  }

  it("completes orders between services that present certificates from the CA", stillCompletes);

  it("refuses a client without a certificate (plaintext) and keeps serving others", async () => {
    await refusedHandshake(undefined, /./);
  });

  it("refuses a certificate from another CA, logging the reason, and keeps serving others", async () => {
    const other = writeCertificates(join(scratch, "other-ca"), { identities: ["client"] });
    await refusedHandshake({ ...identity(other, "client").pem(), ca: identity(certs, "client").pem().ca }, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it("refuses an expired certificate, logging the reason, and keeps serving others", async () => {
    const dir = join(scratch, "expired");
    cpSync(certs.dir, dir, { recursive: true });
    issueCertificate(dir, "client", { notBefore: "20200101000000Z", notAfter: "20200102000000Z" });
    await refusedHandshake(
      identity(
        { ...certs, dir, ca: join(dir, "ca.pem"), files: { client: { cert: join(dir, "client.pem"), key: join(dir, "client-key.pem") } } },
        "client",
      ).pem(),
      /CERT_HAS_EXPIRED/,
    );
  });

  it("answers PERMISSION_DENIED naming the caller and the method when client calls billing, and writes nothing", async () => {
    const order = sampleOrder();
    const client = createClient(BillingServiceClient, "shop.v1.BillingService", parseAddressList("billing", billingAddr()), {
      tls: identity(certs, "client").pem(),
    });
    try {
      const err = await callUnary(
        client.createInvoice.bind(client),
        { order },
        { deadline: Date.now() + 5_000 },
        { path: "shop.v1.BillingService/CreateInvoice" },
      ).then(
        () => undefined,
        (e: { code: number; details: string }) => e,
      );
      expect(err?.code).to.equal(status.PERMISSION_DENIED);
      expect(err?.details).to.equal('caller "client" may not call shop.v1.BillingService/CreateInvoice');
    } finally {
      client.close();
    }
    const ledger = new Ledger(stack.dataDir);
    try {
      expect(ledger.snapshot().invoices.has(order.orderId)).to.equal(false);
    } finally {
      ledger.close();
    }
    await stillCompletes();
  });

  it("answers PERMISSION_DENIED when billing's identity places an order, and writes nothing", async () => {
    const order = sampleOrder();
    const client = new GrpcWorkflowClient({ orderServiceAddr: orderAddr(), tls: identity(certs, "billing").pem() });
    try {
      const err = await client.placeOrder(order).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.include('caller "billing" may not call shop.v1.OrderService/PlaceOrder');
    } finally {
      await client.close();
    }
    const ledger = new Ledger(stack.dataDir);
    try {
      expect(ledger.snapshot().orders.has(order.orderId)).to.equal(false);
    } finally {
      ledger.close();
    }
    await stillCompletes();
  });
});
