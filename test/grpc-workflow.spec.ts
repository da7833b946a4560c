import { describeOrderWorkflow } from "./order-workflow.contract.js";
import { makeGrpcHarness } from "./support/grpc-harness.js";

describeOrderWorkflow("gRPC", makeGrpcHarness);
