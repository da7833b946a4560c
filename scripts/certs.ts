// npm run certs -- --out DIR [--force]
// Writes a development CA and a certificate and key per identity (order, billing, notification, client, admin, nats).
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { IDENTITIES, writeCertificates } from "../testbed/certs.js";

try {
  const { values } = parseArgs({ options: { out: { type: "string" }, force: { type: "boolean", default: false } } });
  if (!values.out) throw new Error("--out DIR is required: where to write ca.pem and the certificates");
  const set = writeCertificates(resolve(values.out), { force: values.force });
  console.log(`CA: ${set.ca}`);
  for (const id of IDENTITIES) console.log(`${id.padEnd(13)} ${set.files[id]!.cert}  ${set.files[id]!.key}`);
} catch (err) {
  process.stderr.write(`certs: ${(err as Error).message}\n`);
  process.exit(1);
}
