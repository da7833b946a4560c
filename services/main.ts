// Starts one service: npm run service -- <order|billing|notification> --mode grpc|nats [flags]
import { ConfigError } from "./common/config-error.js";
import { describeError } from "./domain/errors.js";
import { grpcConfig, natsConfig, parseServiceArgs } from "./common/config.js";
import { createLogger } from "./common/logger.js";
import type { RunningService } from "./common/running-service.js";
import { closeOnSignals } from "./common/shutdown.js";

async function main(): Promise<void> {
  const { name, mode, flags } = parseServiceArgs(process.argv.slice(2));
  const log = createLogger(`${mode}:${name}`);
  let service: RunningService;
  if (mode === "grpc") {
    const { startGrpcService } = await import("./grpc/start-service.js");
    service = await startGrpcService(grpcConfig(name, flags), log);
  } else {
    const { startNatsService } = await import("./nats/start-service.js");
    service = await startNatsService(natsConfig(name, flags), log);
  }
  closeOnSignals(() => service.close(), log);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
    process.stderr.write(`configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`failed to start: ${describeError(err)}\n`);
  process.exit(1);
});
