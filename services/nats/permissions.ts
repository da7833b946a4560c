import { CONSUMERS, SUBJECTS, type ConsumerDeclaration } from "./topology.js";

/** The identities of the secure profile: one NKey user each. */
export const NATS_IDENTITIES = ["order", "billing", "notification", "client", "admin"] as const;
export type NatsIdentity = (typeof NATS_IDENTITIES)[number];

/** Each identity's private inbox prefix: replies to it can be read by it alone. */
export function inboxPrefix(identity: string): string {
  return `_INBOX_${identity}`;
}

export interface Permissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests on the requester's reply subject (a responder). */
  allowResponses: boolean;
}

/**
 * What consuming one durable pull consumer takes: its info, its pull requests, its acks, and what
 * putting stranded work back in line takes (stranded-work.ts): its stream's info, reading and
 * deleting a message in it, and publishing to the consumer's subjects. Acks go to
 * the message's reply subject, in one of two formats: `$JS.ACK.<stream>.<consumer>.…`, and, on
 * nats-server 2.14+ with the js_ack_fc_v2 feature flag, `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.…`
 * (domain "_" when none). Both are allowed, each for this stream and consumer only.
 */
function consuming(c: ConsumerDeclaration): string[] {
  return [
    `$JS.API.CONSUMER.INFO.${c.stream}.${c.durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`,
    `$JS.ACK.${c.stream}.${c.durable}.>`,
    `$JS.ACK.*.*.${c.stream}.${c.durable}.>`,
    `$JS.API.STREAM.INFO.${c.stream}`,
    `$JS.API.STREAM.MSG.GET.${c.stream}`,
    `$JS.API.STREAM.MSG.DELETE.${c.stream}`,
    c.filterSubject,
  ];
}

/** What a worker needs besides its consumer: the account check every JetStream manager makes, and its own inbox. */
const WORKER_BASE = ["$JS.API.INFO"];

/**
 * Least privilege per identity, derived from the topology: each may publish
 * and subscribe only what its role needs, with its own inbox. No service may
 * change a stream (only admin, who provisions); the order service answers
 * orders.get on the caller's inbox (allowResponses).
 */
export function permissionsOf(identity: NatsIdentity): Permissions {
  const inbox = `${inboxPrefix(identity)}.>`;
  switch (identity) {
    case "order":
      return {
        publish: [
          ...WORKER_BASE,
          ...consuming(CONSUMERS.orderIntake),
          ...consuming(CONSUMERS.orderEvents),
          SUBJECTS.invoiceRequested,
          SUBJECTS.emailRequested,
          SUBJECTS.orderUpdates,
          `${SUBJECTS.deadLetterPrefix}.${SUBJECTS.orderPlaced}`,
          `${SUBJECTS.deadLetterPrefix}.events.>`,
          // The orders.get endpoint is a NATS service: discoverable and answering on $SRV.
          "$SRV.>",
        ],
        subscribe: [inbox, SUBJECTS.orderGet, "$SRV.>"],
        allowResponses: true,
      };
    case "billing":
      return {
        publish: [
          ...WORKER_BASE,
          ...consuming(CONSUMERS.invoicer),
          SUBJECTS.invoiceCreated,
          SUBJECTS.workFailed,
          `${SUBJECTS.deadLetterPrefix}.${SUBJECTS.invoiceRequested}`,
        ],
        subscribe: [inbox],
        allowResponses: false,
      };
    case "notification":
      return {
        publish: [
          ...WORKER_BASE,
          ...consuming(CONSUMERS.mailer),
          SUBJECTS.emailSent,
          SUBJECTS.workFailed,
          `${SUBJECTS.deadLetterPrefix}.${SUBJECTS.emailRequested}`,
        ],
        subscribe: [inbox],
        allowResponses: false,
      };
    case "client":
      return { publish: [SUBJECTS.orderPlaced, SUBJECTS.orderGet], subscribe: [inbox, SUBJECTS.orderUpdates], allowResponses: false };
    case "admin":
      return { publish: [">"], subscribe: [">"], allowResponses: false };
  }
}
