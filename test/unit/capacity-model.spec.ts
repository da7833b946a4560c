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

/** A capacity scenario whose search held `median` (or its highest rate) and whose saturated rounds completed `saturation`. */
const capacityOf = (mode: "grpc" | "nats", median: number, saturation: number[] = [], atMaxRate = false): ScenarioResult => ({
  id: "capacity",
  title: "",
  runs: [run({ mode, capacity: { median, min: median, max: median, rounds: [median], atMaxRate }, series: { saturation } })],
});

describe("the capacity model", () => {
  it("needs CPU per order times the rate at the planned use, in whole processes per service, and checks itself against this machine", () => {
    const m = capacityModel("grpc", [baseline("grpc", { order: 1, billing: 0.5, notification: 0.5 }, null), capacityOf("grpc", 800, [800, 800])], 2, 300)!;
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

  it("checks itself against the saturation throughput, and says what limits a mode when CPU does not, or the latency bound comes first", () => {
    const base = baseline("grpc", { order: 0.5, billing: 0.5 }, null, 0);
    // 2 cores ÷ 1 ms = 2,000 orders/s predicted; one core ÷ 0.5 ms allows as many.
    const cpu = capacityModel("grpc", [base, capacityOf("grpc", 1_900, [1_800, 2_000, 2_100])], 2, 300)!;
    expect(cpu.measuredCapacityHere).to.equal(2_000);
    expect(cpu.limitHere).to.equal("CPU: saturated, it used up the cores");
    const waits = capacityModel("grpc", [base, capacityOf("grpc", 900, [1_000, 1_000])], 2, 300)!;
    expect(waits.measuredOverPredicted).to.equal(0.5);
    expect(waits.limitHere).to.match(/^not CPU alone/);
    const latency = capacityModel("grpc", [base, capacityOf("grpc", 600, [2_000, 2_000])], 2, 300)!;
    expect(latency.limitHere).to.match(/^CPU: .*; the latency bound \(p99\) was reached at 30 % of that throughput$/);
    // Without saturated rounds, the search's figure, unless it only held its highest rate.
    expect(capacityModel("grpc", [base, capacityOf("grpc", 1_500)], 2, 300)!.measuredCapacityHere).to.equal(1_500);
    const bounded = capacityModel("grpc", [base, capacityOf("grpc", 3_000, [], true)], 2, 300)!;
    expect(bounded.measuredCapacityHere).to.equal(null);
    expect(bounded.limitHere).to.match(/^not measured here/);
  });

  it("plans with the CPU per order of the saturated runs when the capacity scenario has them, and shows what the warm rate would predict", () => {
    const capacity = capacityOf("nats", 900, [1_300, 1_350]);
    capacity.runs[0]!.cpuSaturated = { processes: { order: 0.4, billing: 0.3, notification: 0.3 }, total: 1, broker: 0.3, client: 0.2 };
    const m = capacityModel("nats", [baseline("nats", { order: 1.2, billing: 0.8, notification: 1 }, 1.5, 0.5), capacity], 2, 300)!;
    expect(m.cpuBasis).to.equal("saturated");
    expect(m.measuredAtRate).to.equal(1_350);
    expect(m.cpuMsPerOrder).to.include({ servicesTotal: 1, broker: 0.3, client: 0.2 });
    // 2 cores ÷ (1 + 0.3 + 0.2) ms; from the warm rate 2 cores ÷ (3 + 1.5 + 0.5) ms.
    expect(m.predictedCapacityHere).to.equal(1_333);
    expect(m.predictedFromWarmRate).to.equal(400);
    expect(m.measuredOverPredicted).to.equal(1.01);
  });

  it("predicts no more than one core's worth of the busiest Node process, and says so", () => {
    // 2 cores ÷ (1.5 + 0.5 + 0.5 ms) would be 800/s; the order service's 1.5 ms on one core allows 667/s.
    const m = capacityModel("grpc", [baseline("grpc", { order: 1.5, billing: 0.5 }, null, 0.5), capacityOf("grpc", 600, [650, 650])], 2, 300)!;
    expect(m.predictedCapacityHere).to.equal(667);
    expect(m.predictedLimit).to.equal("one core for order (1.5 ms per order), below the 800/s the 2 cores allow");
    expect(m.measuredOverPredicted).to.equal(0.97);
    // Spread evenly, the cores are the limit.
    const even = capacityModel("grpc", [baseline("grpc", { order: 0.75, billing: 0.75 }, null, 0.5)], 2, 300)!;
    expect(even).to.include({ predictedCapacityHere: 1_000, predictedLimit: "the 2 cores" });
  });

  it("predicts no more than one core for the event loops of a saturated chain whose callers wait, and only for such a chain", () => {
    const saturatedAt = (mode: "grpc" | "nats") => {
      const c = capacityOf(mode, 500, [560, 560]);
      // 2 cores ÷ (2.2 + 0.3 ms) would be 800/s; the main threads together take 0.7 + 0.3 + 0.6 + 0.2 = 1.8 ms, one core 556/s.
      c.runs[0]!.cpuSaturated = {
        processes: { order: 1.1, billing: 0.4, notification: 0.7 },
        mainThreads: { order: 0.7, billing: 0.3, notification: 0.6 },
        total: 2.2,
        broker: mode === "nats" ? 0 : null,
        client: 0.3,
        clientMainThread: 0.2,
      };
      return capacityModel(mode, [baseline(mode, { order: 1.5, billing: 0.5, notification: 1 }, mode === "nats" ? 0 : null), c], 2, 300)!;
    };
    const grpc = saturatedAt("grpc");
    expect(grpc.predictedCapacityHere).to.equal(556);
    expect(grpc.predictedLimit).to.match(/^one core for the whole chain's event loops \(1\.8 ms per order together\).*below the 800\/s the 2 cores allow$/);
    expect(grpc.measuredOverPredicted).to.equal(1.01);
    expect(grpc.limitHere).to.match(/^CPU, one core at a time/);
    // A broker's consumers do not hold their callers: the cores stay the limit.
    expect(saturatedAt("nats")).to.include({ predictedCapacityHere: 800, predictedLimit: "the 2 cores" });
  });

  it("makes no model without the baseline's warm rounds", () => {
    expect(capacityModel("grpc", [capacityOf("grpc", 800)], 2, 300)).to.equal(undefined);
  });
});
