import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import { AtomicFiles } from "../common/atomic-file.js";
import { writeMessage } from "./mime-message.js";
import { DependencyUnavailableError } from "../domain/errors.js";
import type { Mailer, OutgoingMail } from "../domain/ports.js";

export interface MailerConfig {
  /** smtp://user:pass@host:port; unset means the outbox folder. */
  smtpUrl?: string;
  outboxDir: string;
  from: string;
}

/**
 * nodemailer behind the Mailer port: one SMTP transport for the life of the
 * service, or, without SMTP_URL, nodemailer's MIME composer writing each
 * message to the outbox as <message-id>.eml, so a retried send overwrites
 * rather than adds.
 */
export function createMailer(config: MailerConfig): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl, { from: config.from });
    return {
      async send(mail: OutgoingMail) {
        try {
          await transport.sendMail({ ...mail, from: config.from });
        } catch (err) {
          // SMTP failures (refused, timeouts, 4xx) are worth retrying later, like any peer being down.
          throw new DependencyUnavailableError("SMTP server", (err as Error).message, { cause: err });
        }
      },
      close: () => transport.close(),
    };
  }
  const outbox = new AtomicFiles(config.outboxDir);
  const fileFor = (messageId: string) => `${messageId.replace(/[<>]/g, "").replace(/[^A-Za-z0-9._:-]/g, "_")}.eml`;
  return {
    // The file appears by rename only when complete, so its existence means the message went out.
    delivered: (messageId: string) => existsSync(outbox.path(fileFor(messageId))),
    async send(mail: OutgoingMail) {
      // nodemailer's MIME composer, without a transport's plugin and stream pipeline around it:
      // the same message a stream transport writes, written synchronously when it can be.
      // The multipart boundary from the message id rather than from crypto.randomBytes (which showed
      // in notification's profile): a re-sent message is then the same bytes, and the boundary still
      // never appears in the body (a hash behind "_NmP"). Child parts draw a random base of their
      // own, which only a multipart part would use.
      const baseBoundary = createHash("sha256").update(mail.messageId).digest("hex").slice(0, 24);
      const root = new MailComposer({ ...mail, from: config.from, baseBoundary }).compile();
      const message = writeMessage(root) ?? (await root.build());
      outbox.write(fileFor(mail.messageId), message);
    },
    close: () => undefined,
  };
}
