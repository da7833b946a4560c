import { expect } from "chai";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCertificate, writeCertificates } from "../../testbed/certs.js";
import { ConfigError } from "../../services/common/config-error.js";
import { tlsConfig } from "../../services/common/tls-config.js";
import { testCertificates } from "../support/certs.js";
import { identity } from "../../testbed/identity.js";

describe("TLS settings (TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE)", function () {
  this.timeout(30_000);
  const certs = testCertificates();
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "gvn-tls-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("npm run certs refuses to replace an existing CA unless forced", () => {
    const out = join(dir, "refuse");
    const first = writeCertificates(out, { identities: ["client"] });
    expect(() => writeCertificates(out, { identities: ["client"] })).to.throw(/ca\.pem exists: refusing to replace the CA/);
    expect(writeCertificates(out, { identities: ["client"], force: true }).ca).to.equal(first.ca);
  });

  it("is off when none is set, and names the identity of the certificate when all are", () => {
    expect(tlsConfig({}, {})).to.equal(undefined);
    expect(tlsConfig({}, identity(certs, "billing").env)?.identity).to.equal("billing");
    const flags = { "tls-ca": certs.ca, "tls-cert": certs.files.order!.cert, "tls-key": certs.files.order!.key };
    expect(tlsConfig(flags, {})?.identity).to.equal("order");
  });

  it("stops the service at start naming the variable and the file when one is missing, unreadable, mismatched, foreign or expired", () => {
    const env = identity(certs, "order").env;
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "not a certificate");
    const other = writeCertificates(join(dir, "other"), { identities: ["order"] });
    const expiredDir = join(dir, "expired");
    cpSync(certs.dir, expiredDir, { recursive: true });
    const expired = issueCertificate(expiredDir, "order", { notBefore: "20200101000000Z", notAfter: "20200102000000Z" });
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ TLS_CA_FILE: env.TLS_CA_FILE! }, /^TLS_CERT_FILE and TLS_KEY_FILE not set/],
      [{ ...env, TLS_CERT_FILE: join(dir, "absent.pem") }, new RegExp(`^TLS_CERT_FILE: cannot read ${join(dir, "absent.pem")}`)],
      [{ ...env, TLS_CA_FILE: garbage }, new RegExp(`^TLS_CA_FILE: ${garbage} is not a PEM certificate`)],
      [{ ...env, TLS_KEY_FILE: certs.files.billing!.key }, /^TLS_KEY_FILE: .*billing-key\.pem is not the key of the certificate in .*order\.pem/],
      [
        { ...env, TLS_CERT_FILE: other.files.order!.cert, TLS_KEY_FILE: other.files.order!.key },
        /^TLS_CERT_FILE: .*other\/order\.pem is not signed by the CA in/,
      ],
      [{ ...env, TLS_CERT_FILE: expired.cert, TLS_KEY_FILE: expired.key }, /^TLS_CERT_FILE: .*expired\/order\.pem expired on/],
    ];
    for (const [e, message] of cases) expect(() => tlsConfig({}, e), JSON.stringify(e)).to.throw(ConfigError, message);
  });
});
