import type { ClientRecord } from "../audit/audit.js";
import type { Order } from "../../services/gen/shop/v1/order.js";
import { errorCode } from "./error-code.js";
import { LatencyRecorder } from "./latency.js";
import type { LoadSummary, TimelinePoint } from "./load-summary.js";
import { ProgressBar } from "./progress.js";
import { intendedSendTimes, type Arrivals } from "./schedule.js";

/** What the load generator drives: one mode's client, or a raw transport chain. */
export interface LoadTarget {
  name: string;
  /** Sends one order; resolves when the system answered (accepted, or completed when answerMeansComplete). */
  place(order: Order): Promise<void>;
  /** True when place() resolves only once the work is complete (synchronous targets). */
  answerMeansComplete: boolean;
  /** Asynchronous targets: reports each order that reached its end state; returns a stop function. */
  watch?(onSettled: (orderId: string, completed: boolean) => void): Promise<() => Promise<void>>;
  /** Final word on an order whose end was not observed by watch() (its notice is best-effort). */
  isCompleted?(orderId: string): Promise<boolean>;
}

export interface OrderOutcome {
  orderId: string;
  /** ms from the run's start. */
  intendedAt: number;
  acceptedAt?: number;
  completedAt?: number;
  error?: string;
  /** When the error reached the client (ms from the run's start). */
  failedAt?: number;
}

/** One load run: its summary and every order's outcome. */
export interface LoadResult extends LoadSummary {
  orders: OrderOutcome[];
}

/** A run as the report keeps it: everything but the per-order outcomes. */
export function withoutOrders(r: LoadResult): LoadSummary {
  const { orders: _orders, ...rest } = r;
  return rest;
}

export interface LoadOptions {
  rate: number;
  durationMs?: number;
  count?: number;
  arrivals?: Arrivals;
  seed?: number;
  makeOrder(index: number): Order;
  /** How long to wait after the last send for outstanding answers and completions. */
  drainTimeoutMs?: number;
  progressLabel?: string;
  /** The run's time zero (performance.now()), to align other samplers with it; defaults to now. */
  startAt?: number;
  /**
   * At most this many orders unanswered at once (a client with a fixed number of requests in
   * flight): a send waits for an answer, and its latency counts from when it was sent.
   */
  maxInFlight?: number;
  /**
   * A saturating closed loop: this many orders in the system at once, each freeing its place only
   * when it is complete (or failed), the next sent at once; sending stops at durationMs. The rate
   * is then only the ceiling of the send schedule. Throughput is what the system completes.
   */
  saturate?: { inFlight: number };
  /** Stops sending when aborted (a run whose end an event decides); what was not sent is not an order. */
  signal?: AbortSignal;
  /** Called at each intended send time's tick with the elapsed ms, e.g. to inject a fault. */
  onElapsed?(elapsedMs: number): void;
}

const now = () => performance.now();

/** Open-loop load: sends at the intended times whatever the system does; latency counts from the intended time. */
export async function runLoad(target: LoadTarget, o: LoadOptions): Promise<LoadResult> {
  const times = intendedSendTimes({ rate: o.rate, count: o.count, durationMs: o.durationMs, arrivals: o.arrivals, seed: o.seed });
  const outcomes: OrderOutcome[] = [];
  const byId = new Map<string, OrderOutcome>();
  const accept = new LatencyRecorder();
  const complete = new LatencyRecorder();
  const errors: Record<string, number> = {};
  const progress = new ProgressBar(o.progressLabel ?? target.name);
  let answered = 0;
  let inFlight = 0;
  let blockedTick: (() => void) | undefined;
  let completed = 0;
  let settledCount = 0;
  let onAllSettled: (() => void) | undefined;
  const start = o.startAt ?? now();
  const limit = o.saturate?.inFlight ?? o.maxInFlight;
  // Saturating: a place is freed by the order's completion (or failure), not by the publish's answer.
  const untilComplete = o.saturate !== undefined && !target.answerMeansComplete;
  const holding = new Set<OrderOutcome>();
  const free = (outcome: OrderOutcome) => {
    if (!holding.delete(outcome)) return;
    inFlight--;
    const resume = blockedTick;
    blockedTick = undefined;
    resume?.();
  };

  const settle = () => {
    settledCount++;
    if (settledCount === times.length) onAllSettled?.();
  };
  const markCompleted = (outcome: OrderOutcome, at: number) => {
    if (outcome.completedAt !== undefined || outcome.error) return;
    outcome.completedAt = at;
    complete.record(at - outcome.intendedAt);
    completed++;
    settle();
    free(outcome);
  };

  const stopWatching = await target.watch?.((orderId, ok) => {
    const outcome = byId.get(orderId);
    if (!outcome || outcome.completedAt !== undefined) return;
    if (ok) markCompleted(outcome, now() - start);
    else if (!outcome.error) {
      outcome.error = "NOT_COMPLETED";
      errors.NOT_COMPLETED = (errors.NOT_COMPLETED ?? 0) + 1;
      settle();
      free(outcome);
    }
  });

  const fire = (index: number) => {
    const order = o.makeOrder(index);
    const sentAt = limit ? Math.max(times[index]!, now() - start) : times[index]!;
    const outcome: OrderOutcome = { orderId: order.orderId, intendedAt: sentAt };
    inFlight++;
    holding.add(outcome);
    const answeredOne = () => {
      if (!untilComplete || outcome.error) free(outcome);
    };
    outcomes.push(outcome);
    byId.set(order.orderId, outcome);
    target.place(order).then(
      () => {
        const at = now() - start;
        outcome.acceptedAt = at;
        accept.record(at - outcome.intendedAt);
        answered++;
        if (target.answerMeansComplete) markCompleted(outcome, at);
        answeredOne();
      },
      (err: unknown) => {
        const code = errorCode(err);
        outcome.error = code;
        outcome.failedAt = now() - start;
        errors[code] = (errors[code] ?? 0) + 1;
        answered++;
        settle();
        answeredOne();
      },
    );
  };

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const elapsed = now() - start;
      o.onElapsed?.(elapsed);
      const room = () => limit === undefined || inFlight < limit;
      while (next < times.length && times[next]! <= elapsed && room()) fire(next++);
      progress.update(next, times.length, `answered ${answered} completed ${completed}`);
      // A saturating loop owes nothing past its duration, nor a stopped one after its stop: what was not sent is not an order.
      if ((o.saturate && o.durationMs !== undefined && elapsed >= o.durationMs) || o.signal?.aborted) {
        times.length = next;
        if (settledCount === times.length) onAllSettled?.();
      }
      if (next >= times.length) return resolve();
      // Full: the next answer sends the next order.
      if (!room()) return void (blockedTick = tick);
      const wait = times[next]! - (now() - start);
      if (wait > 1) setTimeout(tick, wait);
      else setImmediate(tick);
    };
    tick();
  });

  // Drain: wait for every order to be answered and, where it was accepted, to complete.
  const drainTimeoutMs = o.drainTimeoutMs ?? 30_000;
  if (settledCount < times.length) {
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        onAllSettled = undefined;
        resolve();
      };
      const timer = setTimeout(finish, drainTimeoutMs);
      const poll = setInterval(() => progress.update(times.length, times.length, `draining: completed ${completed}`), 200);
      onAllSettled = finish;
    });
  }
  await stopWatching?.();
  // A completion notice may have been missed (best-effort); the system's own record decides.
  if (target.isCompleted) {
    for (const outcome of outcomes) {
      if (outcome.error || outcome.completedAt !== undefined || outcome.acceptedAt === undefined) continue;
      // Completed, but without a latency sample: its notice never arrived.
      if (await target.isCompleted(outcome.orderId).catch(() => false)) completed++;
    }
  }
  progress.done();

  const durationMs = now() - start;
  const lastCompletion = Math.max(0, ...outcomes.map((x) => x.completedAt ?? 0));
  const throughputPerSec = lastCompletion > 0 ? (outcomes.filter((x) => x.completedAt !== undefined).length / lastCompletion) * 1000 : 0;
  return {
    target: target.name,
    rate: o.rate,
    sent: outcomes.length,
    accepted: outcomes.filter((x) => x.acceptedAt !== undefined).length,
    completed,
    errors,
    accept: accept.summary(),
    complete: complete.summary(),
    throughputPerSec: Math.round(throughputPerSec * 10) / 10,
    durationMs: Math.round(durationMs),
    timeline: timeline(outcomes, Math.max(lastCompletion, times.at(-1) ?? 0)),
    orders: outcomes,
  };
}

/** Per-interval counts of sends, answers, completions and errors. */
export function timeline(outcomes: readonly OrderOutcome[], spanMs: number, buckets = 40): TimelinePoint[] {
  const width = Math.max(100, Math.ceil(spanMs / buckets / 100) * 100);
  const n = Math.max(1, Math.ceil((spanMs + 1) / width));
  const points = Array.from({ length: n }, (_, i) => ({ t: i * width, sent: 0, accepted: 0, completed: 0, errors: 0 }));
  const at = (ms: number) => points[Math.min(n - 1, Math.floor(ms / width))]!;
  for (const x of outcomes) {
    at(x.intendedAt).sent++;
    if (x.acceptedAt !== undefined) at(x.acceptedAt).accepted++;
    if (x.completedAt !== undefined) at(x.completedAt).completed++;
    if (x.error) at(x.acceptedAt ?? x.intendedAt).errors++;
  }
  return points;
}

/** The longest a client waited for any answer, success or error (ms). */
export function longestCall(orders: readonly OrderOutcome[]): number {
  return Math.round(Math.max(0, ...orders.map((o) => (o.acceptedAt ?? o.failedAt ?? o.intendedAt) - o.intendedAt)));
}

/** What the client was told about each order, as the audit reads it. */
export function clientRecords(outcomes: readonly OrderOutcome[]): ClientRecord[] {
  return outcomes.map((o) => ({ orderId: o.orderId, accepted: o.acceptedAt !== undefined, error: o.error }));
}
