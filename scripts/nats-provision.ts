// npm run nats:provision: creates (or updates) every stream and durable consumer, as the identity
// whose credentials it is given (admin: NATS_NKEY_SEED_FILE and TLS_* as for a service). In the
// secure profile the services may not change streams, so this is a step of its own.
import { ConfigError } from "../services/common/config-error.js";
import { natsConfig } from "../services/common/config.js";
import { provisionAsAdmin } from "../testbed/secure-nats.js";

async function main(): Promise<void> {
  const c = natsConfig("order", {}, process.env);
  await provisionAsAdmin(c.natsUrl, { identity: "admin", seedFile: c.nkeySeedFile, tls: c.tls }, process.env);
  console.log(`provisioned every stream and consumer at ${c.natsUrl}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`nats:provision: ${(err as Error).message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
