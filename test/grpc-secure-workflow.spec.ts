import { describeOrderWorkflow } from "./order-workflow.contract.js";
import { makeGrpcHarness } from "./support/grpc-harness.js";

describeOrderWorkflow("gRPC with mutual TLS and per-caller authorization", () => makeGrpcHarness({ secure: true }));
