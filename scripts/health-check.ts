// Container health probe: exits 0 when the gRPC server at the given address reports SERVING.
import { waitGrpcHealthy } from "./lib/wait-healthy.js";

const address = process.argv[2] ?? "127.0.0.1:50051";
waitGrpcHealthy(address, 2_000).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
