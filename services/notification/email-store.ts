import { openDatabase, type Db } from "../common/sqlite.js";
import type { EmailRecord, EmailStore } from "../domain/ports.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS emails (
  order_id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  message_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sending', 'sent')),
  attempts INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
) WITHOUT ROWID;
`;

interface Row {
  order_id: string;
  recipient: string;
  subject: string;
  message_id: string;
  status: "sending" | "sent";
  attempts: number;
}

const toRecord = (row: Row): EmailRecord => ({
  orderId: row.order_id,
  recipient: row.recipient,
  subject: row.subject,
  messageId: row.message_id,
  status: row.status,
  attempts: row.attempts,
});

export class SqliteEmailStore implements EmailStore {
  readonly db: Db;
  readonly #find;
  readonly #claim;
  readonly #sent;

  constructor(file: string) {
    this.db = openDatabase(file, SCHEMA);
    this.#find = this.db.prepare<[string], Row>("SELECT order_id, recipient, subject, message_id, status, attempts FROM emails WHERE order_id = ?");
    this.#claim = this.db.prepare(
      `INSERT INTO emails (order_id, recipient, subject, message_id, status, created_at)
       VALUES (@orderId, @recipient, @subject, @messageId, 'sending', @now)
       ON CONFLICT(order_id) DO UPDATE SET attempts = attempts + 1 WHERE status = 'sending'
       RETURNING order_id, recipient, subject, message_id, status, attempts`,
    );
    this.#sent = this.db.prepare("UPDATE emails SET status = 'sent', sent_at = ? WHERE order_id = ?");
  }

  find(orderId: string): EmailRecord | undefined {
    const row = this.#find.get(orderId);
    return row && toRecord(row);
  }

  claim(record: Omit<EmailRecord, "status" | "attempts">): EmailRecord {
    // An e-mail already sent is left alone, and then nothing is returned: read it.
    const row = this.#claim.get({ ...record, now: Date.now() }) as Row | undefined;
    return row ? toRecord(row) : this.find(record.orderId)!;
  }

  markSent(orderId: string): void {
    this.#sent.run(Date.now(), orderId);
  }

  close(): void {
    this.db.close();
  }
}
