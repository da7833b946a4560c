import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";

type Env = Record<string, string | undefined>;

/** This process's TLS material: the CA it trusts, and its own certificate and key. */
export interface TlsConfig {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The identity this process presents: its certificate's subject common name. */
  identity: string;
}

/** The subject common name of a certificate (as Node prints the subject: one "CN=..." line among others). */
export function commonName(cert: X509Certificate): string {
  return /^CN=(.*)$/m.exec(cert.subject)?.[1] ?? "";
}

interface Source {
  variable: string;
  file: string;
}

function read({ variable, file }: Source): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function certificate(source: Source, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new ConfigError(`${source.variable}: ${source.file} is not a PEM certificate (${(err as Error).message})`, { cause: err });
  }
}

function privateKey(source: Source, pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new ConfigError(`${source.variable}: ${source.file} is not a PEM private key (${(err as Error).message})`, { cause: err });
  }
}

/**
 * TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE (flags --tls-ca, --tls-cert,
 * --tls-key) switch a process to TLS, for gRPC and its NATS connection alike.
 * All three or none; each file is read and checked now, so that a missing,
 * unreadable or mismatched one stops the process at start, named.
 */
export function tlsConfig(flags: { "tls-ca"?: string; "tls-cert"?: string; "tls-key"?: string }, env: Env): TlsConfig | undefined {
  const pick = (flag: "tls-ca" | "tls-cert" | "tls-key", variable: string): Source | undefined => {
    const value = flags[flag] ?? env[variable];
    return value ? { variable: flags[flag] !== undefined ? `--${flag}` : variable, file: value } : undefined;
  };
  const sources = { ca: pick("tls-ca", "TLS_CA_FILE"), cert: pick("tls-cert", "TLS_CERT_FILE"), key: pick("tls-key", "TLS_KEY_FILE") };
  const given = Object.entries(sources).filter(([, s]) => s !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < 3) {
    const missing = { ca: "TLS_CA_FILE", cert: "TLS_CERT_FILE", key: "TLS_KEY_FILE" };
    const absent = (Object.keys(missing) as Array<keyof typeof missing>).filter((k) => !sources[k]).map((k) => missing[k]);
    throw new ConfigError(`${absent.join(" and ")} not set: TLS needs the CA, the certificate and its key`);
  }
  const { ca: caSource, cert: certSource, key: keySource } = sources as Record<keyof typeof sources, Source>;
  const ca = read(caSource);
  const cert = read(certSource);
  const key = read(keySource);
  const caCert = certificate(caSource, ca);
  const own = certificate(certSource, cert);
  const ownKey = privateKey(keySource, key);
  if (!own.checkPrivateKey(ownKey)) throw new ConfigError(`${keySource.variable}: ${keySource.file} is not the key of the certificate in ${certSource.file}`);
  if (!own.verify(caCert.publicKey)) throw new ConfigError(`${certSource.variable}: ${certSource.file} is not signed by the CA in ${caSource.file}`);
  if (Date.parse(own.validTo) < Date.now()) throw new ConfigError(`${certSource.variable}: ${certSource.file} expired on ${own.validTo}`);
  const identity = commonName(own);
  if (identity === "") throw new ConfigError(`${certSource.variable}: ${certSource.file} has no subject common name (the identity)`);
  return { ca, cert, key, caFile: caSource.file, certFile: certSource.file, keyFile: keySource.file, identity };
}
