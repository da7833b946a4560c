// npm run nats:config -- --out DIR [--port N] [--monitor-port N] [--tls DIR]
// Writes DIR/nats.conf (listen port, JetStream under DIR, NKey users with least-privilege permissions,
// TLS with client verification when --tls names a directory from `npm run certs`) and DIR/nkeys/<identity>.nk.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeNatsConfig } from "../testbed/nats-config.js";

try {
  const { values } = parseArgs({ options: { out: { type: "string" }, port: { type: "string" }, "monitor-port": { type: "string" }, tls: { type: "string" } } });
  if (!values.out) throw new Error("--out DIR is required: where to write nats.conf and the seeds");
  const port = Number(values.port ?? 4222);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`--port: ${JSON.stringify(values.port)} is not a TCP port`);
  const monitor = values["monitor-port"] === undefined ? undefined : Number(values["monitor-port"]);
  if (monitor !== undefined && (!Number.isInteger(monitor) || monitor < 1 || monitor > 65_535))
    throw new Error(`--monitor-port: ${JSON.stringify(values["monitor-port"])} is not a TCP port`);
  const files = writeNatsConfig({ out: resolve(values.out), port, monitorPort: monitor, tlsDir: values.tls && resolve(values.tls) });
  console.log(`config: ${files.confFile}   (nats-server -c ${files.confFile})`);
  for (const [identity, seed] of Object.entries(files.seeds))
    console.log(`${identity.padEnd(13)} ${seed}  ${files.publicKeys[identity as keyof typeof files.publicKeys]}`);
} catch (err) {
  process.stderr.write(`nats:config: ${(err as Error).message}\n`);
  process.exit(1);
}
