// npm run k8s:secrets [-- DIR]: the Kubernetes deployment's secrets, made as the compose secrets job makes
// them: the development CA and every identity's certificate (DIR/tls), one NKey seed per NATS identity
// (DIR/nkeys) and the broker's users with their permissions (DIR/nats-auth.conf, for the NATS Helm chart).
// DIR defaults to deploy/k8s/base/secrets, where the base kustomization's secretGenerator reads them.
// Seeds and certificates already there are kept.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureCertificates } from "../testbed/certs.js";
import { natsUsers } from "../testbed/nats-config.js";

const dir = resolve(process.argv[2] ?? "deploy/k8s/base/secrets");
const certs = ensureCertificates(join(dir, "tls"));
const { authorization } = natsUsers(join(dir, "nkeys"));
writeFileSync(join(dir, "nats-auth.conf"), `# Written by npm run k8s:secrets: NKey users with least privilege.\n${authorization}\n`);
console.log(`secrets ready in ${dir} (certificates in ${certs.dir})`);
