// Container health probe: exits 0 when the gRPC server at the given address reports SERVING.
// With TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE set (the secure profile), it asks over mutual TLS
// with the service's own certificate: health answers any authenticated caller.
import { tlsConfig } from "./common/tls-config.js";
import { waitGrpcHealthy } from "./grpc/wait-healthy.js";

const address = process.argv[2] ?? "127.0.0.1:50051";
Promise.resolve()
  .then(() => waitGrpcHealthy(address, 2_000, tlsConfig({}, process.env)))
  .then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
