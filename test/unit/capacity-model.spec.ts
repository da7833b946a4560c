import { expect } from "chai";
import { PLANNED_UTILISATION, capacityModel } from "../../lab/capacity-model.js";
import type { ModeRun, ScenarioResult } from "../../lab/results.js";

const run = (r: Partial<ModeRun> & Pick<ModeRun, "mode">): ModeRun => ({ figures: {}, ...r });

/** A baseline whose warm rounds measured `services` ms per order by process and `broker` ms in nats-server. */
function baseline(mode: "grpc" | "nats", services: Record<string, number>, broker: number | null, client = 0.5): ScenarioResult {
  const total = Object.values(services).reduce((a, b) => a + b, 0);
  return {
    id: "baseline",
    title: "",
    runs: [
      run({
        mode,
        cpuWarm: { processes: services, total, broker },
        figures: { clientCpuMsPerOrderWarm: client },
        rssMiBPeak: Object.fromEntries(Object.keys(services).map((k) => [k, 100])),
      }),
    ],
  };
}

const capacityOf = (mode: "grpc" | "nats", median: number, atMaxRate = false): ScenarioResult => ({
  id: "capacity",
  title: "",
  runs: [run({ mode, capacity: { median, min: median, max: median, rounds: [median], atMaxRate } })],
});

describe("the capacity model", () => {
  it("needs CPU per order times the rate at the planned use, in whole processes per service, and checks itself against this machine", () => {
    const m = capacityModel("grpc", [baseline("grpc", { order: 1, billing: 0.5, notification: 0.5 }, null), capacityOf("grpc", 800)], 2, 300)!;
    expect(m.coresPer10kOrdersPerSec).to.be.closeTo((10_000 * 2) / 1000 / PLANNED_UTILISATION, 0.01);
    const at10k = m.at.find((a) => a.ordersPerSec === 10_000)!;
    expect(at10k.serviceProcesses).to.deep.equal({ order: Math.ceil(10 / PLANNED_UTILISATION), billing: Math.ceil(5 / PLANNED_UTILISATION), notification: 8 });
    expect(at10k.serviceMemoryMiB).to.equal((15 + 8 + 8) * 100);
    // Here: 2 cores ÷ (2 ms services + 0.5 ms client) = 800 orders/s, and 800 were measured.
    expect(m.predictedCapacityHere).to.equal(800);
    expect(m.measuredOverPredicted).to.equal(1);
    expect(m.limitHere).to.match(/^CPU/);
    expect(m.streamLeaderLimitOrdersPerSec).to.equal(null);
  });

  it("plans NATS's broker at three replicas: the cluster's measured factor when this run has one, else three, and names which", () => {
    const results = [baseline("nats", { order: 1, billing: 0.5, notification: 0.5 }, 1)];
    const assumed = capacityModel("nats", results, 2, 300)!;
    expect(assumed.cpuMsPerOrder).to.include({ brokerReplicated: 3, replicationFactor: 3, replicationFrom: "assumed" });
    expect(assumed.coresPer10kOrdersPerSec).to.be.closeTo((10_000 * 5) / 1000 / PLANNED_UTILISATION, 0.01);
    // One server's 1 ms over five stream messages; the busiest stream takes two per order.
    expect(assumed.streamLeaderLimitOrdersPerSec).to.equal(2500);
    const cluster: ScenarioResult = { id: "cluster", title: "", runs: [run({ mode: "nats", figures: { brokerCpuOneServer: 1, brokerCpuThreeNodes: 2.5 } })] };
    const measured = capacityModel("nats", [...results, cluster], 2, 300)!;
    expect(measured.cpuMsPerOrder).to.include({ brokerReplicated: 2.5, replicationFactor: 2.5, replicationFrom: "measured" });
  });

  it("says what limits a mode when the measured capacity is far from CPU's, and when it was only bounded", () => {
    const slow = capacityModel("grpc", [baseline("grpc", { order: 1 }, null, 0), capacityOf("grpc", 1000)], 2, 300)!;
    expect(slow.measuredOverPredicted).to.equal(0.5);
    expect(slow.limitHere).to.match(/^not CPU alone/);
    const bounded = capacityModel("grpc", [baseline("grpc", { order: 1 }, null, 0), capacityOf("grpc", 3000, true)], 2, 300)!;
    expect(bounded.measuredCapacityHere).to.equal(null);
    expect(bounded.limitHere).to.match(/^not reached/);
  });

  it("makes no model without the baseline's warm rounds", () => {
    expect(capacityModel("grpc", [capacityOf("grpc", 800)], 2, 300)).to.equal(undefined);
  });
});
