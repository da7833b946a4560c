import { expect } from "chai";
import { Readable } from "node:stream";
import MailComposer from "nodemailer/lib/mail-composer";
import type Mail from "nodemailer/lib/mailer";
import { renderOrderEmail } from "../../services/domain/email-render.js";
import { writeMessage } from "../../services/notification/mime-message.js";
import { sampleOrder } from "../support/orders.js";

// Date and boundary fixed, so that two builds of one message can be compared byte for byte.
const fixed = { from: "shop@example.com", messageId: "<order-1@shop.example>", date: new Date("2026-11-29T00:00:00Z"), baseBoundary: "b0undary" };
const compose = (mail: Mail.Options) => new MailComposer({ ...fixed, ...mail }).compile();

describe("writeMessage (nodemailer's message without its streams)", () => {
  const order = sampleOrder();
  const cases: Record<string, Mail.Options> = {
    "the order confirmation": renderOrderEmail(order, "INV-2026-000001"),
    "non-ASCII names and subject (quoted-printable, encoded words)": renderOrderEmail(
      { ...order, customer: { ...order.customer!, name: "Jürgen Łukasz 日本" } },
      "INV-2026-000002",
    ),
    "lines longer than 76 characters": {
      to: "a@example.com",
      subject: "s",
      text: `${"word ".repeat(60)}\n${"x".repeat(200)}`,
      html: `<p>${"y".repeat(300)}</p>`,
    },
    "trailing whitespace and a lone CR": { to: "a@example.com", subject: "s", text: "end with space \nand tab\t\nlone\rcr" },
    "base64 (non-text content type)": { to: "a@example.com", subject: "s", text: "plain", attachments: [{ filename: "a.bin", content: Buffer.alloc(300, 7) }] },
    "only html": { to: "a@example.com", subject: "s", html: "<b>é</b>" },
    "empty text": { to: "a@example.com", subject: "s", text: "" },
  };

  for (const [name, mail] of Object.entries(cases)) {
    it(`writes the bytes build() writes: ${name}`, async () => {
      const fast = writeMessage(compose(mail));
      expect(fast, "written synchronously").to.be.instanceOf(Buffer);
      const built = await compose(mail).build();
      expect(fast!.toString("latin1")).to.equal(built.toString("latin1"));
    });
  }

  it("leaves stream content to build()", () => {
    expect(writeMessage(compose({ to: "a@example.com", subject: "s", text: Readable.from(["streamed"]) }))).to.equal(undefined);
  });
});
