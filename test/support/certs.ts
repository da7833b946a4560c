import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCertificates, type CertificateSet } from "../../testbed/certs.js";

let shared: CertificateSet | undefined;

/** One development CA and certificate set for the whole test run (openssl takes a moment per key). */
export function testCertificates(): CertificateSet {
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), "gvn-certs-"));
    shared = writeCertificates(dir);
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return shared;
}
