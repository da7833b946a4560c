import { audit } from "../audit/audit.js";
import { Ledger } from "../audit/ledger.js";
import type { Mode } from "../../services/common/config.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { labOrder, labOrderById } from "../load/lab-order.js";
import { clientRecords, longestCall, runLoad, withoutOrders } from "../load/load-generator.js";
import type { LoadSummary } from "../load/load-summary.js";
import { stackTarget } from "../load/targets.js";
import type { LabNet } from "../net/lab-net.js";
import { loggedRecords } from "../process-group.js";
import type { ServiceControl } from "../stack/stack.js";
import { startStack } from "../stack/start-stack.js";
import { Timeline } from "../timeline.js";
import { faultWindow, restartedByHeal, type AppliedFault } from "./faults.js";
import type { ChaosFault } from "./schedule.js";
import { CAPABILITIES } from "../stack/capabilities.js";

export interface ChaosRunOptions {
  mode: Mode;
  seed: number;
  schedule: readonly ChaosFault[];
  /** How long orders are placed; the faults fall inside it. */
  durationMs: number;
  /** Orders a second. */
  rate: number;
  /** Every process on a host of its own (root): isolations and cuts need it. */
  net: LabNet;
  /** How long the drain may take, from the last heal, before what is not done counts as stuck. */
  drainLimitMs?: number;
  /** Where the databases and logs go (a temporary folder, removed, when absent). */
  dataDir?: string;
  log?: (line: string) => void;
}

/** What a chaos run did to one mode, and what the audit found. */
export interface ChaosAudit {
  mode: Mode;
  seed: number;
  /** The nats-server the NATS mode ran on. */
  natsServer?: string;
  schedule: AppliedFault[];
  sent: number;
  /** Orders the client was told were accepted (NATS) or completed (gRPC), at first or on a re-send. */
  acknowledged: number;
  /** Acknowledged, never invoiced. */
  lost: number;
  /** Second invoices or e-mails. */
  duplicated: number;
  /** Reported completed to the client, not completed in the database. */
  falseSuccess: number;
  /** Placements the client saw fail, by the error it saw. */
  refused: Record<string, number>;
  /** Orders the client placed again with the same id after a failure. */
  resent: number;
  /** Acknowledged and not completed when the drain ended. */
  stuck: number;
  /** The longest the client waited for one answer (ms). */
  maxClientWaitMs: number;
  /** From the last heal until every acknowledged order was done (ms); the limit when it was not. */
  recoveryMs: number;
  /** Consumers a service reported stalled (NATS_STALL_AFTER_MS), with when (ms on the load's clock); `duringDrain` after the last heal. */
  stalled: Array<{ consumer: string; atMs: number; duringDrain: boolean }>;
}

/** The rows a chaos audit is shown in, mode against mode: the label, and the value of one mode's audit. */
export const CHAOS_AUDIT_ROWS: ReadonlyArray<readonly [string, (a: ChaosAudit) => string | number]> = [
  ["faults applied", (a) => a.schedule.length],
  ["orders sent", (a) => a.sent],
  ["acknowledged", (a) => a.acknowledged],
  ["lost", (a) => a.lost],
  ["duplicated", (a) => a.duplicated],
  ["false success", (a) => a.falseSuccess],
  ["stuck after the drain", (a) => a.stuck],
  [
    "what the client saw fail",
    (a) =>
      Object.entries(a.refused)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "nothing",
  ],
  ["re-sent by the client", (a) => a.resent],
  ["longest wait (ms)", (a) => a.maxClientWaitMs],
  ["recovery after the last heal (ms)", (a) => a.recoveryMs],
  [
    "heals that failed (restarted after the load)",
    (a) =>
      a.schedule
        .filter((f) => f.healFailed)
        .map((f) => `${f.op} ${f.appliedTarget ?? f.target}`)
        .join(", ") || "none",
  ],
  [
    "consumers that stalled",
    (a) => a.stalled.map((x) => `${x.consumer} at ${(x.atMs / 1000).toFixed(1)} s${x.duringDrain ? " (drain)" : ""}`).join(", ") || "none",
  ],
];

/** A chaos run of one mode: its audit, and the load as the client saw it (orders accepted, completed and failed per moment). */
export interface ChaosRun {
  audit: ChaosAudit;
  load: LoadSummary;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops what is left of a process (a node that never became ready still runs) and starts it, until it starts or `limit` passes. */
async function restart(control: ServiceControl, name: string, limit: number, log: (line: string) => void): Promise<void> {
  for (;;) {
    try {
      await control.stop(name);
      await control.start(name);
      return;
    } catch (err) {
      if (performance.now() > limit) throw new Error(`${name} did not start again after the chaos: ${(err as Error).message}`, { cause: err });
      log(`[chaos] restarting ${name}: ${(err as Error).message}; again`);
      await pause(1_000);
    }
  }
}

/**
 * One mode through a chaos schedule: its stack with every process on a host of its own (NATS: a
 * 3-node cluster, streams at 3 replicas), orders placed at a steady rate while the schedule's
 * faults are applied and healed, then everything healed and running again, every failed order
 * re-sent with its id, and a drain until every acknowledged order is done or the limit passes;
 * then the audit of the three databases.
 */
export async function runChaos(o: ChaosRunOptions): Promise<ChaosRun> {
  const log = o.log ?? (() => undefined);
  const stack = await startStack({
    mode: o.mode,
    where: "processes",
    dataDir: o.dataDir,
    net: o.net,
    cluster: CAPABILITIES[o.mode].hasBroker ? 3 : undefined,
    // A consumer that stops moving for 10 s says so; the audit lists it.
    env: { NATS_ACK_WAIT_MS: "5000", SHUTDOWN_GRACE_MS: "3000", NATS_STALL_AFTER_MS: "10000" },
  });
  const runId = `chaos-${o.mode}-${o.seed}-${Date.now().toString(36)}`;
  // The client's own deadline: longer than a service's, so that what it sees is the system's answer.
  const target = await stackTarget(stack, { deadlineMs: 8_000 });
  const applied: AppliedFault[] = o.schedule.map((f) => ({ ...f }));
  try {
    const timeline = new Timeline();
    const wallAtStart = Date.now() - (performance.now() - timeline.t0);
    const busy = new Map<string, Promise<void>>();
    o.schedule.forEach((f, i) => timeline.window(faultWindow(stack, o.net, f, i, applied[i]!, busy)));
    log(`[chaos] ${o.mode}: ${o.schedule.length} faults over ${Math.round(o.durationMs / 1000)} s at ${o.rate} orders/s`);
    const result = await runLoad(target, {
      rate: o.rate,
      durationMs: o.durationMs,
      makeOrder: (i) => labOrder(runId, i),
      drainTimeoutMs: 1_000,
      startAt: timeline.t0,
      onElapsed: (t) => timeline.tick(t),
      progressLabel: `chaos ${o.mode}`,
    });
    await timeline.finish();
    // Everything healed: no cut left anywhere, and every process a heal failed to start restarted.
    o.net.heal();
    const restartLimit = performance.now() + (o.drainLimitMs ?? 120_000);
    for (const f of applied.filter((x) => x.healFailed)) {
      const name = restartedByHeal(f);
      log(`[chaos] ${o.mode}: heal of ${f.op} ${f.appliedTarget ?? f.target} failed (${f.healFailed})${name ? `; restarting ${name}` : ""}`);
      if (name) await restart(stack.control, name, restartLimit, log);
    }
    const lastHeal = performance.now();
    applied.forEach((f, i) => {
      const label = `${f.op} ${f.target} #${i + 1}`;
      f.appliedAtMs = Math.round(timeline.appliedAt(label) ?? -1);
      f.healedAtMs = Math.round(timeline.undoneAt(label) ?? -1);
    });

    // The client's part: every failed placement again, with the same id, until the system takes it.
    const records = clientRecords(result.orders);
    const failed = records.filter((r) => !r.accepted);
    const limit = lastHeal + (o.drainLimitMs ?? 120_000);
    for (const r of failed)
      for (;;) {
        try {
          await target.place(labOrderById(runId, r.orderId));
          r.accepted = true;
          break;
        } catch {
          if (performance.now() > limit) break;
          await pause(250);
        }
      }
    // The drain: until every acknowledged order is complete in the order service's database.
    const ledger = new Ledger(stack.dataDir);
    try {
      const acknowledged = records.filter((r) => r.accepted);
      let done = false;
      while (!done && performance.now() < limit) {
        const orders = ledger.snapshot().orders;
        done = acknowledged.every((r) => orders.get(r.orderId) === OrderStatus.ORDER_STATUS_COMPLETED);
        if (!done) await pause(250);
      }
      const recoveryMs = Math.round(performance.now() - lastHeal);
      const snap = ledger.snapshot();
      const line = audit(records, snap, target.answerMeansComplete);
      const refused: Record<string, number> = {};
      // An order with neither an answer nor an error had not been answered when the load ended.
      for (const f of failed) refused[f.error ?? "NO_ANSWER"] = (refused[f.error ?? "NO_ANSWER"] ?? 0) + 1;
      const healWall = wallAtStart + (lastHeal - timeline.t0);
      const stalled = loggedRecords(stack.options.logFile, "consumer stalled", wallAtStart).map(({ t, record }) => ({
        consumer: String(record.consumer),
        atMs: Math.round(t - wallAtStart),
        duringDrain: t >= healWall,
      }));
      const chaos: ChaosAudit = {
        mode: o.mode,
        seed: o.seed,
        natsServer: [...stack.brokerNodes().values()][0]?.version,
        schedule: applied,
        sent: records.length,
        acknowledged: acknowledged.length,
        lost: line.lost,
        duplicated: line.duplicateInvoices + line.duplicateEmails,
        falseSuccess: line.falseSuccess,
        refused,
        resent: failed.length,
        stuck: acknowledged.filter((r) => snap.orders.get(r.orderId) !== OrderStatus.ORDER_STATUS_COMPLETED).length,
        maxClientWaitMs: longestCall(result.orders),
        recoveryMs: done ? recoveryMs : Math.round(o.drainLimitMs ?? 120_000),
        stalled,
      };
      // Completed as the order service's database says after the drain: the load stopped watching a second after its last send.
      const completed = records.filter((r) => snap.orders.get(r.orderId) === OrderStatus.ORDER_STATUS_COMPLETED).length;
      return { audit: chaos, load: { ...withoutOrders(result), completed } };
    } finally {
      ledger.close();
    }
  } finally {
    await target.close();
    await stack.stop();
  }
}
