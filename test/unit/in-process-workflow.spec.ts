import { describeOrderWorkflow } from "../order-workflow.contract.js";
import { makeInProcessHarness } from "../support/in-process-harness.js";

// The order contract with no transport: the business logic alone, in seconds.
describeOrderWorkflow("in-process", makeInProcessHarness);
