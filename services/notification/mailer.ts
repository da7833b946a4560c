import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { DependencyUnavailableError } from "../domain/errors.js";
import type { Mailer, OutgoingMail } from "../domain/ports.js";

export interface MailerConfig {
  /** smtp://user:pass@host:port; unset means the outbox folder. */
  smtpUrl?: string;
  outboxDir: string;
  from: string;
}

/**
 * nodemailer behind the Mailer port. One transport for the life of the
 * service: a pooled SMTP connection, or a stream transport that renders the
 * raw message which is then written as <order-id>.eml, so a retried send
 * overwrites rather than adds.
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
          throw new DependencyUnavailableError("SMTP server", (err as Error).message);
        }
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  let ready: Promise<unknown> | undefined;
  const fileFor = (messageId: string) => join(config.outboxDir, `${messageId.replace(/[<>]/g, "").replace(/[^A-Za-z0-9._:-]/g, "_")}.eml`);
  return {
    // The file appears by rename only when complete, so its existence means the message went out.
    delivered: (messageId: string) => existsSync(fileFor(messageId)),
    async send(mail: OutgoingMail) {
      ready ??= mkdir(config.outboxDir, { recursive: true });
      await ready;
      const info = await transport.sendMail({ ...mail, from: config.from });
      const file = fileFor(mail.messageId);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message as Buffer);
      await rename(tmp, file);
    },
    close: () => transport.close(),
  };
}
