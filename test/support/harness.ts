import type { DeadLetterView } from "../../services/nats/inspect.js";
import type { Ledger } from "../../scripts/audit/ledger.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";

/** What a mode does differently; the contract suite branches on these, never on the mode's name. */
export interface Capabilities {
  /** An invalid order makes placeOrder itself throw (rather than ending REJECTED later). */
  rejectsAtPlacement: boolean;
  /** Reusing an order id for other content makes placeOrder throw IdempotencyConflictError. */
  reportsIdempotencyConflicts: boolean;
  /** A re-publish of the same order id inside the duplicate window is dropped by the broker. */
  dropsDuplicatePublishes: boolean;
  /** Messages that cannot be processed are kept on a dead-letter stream with the reason. */
  deadLetters: boolean;
  /** Errors cross a transport, whose own error stays reachable as the domain error's cause (none in process). */
  transportCause: boolean;
}

/** Direct access to a broker, for the capabilities that need one. */
export interface BrokerAccess {
  publish(subject: string, payload: Uint8Array, headers?: Record<string, string>): Promise<{ duplicate: boolean }>;
  deadLetters(): Promise<DeadLetterView[]>;
}

export interface Harness {
  client: OrderWorkflowClient;
  capabilities: Capabilities;
  ledger: Ledger;
  /** Present when the mode has a broker (dropsDuplicatePublishes, deadLetters). */
  broker?: BrokerAccess;
  close(): Promise<void>;
}

export type MakeHarness = () => Promise<Harness>;
