import { expect } from "chai";
import { audit } from "../../testbed/audit/audit.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";

const C = OrderStatus.ORDER_STATUS_COMPLETED;
const F = OrderStatus.ORDER_STATUS_FAILED;

describe("audit", () => {
  it("classifies every order from the client's record and the databases", () => {
    const line = audit(
      [
        { orderId: "ok", accepted: true },
        { orderId: "recovered", accepted: false, error: "UNAVAILABLE" },
        { orderId: "failed", accepted: false, error: "UNAVAILABLE" },
        { orderId: "lost", accepted: true },
        { orderId: "stuck", accepted: true },
      ],
      {
        orders: new Map([
          ["ok", C],
          ["recovered", C],
          ["failed", F],
          ["stuck", F],
        ]),
        invoices: new Map([
          ["ok", 1],
          ["recovered", 1],
          ["stuck", 1],
          ["ghost", 1],
        ]),
        emails: new Map([
          ["ok", { rows: 1, attempts: 1, sent: true }],
          ["recovered", { rows: 1, attempts: 2, sent: true }],
        ]),
      },
      true,
    );
    expect(line).to.deep.equal({
      sent: 5,
      accepted: 3,
      completed: 2,
      failedToClient: 2,
      recovered: 1,
      lost: 1,
      incomplete: 2,
      duplicateInvoices: 0,
      duplicateEmails: 0,
      resentEmails: 1,
      unexpected: 1,
      falseSuccess: 2,
    });
  });
});
