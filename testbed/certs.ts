import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The identities a development CA issues certificates for; the identity is the certificate's CN. */
export const IDENTITIES = ["order", "billing", "notification", "client", "admin", "nats"] as const;
export type Identity = (typeof IDENTITIES)[number];

/** Names a certificate is valid for: loopback, the identity itself, and its compose service names. */
function subjectAltNames(identity: string): string {
  // The broker's certificate also names the compose cluster's nodes.
  const nodes = identity === "nats" ? ["nats-1", "nats-2", "nats-3"] : [];
  const dns = ["localhost", identity, `${identity}-grpc`, `${identity}-nats`, ...nodes];
  return [...dns.map((d) => `DNS:${d}`), "IP:127.0.0.1", "IP:::1"].join(",");
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed${stderr ? `: ${stderr}` : ""}`, { cause: err });
  }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/** A certificate and key for `identity`, signed by the CA in `dir`; `validity` overrides the dates (tests). */
export function issueCertificate(dir: string, identity: string, validity?: { notBefore: string; notAfter: string }): { cert: string; key: string } {
  const cert = join(dir, `${identity}.pem`);
  const key = join(dir, `${identity}-key.pem`);
  const work = mkdtempSync(join(tmpdir(), "gvn-cert-"));
  try {
    const csr = join(work, "req.csr");
    const ext = join(work, "ext.cnf");
    writeFileSync(
      ext,
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth,clientAuth",
        `subjectAltName=${subjectAltNames(identity)}`,
        "",
      ].join("\n"),
    );
    openssl(["req", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", `/CN=${identity}`], dir);
    if (validity) {
      // `openssl x509` cannot set past dates; `openssl ca` can, with a throwaway database.
      writeFileSync(join(work, "index.txt"), "");
      writeFileSync(
        join(work, "ca.cnf"),
        [
          "[ca]",
          "default_ca=dev",
          "[dev]",
          `database=${join(work, "index.txt")}`,
          `new_certs_dir=${work}`,
          "default_md=sha256",
          "policy=any",
          "rand_serial=yes",
          "[any]",
          "commonName=supplied",
          "",
        ].join("\n"),
      );
      openssl(
        [
          "ca",
          "-batch",
          "-notext",
          "-config",
          join(work, "ca.cnf"),
          "-cert",
          join(dir, "ca.pem"),
          "-keyfile",
          join(dir, "ca-key.pem"),
          "-in",
          csr,
          "-out",
          cert,
          "-extfile",
          ext,
          "-startdate",
          validity.notBefore,
          "-enddate",
          validity.notAfter,
        ],
        dir,
      );
    } else {
      const serial = `0x${randomBytes(16).toString("hex")}`;
      openssl(
        ["x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-set_serial", serial, "-days", "825", "-sha256", "-extfile", ext, "-out", cert],
        dir,
      );
    }
    chmodSync(key, 0o600);
    return { cert, key };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface CertificateSet {
  dir: string;
  ca: string;
  files: Record<string, { cert: string; key: string }>;
}

/**
 * A development CA (ca.pem, ca-key.pem) and a certificate and key per identity
 * (order.pem, order-key.pem, …), with Debian's openssl. An existing CA is kept
 * unless `force`: certificates it signed elsewhere would stop being trusted.
 */
export function writeCertificates(dir: string, options: { force?: boolean; identities?: readonly string[] } = {}): CertificateSet {
  mkdirSync(dir, { recursive: true });
  const ca = join(dir, "ca.pem");
  if (existsSync(ca) && !options.force) throw new Error(`${ca} exists: refusing to replace the CA (pass --force to replace it and every certificate)`);
  openssl(
    [
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      "ca-key.pem",
      "-out",
      "ca.pem",
      "-days",
      "3650",
      "-sha256",
      "-subj",
      "/CN=grpc-vs-nats development CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  chmodSync(join(dir, "ca-key.pem"), 0o600);
  const files: CertificateSet["files"] = {};
  for (const identity of options.identities ?? IDENTITIES) files[identity] = issueCertificate(dir, identity);
  return { dir, ca, files };
}

/** The certificates under `dir`, created when the CA is missing (the start scripts' --secure). */
export function ensureCertificates(dir: string): CertificateSet {
  if (!existsSync(join(dir, "ca.pem"))) return writeCertificates(dir);
  const files = Object.fromEntries(IDENTITIES.map((id) => [id, { cert: join(dir, `${id}.pem`), key: join(dir, `${id}-key.pem`) }]));
  return { dir, ca: join(dir, "ca.pem"), files };
}
