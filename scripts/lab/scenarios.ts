import { join } from "node:path";
import { audit, type AuditLine, type ClientRecord } from "../../services/audit/audit.js";
import { Ledger } from "../../services/audit/ledger.js";
import type { Mode, ServiceName } from "../../services/common/config.js";
import type { Order } from "../../services/gen/shop/v1/order.js";
import { labOrder } from "./lab-order.js";
import { LabStack } from "./lab-stack.js";
import { runLoad, type LoadOptions, type LoadResult, type LoadTarget, type OrderOutcome } from "./load-generator.js";
import { processCpuMs } from "./proc-cpu.js";
import { startRawGrpcChain, startRawNatsChain } from "./raw-chains.js";
import { sampleQueues, type QueueSample } from "./sampler.js";
import type { LabSettings } from "./settings.js";
import { grpcTarget, natsTarget, type ClosableTarget } from "./targets.js";

export const SCENARIO_IDS = ["baseline", "capacity", "down", "overload", "crash", "addresses"] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export type LoadSummary = Omit<LoadResult, "orders">;

export interface ModeRun {
  mode: Mode;
  load?: LoadSummary;
  audit?: AuditLine;
  /** Scenario-specific measurements, named in the report. */
  figures: Record<string, number | string | boolean>;
  steps?: LoadSummary[];
  queue?: QueueSample[];
  marks?: Array<{ t: number; label: string }>;
  addresses?: Record<string, Record<string, string>>;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  runs: ModeRun[];
}

export interface LabContext {
  settings: LabSettings;
  outDir: string;
  modes: Mode[];
  log(line: string): void;
}

const LAB_ENV = { NATS_ACK_WAIT_MS: "5000", SHUTDOWN_GRACE_MS: "3000" };

function summary(r: LoadResult): LoadSummary {
  const { orders: _orders, ...rest } = r;
  return rest;
}

function records(outcomes: readonly OrderOutcome[]): ClientRecord[] {
  return outcomes.map((o) => ({ orderId: o.orderId, accepted: o.acceptedAt !== undefined, error: o.error }));
}

interface Session {
  stack: LabStack;
  target: ClosableTarget;
  runId: string;
  load(options: Omit<LoadOptions, "makeOrder">): Promise<LoadResult>;
  audit(outcomes: readonly OrderOutcome[]): AuditLine;
  /** Sends each failed order again with the same id; returns how many the system then completed. */
  resend(outcomes: readonly OrderOutcome[]): Promise<number>;
}

async function withSession<T>(ctx: LabContext, scenario: string, mode: Mode, env: Record<string, string>, fn: (s: Session) => Promise<T>, deadlineMs?: number): Promise<T> {
  const dataDir = join(ctx.outDir, "data", `${scenario}-${mode}`);
  const stack = await LabStack.start({ mode, dataDir, env: { ...LAB_ENV, ...env }, logFile: join(ctx.outDir, "logs", `${scenario}-${mode}.log`) });
  const target = mode === "grpc" ? grpcTarget(stack.orderAddress, deadlineMs) : await natsTarget(stack.nats!.url);
  const runId = `${scenario}-${mode}-${Date.now().toString(36)}`;
  const orderFor = (id: string) => labOrder(runId, Number(id.slice(runId.length + 1)));
  try {
    return await fn({
      stack,
      target,
      runId,
      load: (options) => runLoad(target, { ...options, makeOrder: (i) => labOrder(runId, i), seed: ctx.settings.seed, progressLabel: `${scenario} ${mode}` }),
      audit(outcomes) {
        const ledger = new Ledger(dataDir);
        try {
          return audit(records(outcomes), ledger.snapshot(), target.completesOnAccept);
        } finally {
          ledger.close();
        }
      },
      async resend(outcomes) {
        let completed = 0;
        for (const o of outcomes.filter((x) => x.error)) {
          try {
            await target.place(orderFor(o.orderId));
            completed++;
          } catch {
            // Still failing: counted as not completed.
          }
        }
        return completed;
      },
    });
  } finally {
    await target.close();
    await stack.stop();
  }
}

/** Takes a service away at `fromMs` of the load's clock and starts it again `forMs` later. */
class Outage {
  downAt = 0;
  upAt = 0;
  #stopped?: Promise<void>;
  #restarted?: Promise<void>;

  constructor(
    private readonly stack: LabStack,
    private readonly service: ServiceName,
    private readonly signal: NodeJS.Signals,
    private readonly fromMs: number,
    private readonly forMs: number,
    private readonly t0: number,
  ) {}

  /** Called with the load's elapsed time at every send tick. */
  tick(t: number): void {
    if (!this.#stopped && t >= this.fromMs) {
      this.downAt = t;
      this.#stopped = this.stack.signal(this.service, this.signal);
    }
    if (this.#stopped && !this.#restarted && t >= this.fromMs + this.forMs) {
      this.#restarted = this.#stopped.then(() => {
        this.upAt = performance.now() - this.t0;
        return this.stack.startService(this.service);
      });
    }
  }

  async finished(): Promise<void> {
    await this.#restarted;
  }

  marks(down: string, up: string): Array<{ t: number; label: string }> {
    return [
      { t: this.downAt, label: down },
      { t: this.upAt, label: up },
    ];
  }
}

function cpuNow(stack: LabStack): { services: number; broker: number } {
  return { services: stack.servicesCpuMs(), broker: processCpuMs(stack.nats?.pid()) ?? 0 };
}

async function baseline(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "baseline", mode, {}, async (x) => {
        const before = cpuNow(x.stack);
        const r = await x.load({ rate: s.baselineRate, durationMs: s.baselineMs, drainTimeoutMs: s.drainTimeoutMs });
        const after = cpuNow(x.stack);
        const per = (ms: number) => (r.completed > 0 ? Math.round((ms / r.completed) * 100) / 100 : 0);
        return {
          mode,
          load: summary(r),
          audit: x.audit(r.orders),
          addresses: x.stack.addressesUsed(),
          figures: {
            servicesCpuMsPerOrder: per(after.services - before.services),
            ...(x.stack.nats ? { brokerCpuMsPerOrder: per(after.broker - before.broker) } : {}),
          },
        };
      }),
    );
  }
  return { id: "baseline", title: "Baseline at a moderate rate", runs };
}

function sustained(r: LoadResult, s: LabSettings): boolean {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return r.completed >= r.sent * (1 - s.errorBound) && errors <= r.sent * s.errorBound && r.complete.p99 <= s.p99BoundMs;
}

/** Steps the rate up until p99 or errors break the bound; the last step that held is the capacity. */
async function stepRates(target: LoadTarget, s: LabSettings, makeOrder: () => Order, label: string) {
  const steps: LoadSummary[] = [];
  let capacity = 0;
  for (const rate of s.capacityRates) {
    const r = await runLoad(target, { rate, durationMs: s.capacityStepMs, makeOrder, seed: s.seed, drainTimeoutMs: 10_000, progressLabel: `${label} @${rate}/s` });
    steps.push(summary(r));
    if (!sustained(r, s)) break;
    capacity = rate;
  }
  // Held even at the top step: the limit lies above the ladder, and the figure is a lower bound.
  return { steps, capacity, atTopOfLadder: capacity === s.capacityRates.at(-1) };
}

async function capacity(ctx: LabContext): Promise<ScenarioResult> {
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "capacity", mode, {}, async (x) => {
        let n = 0;
        const { steps, capacity: highest, atTopOfLadder } = await stepRates(x.target, ctx.settings, () => labOrder(x.runId, n++), `capacity ${mode}`);
        return { mode, steps, figures: { highestSustainedRate: highest, atTopOfLadder, p99BoundMs: ctx.settings.p99BoundMs } };
      }),
    );
  }
  return { id: "capacity", title: "Capacity: the highest sustained rate", runs };
}

async function serverDown(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "down", mode, {}, async (x) => {
        const t0 = performance.now();
        const sampler = mode === "nats" ? sampleQueues(await x.stack.natsConnection(), t0) : undefined;
        const outage = new Outage(x.stack, "billing", "SIGTERM", s.outageStartMs, s.outageMs, t0);
        const r = await x.load({ rate: s.outageRate, durationMs: s.outageRunMs, startAt: t0, drainTimeoutMs: s.drainTimeoutMs, onElapsed: (t) => outage.tick(t) });
        await outage.finished();
        const { downAt, upAt } = outage;
        const queue = await sampler?.stop();
        const inOutage = r.orders.filter((o) => o.intendedAt >= downAt && o.intendedAt < upAt);
        // The backlog of the outage is gone when the last order sent before the restart has completed.
        const backlogCleared = Math.max(0, ...r.orders.filter((o) => o.intendedAt < upAt).map((o) => o.completedAt ?? 0));
        const failed = r.orders.filter((o) => o.error);
        const unknown = failed.filter((o) => o.error === "DEADLINE_EXCEEDED" || o.error === "CANCELLED").length;
        const resentCompleted = mode === "grpc" ? await x.resend(r.orders) : 0;
        return {
          mode,
          load: summary(r),
          audit: x.audit(r.orders),
          queue,
          marks: outage.marks("billing stopped", "billing restarted"),
          figures: {
            outageMs: Math.round(upAt - downAt),
            sentDuringOutage: inOutage.length,
            acceptedDuringOutage: inOutage.filter((o) => o.acceptedAt !== undefined).length,
            failedToClient: failed.length,
            failedShare: r.sent > 0 ? Math.round((failed.length / r.sent) * 1000) / 10 : 0,
            outcomeUnknownToClient: unknown,
            resentCompleted,
            drainAfterRestartMs: upAt > 0 && backlogCleared > upAt ? Math.round(backlogCleared - upAt) : 0,
          },
        };
      }),
    );
  }
  return { id: "down", title: "Server down: billing stopped mid-run, then restarted", runs };
}

async function overload(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    const env: Record<string, string> = mode === "grpc" ? { GRPC_MAX_IN_FLIGHT: String(s.overloadLimit) } : { NATS_MAX_ACK_PENDING: String(s.overloadLimit) };
    runs.push(
      await withSession(
        ctx,
        "overload",
        mode,
        env,
        async (x) => {
          const t0 = performance.now();
          const sampler = mode === "nats" ? sampleQueues(await x.stack.natsConnection(), t0) : undefined;
          const r = await x.load({ rate: s.overloadRate, durationMs: s.overloadMs, startAt: t0, drainTimeoutMs: s.drainTimeoutMs * 2 });
          const queue = await sampler?.stop();
          const lastCompletion = Math.max(0, ...r.orders.map((o) => o.completedAt ?? 0));
          const lastSend = Math.max(0, ...r.orders.map((o) => o.intendedAt));
          return {
            mode,
            load: summary(r),
            audit: x.audit(r.orders),
            queue,
            marks: [{ t: lastSend, label: "last send" }],
            figures: {
              limit: s.overloadLimit,
              resourceExhausted: r.errors.RESOURCE_EXHAUSTED ?? 0,
              deadlineExceeded: r.errors.DEADLINE_EXCEEDED ?? 0,
              ...(queue
                ? { maxBacklog: Math.max(0, ...queue.map((q) => q.backlog)), maxConsumerAckPending: Math.max(0, ...queue.map((q) => q.maxConsumerAckPending)) }
                : {}),
              drainAfterLastSendMs: lastCompletion > lastSend ? Math.round(lastCompletion - lastSend) : 0,
            },
          };
        },
        s.overloadDeadlineMs,
      ),
    );
  }
  return { id: "overload", title: "Overload: offered rate well above capacity", runs };
}

async function crash(ctx: LabContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const runs: ModeRun[] = [];
  for (const mode of ctx.modes) {
    runs.push(
      await withSession(ctx, "crash", mode, {}, async (x) => {
        const t0 = performance.now();
        const crash = new Outage(x.stack, "order", "SIGKILL", s.crashAtMs, s.crashDownMs, t0);
        const r = await x.load({ rate: s.crashRate, durationMs: s.crashRunMs, startAt: t0, drainTimeoutMs: s.drainTimeoutMs, onElapsed: (t) => crash.tick(t) });
        await crash.finished();
        const resentCompleted = mode === "grpc" ? await x.resend(r.orders) : 0;
        const a = x.audit(r.orders);
        return {
          mode,
          load: summary(r),
          audit: a,
          marks: crash.marks("order service SIGKILL", "restarted"),
          figures: {
            failedToClient: r.orders.filter((o) => o.error).length,
            resentCompleted,
            completed: a.completed,
            lost: a.lost,
            duplicated: a.duplicateInvoices + a.duplicateEmails,
          },
        };
      }),
    );
  }
  return { id: "crash", title: "Crash: SIGKILL of the order service mid-processing", runs };
}

export async function rawBaselines(ctx: LabContext): Promise<ModeRun[]> {
  const s = ctx.settings;
  const out: ModeRun[] = [];
  for (const mode of ctx.modes) {
    const chain = mode === "grpc" ? await startRawGrpcChain() : await startRawNatsChain();
    try {
      const runId = `raw-${mode}-${Date.now().toString(36)}`;
      const base = await runLoad(chain.target, { rate: s.baselineRate, durationMs: s.baselineMs, makeOrder: (i) => labOrder(runId, i), seed: s.seed, progressLabel: `raw ${mode}` });
      let n = 1_000_000;
      const { steps, capacity: highest, atTopOfLadder } = await stepRates(chain.target, s, () => labOrder(runId, n++), `raw ${mode}`);
      out.push({ mode, load: summary(base), steps, figures: { highestSustainedRate: highest, atTopOfLadder } });
    } finally {
      await chain.stop();
    }
  }
  return out;
}

export async function runScenario(id: ScenarioId, ctx: LabContext, baselineResult?: ScenarioResult): Promise<ScenarioResult> {
  switch (id) {
    case "baseline":
      return baseline(ctx);
    case "capacity":
      return capacity(ctx);
    case "down":
      return serverDown(ctx);
    case "overload":
      return overload(ctx);
    case "crash":
      return crash(ctx);
    case "addresses": {
      // Read from the services' running configuration in the baseline run (or a fresh start).
      const runs = baselineResult?.runs.map((r) => ({ mode: r.mode, addresses: r.addresses, figures: {} }));
      if (runs) return { id, title: "Addresses each service needed", runs };
      const fresh: ModeRun[] = [];
      for (const mode of ctx.modes) fresh.push(await withSession(ctx, "addresses", mode, {}, async (x) => ({ mode, addresses: x.stack.addressesUsed(), figures: {} })));
      return { id, title: "Addresses each service needed", runs: fresh };
    }
  }
}
