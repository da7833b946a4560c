import { describeOrderWorkflow } from "./order-workflow.contract.js";
import { makeNatsHarness } from "./support/nats-harness.js";

describeOrderWorkflow("NATS JetStream with NKeys, least-privilege permissions and mutual TLS", () => makeNatsHarness({ secure: true }));
