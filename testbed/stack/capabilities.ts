import type { Mode } from "../../services/common/config.js";

/**
 * What a way of running the workflow does differently. The contract suite and the fault drills
 * branch on these, never on a mode's name.
 */
export interface Capabilities {
  /** An invalid order makes placeOrder itself throw (rather than ending REJECTED later). */
  rejectsAtPlacement: boolean;
  /** Reusing an order id for other content makes placeOrder throw IdempotencyConflictError. */
  reportsIdempotencyConflicts: boolean;
  /** Work waits in a broker, which can itself be stopped and restarted. */
  hasBroker: boolean;
  /** A re-publish of the same order id inside the duplicate window is dropped by the broker. */
  dropsDuplicatePublishes: boolean;
  /** Messages that cannot be processed are kept on a dead-letter stream with the reason. */
  deadLetters: boolean;
  /** Errors cross a transport, whose own error stays reachable as the domain error's cause (none in process). */
  transportCause: boolean;
  /**
   * A caller waits for its callee's answer, all the way down the chain (synchronous calls): the
   * order service holds each order while billing and notification work on it.
   */
  callersWait: boolean;
}

/** The two modes, and the three cores wired to each other directly, with no transport (services/direct/). */
export type Wiring = Mode | "direct";

export const CAPABILITIES: Readonly<Record<Wiring, Capabilities>> = {
  grpc: {
    rejectsAtPlacement: true,
    reportsIdempotencyConflicts: true,
    hasBroker: false,
    dropsDuplicatePublishes: false,
    deadLetters: false,
    transportCause: true,
    callersWait: true,
  },
  nats: {
    rejectsAtPlacement: false,
    reportsIdempotencyConflicts: false,
    hasBroker: true,
    dropsDuplicatePublishes: true,
    deadLetters: true,
    transportCause: true,
    callersWait: false,
  },
  direct: {
    rejectsAtPlacement: true,
    reportsIdempotencyConflicts: true,
    hasBroker: false,
    dropsDuplicatePublishes: false,
    deadLetters: false,
    transportCause: false,
    callersWait: true,
  },
};
