import { expect } from "chai";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../testbed/process-group.js";
import { versionAtLeast } from "../testbed/nats-server.js";
import type { Mode } from "../services/common/config.js";

/** Where each profile's services find their NKey seeds, where the profile has them. */
const SEED_DIR: Record<Mode, string | undefined> = { grpc: undefined, nats: "/secrets/nats/nkeys" };

const run = promisify(execFile);

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  image?: string;
  volumes?: Array<string | { source?: string; target?: string }>;
  user?: string;
  profiles?: string[];
  ports?: Array<string | { published?: string | number; target?: number }>;
}

/** The host ports a service publishes, whichever way docker-compose writes them. */
const published = (svc: ComposeService) =>
  (svc.ports ?? []).map((p) => (typeof p === "string" ? Number(/^(?:[\d.]+:)?(\d+):/.exec(p)?.[1]) : Number(p.published)));

function hasDockerCompose(): boolean {
  try {
    execFileSync("docker-compose", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The file as docker-compose itself resolves it (validated, anchors merged), read as JSON. */
async function resolved(profile: string, env: Record<string, string> = {}): Promise<Record<string, ComposeService>> {
  const { stdout } = await run("docker-compose", ["--profile", profile, "config"], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  const toJson = "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))";
  const json = execFileSync("python3", ["-c", toJson], { input: stdout, encoding: "utf8" });
  const services = (JSON.parse(json) as { services: Record<string, ComposeService> }).services;
  return Object.fromEntries(Object.entries(services).filter(([, s]) => s.profiles?.includes(profile)));
}

describe("docker-compose.yml", function () {
  this.timeout(60_000);

  before(function () {
    // CI installs Debian's docker-compose (.ci/run); elsewhere: apt-get install docker-compose.
    if (!hasDockerCompose()) this.skip();
  });

  it("gives the gRPC services their servers' addresses by service name and health checks on grpc.health.v1", async () => {
    const s = await resolved("grpc");
    expect(Object.keys(s).sort()).to.deep.equal(["billing-grpc", "jaeger", "mailpit", "notification-grpc", "order-grpc", "secrets"]);
    expect(s["order-grpc"]!.environment).to.include({ BILLING_SERVICE_ADDR: "billing-grpc:50052", NOTIFICATION_SERVICE_ADDR: "notification-grpc:50053" });
    for (const [name, svc] of Object.entries(s).filter(([n]) => n.endsWith("-grpc"))) {
      expect(svc.command?.slice(1), name).to.deep.equal(["--mode", "grpc"]);
      expect(svc.healthcheck?.test?.join(" "), name).to.match(/^CMD node dist\/services\/health-check\.js localhost:5005[123]$/);
    }
    expect(s["order-grpc"]!.depends_on?.["billing-grpc"]?.condition).to.equal("service_healthy");
  });

  it("publishes every host port under a variable, so that a port taken on the host can be moved", async () => {
    const moved = {
      ORDER_HOST_PORT: "15051",
      BILLING_HOST_PORT: "15052",
      NOTIFICATION_HOST_PORT: "15053",
      NATS_HOST_PORT: "14222",
      NATS_MONITOR_HOST_PORT: "18222",
      MAILPIT_HOST_PORT: "18025",
      JAEGER_HOST_PORT: "26686",
      ORDER_METRICS_HOST_PORT: "19461",
      BILLING_METRICS_HOST_PORT: "19462",
      NOTIFICATION_METRICS_HOST_PORT: "19463",
    };
    const all = { ...(await resolved("grpc", moved)), ...(await resolved("nats", moved)) };
    const ports = Object.values(all).flatMap(published);
    expect(ports.length).to.be.greaterThan(10);
    expect(
      ports.filter((p) => !Object.values(moved).includes(String(p))),
      "ports not moved",
    ).to.deep.equal([]);
    expect(published(all["nats-1"]!).sort()).to.deep.equal([14222, 18222]);
    const defaults = await resolved("nats");
    expect(published(defaults["nats-1"]!).sort()).to.deep.equal([4222, 8222]);
  });

  it("gives the NATS services only the brokers' addresses: a pinned 3-node JetStream cluster, each node with its volume, streams with 3 replicas", async () => {
    const s = await resolved("nats");
    expect(Object.keys(s).sort()).to.deep.equal([
      "billing-nats",
      "jaeger",
      "mailpit",
      "nats-1",
      "nats-2",
      "nats-3",
      "nats-provision",
      "notification-nats",
      "order-nats",
      "secrets",
    ]);
    for (const node of ["nats-1", "nats-2", "nats-3"]) {
      const [, version] = /^nats:(\d+\.\d+\.\d+)/.exec(s[node]!.image ?? "") ?? [];
      expect(version, "pinned nats image").to.be.a("string");
      // 2.14.1 has both fixes of duplicate ids racing a leader change (nats-server#5827, #6486, #8106).
      expect(versionAtLeast(version!, "2.14.1"), `${node} pins nats ${version}`).to.equal(true);
      expect(s[node]!.command).to.deep.equal(["-c", `/secrets/nats/${node}.conf`]);
      expect(s[node]!.volumes?.map((v) => (typeof v === "string" ? v : `${v.source}:${v.target}`).split(":")[1])).to.include("/data");
    }
    expect(s["nats-provision"]!.environment?.NATS_STREAM_REPLICAS).to.equal("3");
    for (const name of ["order-nats", "billing-nats", "notification-nats"]) {
      const env = s[name]!.environment ?? {};
      expect(env.NATS_URL, name).to.equal("nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222");
      expect(
        Object.keys(env).filter((k) => k.endsWith("_ADDR")),
        name,
      ).to.deep.equal([]);
    }
  });

  it("runs both modes in the secure profile: every service with its own certificate, and NATS with its own NKey, provisioned by admin", async () => {
    for (const profile of ["grpc", "nats"] as const) {
      const s = await resolved(profile);
      expect(s.secrets?.user).to.equal("root");
      for (const name of ["order", "billing", "notification"]) {
        const svc = s[`${name}-${profile}`]!;
        expect(svc.environment, `${name}-${profile}`).to.include({
          TLS_CA_FILE: "/secrets/tls/ca.pem",
          TLS_CERT_FILE: `/secrets/tls/${name}.pem`,
          TLS_KEY_FILE: `/secrets/tls/${name}-key.pem`,
        });
        expect(svc.environment?.NATS_NKEY_SEED_FILE, `${name}-${profile}'s seed`).to.equal(SEED_DIR[profile] && `${SEED_DIR[profile]}/${name}.nk`);
      }
    }
    const nats = await resolved("nats");
    expect(nats["nats-provision"]!.environment).to.include({ NATS_NKEY_SEED_FILE: "/secrets/nats/nkeys/admin.nk", TLS_CERT_FILE: "/secrets/tls/admin.pem" });
    for (const name of ["order", "billing", "notification"])
      expect(nats[`${name}-nats`]!.depends_on?.["nats-provision"]?.condition).to.equal("service_completed_successfully");
  });

  for (const profile of ["grpc", "nats"]) {
    it(`${profile}: sends the e-mails to Mailpit, the traces to Jaeger, and serves metrics from every service`, async () => {
      const s = await resolved(profile);
      expect(s.mailpit?.image).to.match(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
      expect(s[`notification-${profile}`]!.environment?.SMTP_URL).to.equal("smtp://mailpit:1025");
      expect(s[`notification-${profile}`]!.depends_on?.mailpit?.condition).to.equal("service_started");
      expect(s.jaeger?.image).to.match(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
      expect(s.jaeger?.environment?.COLLECTOR_OTLP_ENABLED).to.equal("true");
      for (const name of ["order", "billing", "notification"]) {
        const env = s[`${name}-${profile}`]!.environment ?? {};
        expect(env.METRICS_PORT, name).to.equal("9464");
        expect(env.OTEL_EXPORTER_OTLP_ENDPOINT, name).to.equal("http://jaeger:4318");
      }
    });
  }
});
