import type { Ledger } from "../../services/audit/ledger.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";

/** What a mode does differently; the contract suite branches on these, never on the mode's name. */
export interface Capabilities {
  /** placeOrder resolves only once the order is COMPLETED (synchronous processing). */
  placementWaitsForCompletion: boolean;
  /** An invalid order makes placeOrder itself throw (rather than ending REJECTED later). */
  rejectsAtPlacement: boolean;
  /** Reusing an order id for other content makes placeOrder throw IdempotencyConflictError. */
  reportsIdempotencyConflicts: boolean;
  /** A re-publish of the same order id inside the duplicate window is dropped by the broker. */
  dropsDuplicatePublishes: boolean;
}

export interface Harness {
  client: OrderWorkflowClient;
  capabilities: Capabilities;
  ledger: Ledger;
  /** Mode-specific extras the suite may use when a capability says they exist. */
  publishRaw?: (subject: string, payload: Uint8Array, headers?: Record<string, string>) => Promise<void>;
  close(): Promise<void>;
}

export type MakeHarness = () => Promise<Harness>;
