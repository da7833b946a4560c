import { expect } from "chai";
import { Ledger } from "../../testbed/audit/ledger.js";
import type { ServiceName } from "../../services/common/config.js";
import { DependencyUnavailableError } from "../../services/domain/errors.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { GrpcWorkflowClient } from "../../services/grpc/workflow-client.js";
import type { GrpcInProcessStack } from "../../testbed/stack/grpc-in-process.js";
import { startStack } from "../../testbed/stack/start-stack.js";
import { eventually } from "../support/eventually.js";
import { sampleOrder } from "../support/orders.js";

describe("gRPC mode when billing or notification is down", function () {
  this.timeout(120_000);
  let stack: GrpcInProcessStack;
  let client: GrpcWorkflowClient;
  let ledger: Ledger;
  const stop = (name: ServiceName) => stack.control.stop(name);
  const start = (name: ServiceName) => stack.control.start(name);

  before(async () => {
    // Short budgets keep the failing calls (and their transparent retries) quick.
    stack = await startStack({ mode: "grpc", where: "in-process", env: { GRPC_DEADLINE_MS: "1500", SHUTDOWN_GRACE_MS: "1000" } });
    client = new GrpcWorkflowClient({ orderServiceAddr: stack.entry, deadlineMs: 10_000 });
    ledger = new Ledger(stack.dataDir);
  });

  after(async () => {
    await client?.close();
    ledger?.close();
    await stack?.close();
  });

  /** Places an order that must fail with UNAVAILABLE, and returns the FAILED view it leaves. */
  async function placeWhileDown(order: ReturnType<typeof sampleOrder>) {
    const err = await client.placeOrder(order).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, String(err)).to.be.instanceOf(DependencyUnavailableError);
    const failed = await client.getOrder(order.orderId);
    expect(failed.status).to.equal(OrderStatus.ORDER_STATUS_FAILED);
    return failed;
  }

  it("answers UNAVAILABLE while billing is down and completes the order when it is re-sent after billing is back", async () => {
    await stop("billing");
    const order = sampleOrder();
    const failed = await placeWhileDown(order);
    expect(failed.failureReason).to.match(/^billing unavailable/);
    expect(ledger.order(order.orderId)).to.include({ invoices: 0, emails: 0 });

    await start("billing");
    // The client's channel may still be reconnecting to the restarted server: re-send until it answers.
    const placement = await eventually("the re-sent order to be answered", () => client.placeOrder(order));
    expect(placement.status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
    expect(ledger.order(order.orderId)).to.include({ invoices: 1, emails: 1 });
  });

  it("keeps the invoice when only the e-mail fails, and a re-send redoes only the e-mail", async () => {
    await stop("notification");
    const order = sampleOrder();
    const failed = await placeWhileDown(order);
    expect(failed.invoiceNumber).to.match(/^INV-/);
    expect(failed.emailSent).to.equal(false);
    expect(ledger.order(order.orderId)).to.include({ invoices: 1, emails: 0 });

    // Billing is stopped too: the re-send must not need it any more.
    await stop("billing");
    await start("notification");
    const placement = await eventually("the re-sent order to be answered", () => client.placeOrder(order));
    expect(placement.status).to.equal(OrderStatus.ORDER_STATUS_COMPLETED);
    const view = await client.getOrder(order.orderId);
    expect(view.invoiceNumber).to.equal(failed.invoiceNumber);
    expect(ledger.order(order.orderId)).to.include({ invoices: 1, emails: 1 });
    await start("billing");
  });
});
