import { expect } from "chai";
import { startStack } from "../../testbed/stack/start-stack.js";
import { completesOne } from "../support/order-status.js";

const DELAY_MS = 20;

interface Routez {
  routes: Array<{ remote_name?: string; rtt: string }>;
}

/** Go's duration text ("41.2ms", "1.02s", "950µs") in ms. */
function durationMs(text: string): number {
  const m = /^([\d.]+)(ns|µs|us|ms|s)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { ns: 1e-6, µs: 1e-3, us: 1e-3, ms: 1, s: 1000 }[m[2] as "ms"];
}

// StackOptions.links with a cluster: every hop NATS crosses is delayed, the nodes' routes included.
describe("a NATS cluster's hops through links: each party to every node, and node to node", function () {
  this.timeout(240_000);

  it(`every route between the nodes (each of their pooled connections) crosses a link of ${DELAY_MS} ms; the services reach every node through their own links`, async () => {
    await using stack = await startStack({ mode: "nats", where: "processes", cluster: 3, links: { delayMs: DELAY_MS } });
    const cluster = stack.cluster!;
    expect([...cluster.routeLinks.keys()]).to.have.members(["routes-n1", "routes-n2", "routes-n3"]);
    for (const [i, node] of cluster.nodes.entries()) {
      const { routes } = (await (await fetch(`${node.monitorUrl}/routez`)).json()) as Routez;
      expect(routes.length, `routes of n${i + 1}`).to.be.greaterThan(0);
      // A round trip crosses the link both ways: at least twice its delay; on the loopback it takes well under a millisecond.
      for (const r of routes) expect(durationMs(r.rtt), `n${i + 1} → ${r.remote_name} rtt`).to.be.at.least(2 * DELAY_MS);
    }
    const linked = [...stack.links.values()].map((l) => `nats://${l.address}`);
    for (const [name, env] of stack.envs) {
      const urls = env.NATS_URL!.split(",");
      expect(urls, `${name}'s NATS_URL`).to.have.lengthOf(3);
      for (const u of urls) expect(linked, `${name}'s ${u}`).to.include(u);
    }
    const client = await stack.connectClient();
    try {
      await completesOne(client);
    } finally {
      await client.close();
    }
  });
});
