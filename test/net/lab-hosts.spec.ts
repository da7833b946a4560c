import { expect } from "chai";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { connect } from "nats";
import { MODES, SERVICE_NAMES, type Mode } from "../../services/common/config.js";
import type { Order } from "../../services/gen/shop/v1/order.js";
import type { OrderWorkflowClient } from "../../services/workflow.js";
import { CONSUMERS } from "../../services/nats/topology.js";
import { LabNet } from "../../testbed/net/lab-net.js";
import { needsLabNet } from "../support/lab-net.js";
import { startStack, type AnyProcessStack } from "../../testbed/stack/start-stack.js";
import { eventually } from "../support/eventually.js";
import { orderReaches } from "../support/order-status.js";
import { sampleOrder } from "../support/orders.js";

/** The network namespace a process runs in, as `ip netns identify` names it ("" for the main one). */
function namespaceOf(pid: number | undefined): string {
  return execFileSync("ip", ["netns", "identify", String(pid)], { encoding: "utf8" }).trim();
}

/** What tells the two modes apart in this test: their extra host, who hands billing its work, and what a cut of that link does. */
interface ModeSide {
  /** Hosts beyond the three services'. */
  extraHosts: string[];
  /** The host billing's work comes from. */
  billingFeeder: string;
  /** What the customer sees of an order placed while billing is cut off. */
  whileCut(client: OrderWorkflowClient, stack: AnyProcessStack, order: Order): Promise<void>;
  /** After the heal, until the order is taken (gRPC: the customer re-sends it with the same id). */
  afterHeal(client: OrderWorkflowClient, order: Order): Promise<void>;
  /** A second stack of the mode beside the first (as a priced comparison runs two) gets hosts of its own. */
  beside?(net: LabNet): Promise<void>;
}

const SIDES: Record<Mode, ModeSide> = {
  grpc: {
    extraHosts: [],
    billingFeeder: "grpc-order",
    async whileCut(client, _stack, order) {
      // The order service waits on billing until its deadline: the customer is refused, not answered.
      const refused = await client.placeOrder(order).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(refused, "an order placed while billing is cut off").to.be.instanceOf(Error);
    },
    afterHeal: (client, order) =>
      eventually("the re-sent order to be taken", () => client.placeOrder(order).then(() => true), 60_000, 250).then(() => undefined),
  },
  nats: {
    extraHosts: ["broker"],
    billingFeeder: "nats-broker",
    async whileCut(client, stack, order) {
      // The broker takes the order; the invoice request waits in billing's stream, not taken.
      await client.placeOrder(order);
      const nc = await connect({ servers: stack.entry });
      try {
        const jsm = await nc.jetstreamManager();
        await eventually("the invoice request to wait for billing", async () => {
          const info = await jsm.consumers.info(CONSUMERS.invoicer.stream, CONSUMERS.invoicer.durable);
          return info.num_pending + info.num_ack_pending > 0 ? true : undefined;
        });
      } finally {
        await nc.close();
      }
    },
    afterHeal: () => Promise.resolve(),
    async beside(net) {
      const beside = await startStack({ mode: "nats", where: "processes", net });
      try {
        expect(namespaceOf(beside.processes.get("billing")?.child.pid)).to.equal("gvn-nats2-billing");
        expect(namespaceOf(beside.brokerPids()[0])).to.equal("gvn-nats2-broker");
      } finally {
        await beside.stop();
      }
    },
  },
};

// StackOptions.net for processes: what `npm run compare -- --net` runs every scenario on.
describe("the lab network: each process of a stack on a host of its own", function () {
  this.timeout(120_000);
  let net: LabNet | undefined;

  before(function () {
    needsLabNet(this);
    net = LabNet.create();
  });

  after(() => net?.close());

  for (const mode of MODES) {
    const side = SIDES[mode];
    it(`${mode}: ${[...SERVICE_NAMES, ...side.extraHosts].join(", ")} in their own namespaces, reached at their addresses; a cut between two hosts is felt and healed; the hosts go with the stack`, async () => {
      const hosts = [...SERVICE_NAMES, ...side.extraHosts].map((n) => `${mode}-${n}`);
      const stack = await startStack({ mode, where: "processes", net });
      const client = await stack.connectClient();
      try {
        expect([...net!.hosts.keys()]).to.have.members(hosts);
        for (const name of SERVICE_NAMES) expect(namespaceOf(stack.processes.get(name)?.child.pid), name).to.equal(`gvn-${mode}-${name}`);
        for (const [i, pid] of stack.brokerPids().entries()) expect(namespaceOf(pid)).to.equal(`gvn-${mode}-${side.extraHosts[i]}`);
        await side.beside?.(net!);
        // Every address a service was given is a lab host's, none the loopback.
        const used = Object.values(stack.addressesUsed()).flatMap((a) => Object.values(a));
        expect(used).to.have.length.greaterThan(0);
        for (const a of used) expect(a).to.match(/^(nats:\/\/)?10\.213\.77\.\d+:\d+$/);

        const first = sampleOrder();
        await client.placeOrder(first);
        await orderReaches(client, first.orderId);

        // Billing cut from the party that hands it work.
        net!.cut(`${mode}-billing`, [side.billingFeeder]);
        const cut = sampleOrder();
        await side.whileCut(client, stack, cut);
        net!.heal();
        // It completes, once.
        await side.afterHeal(client, cut);
        await orderReaches(client, cut.orderId, undefined, 60_000);
      } finally {
        await client.close();
        await stack.stop();
      }
      expect([...net!.hosts.keys()]).to.deep.equal([]);
      const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
      for (const h of hosts) expect(left).to.not.include(`gvn-${h}`);
    });
  }
});

describe("the lab network after Ctrl-C", function () {
  this.timeout(60_000);

  before(function () {
    needsLabNet(this);
  });

  it("a process interrupted while its hosts run leaves no namespace, bridge or rule, and nothing running on them", async () => {
    const script = [
      'import { LabNet } from "./testbed/net/lab-net.ts";',
      'import { spawn } from "node:child_process";',
      'const net = LabNet.create(["ctrl-c"]);',
      // Something running on the host, as a service would be.
      'spawn(net.exec("ctrl-c")[0], [...net.exec("ctrl-c").slice(1), "sleep", "600"], { stdio: "ignore" });',
      'console.log("ready");',
      "setInterval(() => undefined, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && resolve()));
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).to.include("gvn-ctrl-c");
    child.kill("SIGINT");
    expect(await exited, "exit code after SIGINT").to.equal(130);
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).to.not.include("gvn-");
    expect(execFileSync("ip", ["link", "show"], { encoding: "utf8" })).to.not.include("gvnbr0");
    expect(spawnSync("iptables", ["-C", "FORWARD", "-i", "gvnbr0", "-o", "gvnbr0", "-j", "ACCEPT"]).status, "the FORWARD rule (0: still there)").to.not.equal(
      0,
    );
    expect(spawnSync("pgrep", ["-f", "sleep 600"], { encoding: "utf8" }).stdout, "what ran on the host").to.equal("");
  });
});
