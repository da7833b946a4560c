import { expect } from "chai";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { versionAtLeast } from "../testbed/nats-server.js";

const run = promisify(execFile);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

interface Container {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The objects an overlay renders to, with the secrets made as `npm run k8s:secrets` makes them. */
async function render(dir: string, overlay: string): Promise<K8sObject[]> {
  const { stdout } = await run("kubectl", ["kustomize", join(dir, "overlays", overlay)], { maxBuffer: 16 * 1024 * 1024 });
  const toJson = "import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))";
  return JSON.parse(execFileSync("python3", ["-c", toJson], { input: stdout, encoding: "utf8" })) as K8sObject[];
}

/** Validates an object against its Kubernetes schema (kubernetes-models), offline. */
async function validate(object: K8sObject): Promise<void> {
  // kustomize wraps a Secret's base64 at 70 columns; the API server's decoder skips the line breaks, the schema's "byte" format does not.
  const data = (object as { data?: Record<string, string> }).data;
  const o = data ? { ...object, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, "")])) } : object;
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${o.kind}` : `kubernetes-models/${version}/${o.kind}`;
  const models = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  new models[o.kind]!(o).validate();
}

const containers = (d: K8sObject) => (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe("Kubernetes manifests (deploy/k8s, kustomize)", function () {
  this.timeout(120_000);
  let dir = "";

  before(async function () {
    if (!hasKubectl()) this.skip();
    dir = join(mkdtempSync(join(tmpdir(), "gvn-k8s-")), "k8s");
    cpSync(join(PROJECT_ROOT, "deploy", "k8s"), dir, { recursive: true, filter: (src) => !src.includes(join("base", "secrets")) });
    await run(process.execPath, ["--import", "tsx", "scripts/k8s-secrets.ts", join(dir, "base", "secrets")], { cwd: PROJECT_ROOT });
  });
  after(() => dir && rmSync(join(dir, ".."), { recursive: true, force: true }));

  for (const mode of ["grpc", "nats"] as const) {
    it(`renders the ${mode} overlay into objects that are valid against the Kubernetes schemas`, async () => {
      const objects = await render(dir, mode);
      for (const o of objects) await validate(o).catch((err: unknown) => expect.fail(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`));
      const deployments = objects.filter((o) => o.kind === "Deployment");
      expect(deployments.map((d) => d.metadata.name).sort()).to.deep.equal([`billing-${mode}`, `notification-${mode}`, `order-${mode}`]);
      for (const d of deployments) {
        expect(d.metadata.namespace, d.metadata.name).to.equal("grpc-vs-nats");
        const [c] = containers(d);
        expect(c!.readinessProbe, `${d.metadata.name} readiness`).to.not.equal(undefined);
        expect(c!.livenessProbe, `${d.metadata.name} liveness`).to.not.equal(undefined);
        expect(envOf(c!).TLS_CERT_FILE, d.metadata.name).to.equal(`/secrets/tls/${c!.name}.pem`);
      }
      const secrets = objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name);
      expect(secrets).to.include.members(["tls", "nkeys", "nats-auth"]);
    });
  }

  it("lets the gRPC order service balance over every pod: billing and notification are headless, probed on grpc.health.v1", async () => {
    const objects = await render(dir, "grpc");
    const service = (name: string) => objects.find((o) => o.kind === "Service" && o.metadata.name === name)!;
    expect(service("billing-grpc").spec?.clusterIP).to.equal("None");
    expect(service("notification-grpc").spec?.clusterIP).to.equal("None");
    const order = containers(objects.find((o) => o.kind === "Deployment" && o.metadata.name === "order-grpc")!)[0]!;
    expect(envOf(order)).to.include({ BILLING_SERVICE_ADDR: "billing-grpc:50052", NOTIFICATION_SERVICE_ADDR: "notification-grpc:50053" });
    expect(JSON.stringify(order.readinessProbe)).to.include("dist/services/health-check.js");
  });

  it("gives each NATS service only the broker's address and its own seed, and provisions the streams as admin in a Job", async () => {
    const objects = await render(dir, "nats");
    for (const d of objects.filter((o) => o.kind === "Deployment")) {
      const [c] = containers(d);
      const env = envOf(c!);
      expect(
        Object.keys(env).filter((k) => /_ADDR$|^NATS_URL$/.test(k)),
        d.metadata.name,
      ).to.deep.equal(["NATS_URL"]);
      expect(env.NATS_NKEY_SEED_FILE).to.equal(`/secrets/nkeys/${c!.name}.nk`);
    }
    const job = objects.find((o) => o.kind === "Job" && o.metadata.name === "nats-provision")!;
    expect(JSON.stringify(job)).to.include("dist/scripts/nats-provision.js").and.include("/secrets/nkeys/admin.nk");
  });

  it("pins the chart's nats-server to a line with the duplicate-id fixes (2.14.1 or later)", () => {
    const values = readFileSync(join(PROJECT_ROOT, "deploy/k8s/overlays/nats/nats-values.yaml"), "utf8");
    const [, tag] = /^container:\n\s+image:\n\s+tag:\s*"?(\d+\.\d+\.\d+)/m.exec(values) ?? [];
    expect(tag, "container.image.tag of nats-values.yaml").to.be.a("string");
    expect(versionAtLeast(tag!, "2.14.1"), `the chart pins nats ${tag}`).to.equal(true);
  });
});
