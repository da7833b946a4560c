import type { DeadLetterView } from "../../services/nats/inspect.js";
import type { Ledger } from "../../testbed/audit/ledger.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import type { Capabilities } from "../../testbed/stack/capabilities.js";

export type { Capabilities };

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
