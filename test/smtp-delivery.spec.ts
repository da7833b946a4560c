import { startStack } from "../testbed/stack/start-stack.js";
import { expect } from "chai";
import { SMTPServer } from "smtp-server";
import { Ledger } from "../testbed/audit/ledger.js";
import { OrderStatus } from "../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../services/grpc/workflow-client.js";
import { sampleOrder } from "./support/orders.js";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

describe("e-mail over SMTP (SMTP_URL)", function () {
  this.timeout(60_000);

  it("delivers the order e-mail to an SMTP server once, with the order's Message-ID", async () => {
    const received: Received[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        let raw = "";
        stream.on("data", (chunk: Buffer) => (raw += chunk.toString()));
        stream.on("end", () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const port = (smtp.server.address() as { port: number }).port;
    const stack = await startStack({ mode: "grpc", where: "in-process", env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    const client = new GrpcWorkflowClient({ orderServiceAddr: stack.services.order.addresses.listens! });
    const ledger = new Ledger(stack.dataDir);
    try {
      const order = sampleOrder();
      expect((await client.placeOrder(order)).status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
      await client.placeOrder(order);
      expect(received).to.have.length(1);
      expect(received[0]!.to).to.deep.equal([order.customer!.email]);
      // Long header lines arrive folded (RFC 5322); unfold before reading them.
      const headers = received[0]!.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
      expect(headers).to.include(`Message-ID: <order-${order.orderId}@grpc-vs-nats.local>`);
      expect(headers).to.include(`Subject: Your order ${order.orderId} is confirmed`);
      expect(ledger.order(order.orderId)).to.include({ emails: 1, emailStatus: "sent" });
    } finally {
      ledger.close();
      await client.close();
      await stack.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
