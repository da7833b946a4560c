import { describeOrderWorkflow } from "../order-workflow.contract.js";
import { makeDirectHarness } from "../support/direct-harness.js";

// The order contract with no transport: the business logic alone, in seconds.
describeOrderWorkflow("direct (the cores wired together, no transport)", makeDirectHarness);
