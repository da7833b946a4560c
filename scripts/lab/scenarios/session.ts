import { join } from "node:path";
import { audit, type AuditLine } from "../../../services/audit/audit.js";
import { Ledger } from "../../../services/audit/ledger.js";
import type { Mode } from "../../../services/common/config.js";
import { labOrder, labOrderById } from "../lab-order.js";
import { LabStack } from "../lab-stack.js";
import { clientRecords, runLoad, type LoadOptions, type LoadResult, type OrderOutcome } from "../load-generator.js";
import type { LabContext } from "../scenario-types.js";
import { grpcTarget, natsTarget, type ClosableTarget } from "../targets.js";

const LAB_ENV = { NATS_ACK_WAIT_MS: "5000", SHUTDOWN_GRACE_MS: "3000" };

export interface Session {
  stack: LabStack;
  target: ClosableTarget;
  runId: string;
  load(options: Omit<LoadOptions, "makeOrder" | "seed">): Promise<LoadResult>;
  audit(outcomes: readonly OrderOutcome[]): AuditLine;
  /** Sends each failed order again with the same id; returns how many the system then completed. */
  resend(outcomes: readonly OrderOutcome[]): Promise<number>;
  close(): Promise<void>;
}

/** Starts a mode's stack and client for a scenario; close() stops both. */
export async function openSession(ctx: LabContext, scenario: string, mode: Mode, env: Record<string, string>, deadlineMs?: number): Promise<Session> {
  const dataDir = join(ctx.outDir, "data", `${scenario}-${mode}`);
  const stack = await LabStack.start({ mode, dataDir, env: { ...LAB_ENV, ...env }, logFile: join(ctx.outDir, "logs", `${scenario}-${mode}.log`) });
  let target: ClosableTarget;
  try {
    target = mode === "grpc" ? grpcTarget(stack.orderAddress, deadlineMs) : await natsTarget(stack.nats!.url);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const runId = `${scenario}-${mode}-${Date.now().toString(36)}`;
  let next = 0;
  return {
    stack,
    target,
    runId,
    // Indices continue across loads, so every order of a session has its own id.
    load: (options) => {
      const first = next;
      const makeOrder = (i: number) => {
        next = Math.max(next, first + i + 1);
        return labOrder(runId, first + i);
      };
      return runLoad(target, { ...options, makeOrder, seed: ctx.settings.seed, progressLabel: options.progressLabel ?? `${scenario} ${mode}` });
    },
    audit(outcomes) {
      const ledger = new Ledger(dataDir);
      try {
        return audit(clientRecords(outcomes), ledger.snapshot(), target.answerMeansComplete);
      } finally {
        ledger.close();
      }
    },
    async resend(outcomes) {
      let completed = 0;
      for (const o of outcomes.filter((x) => x.error)) {
        try {
          await target.place(labOrderById(runId, o.orderId));
          completed++;
        } catch {
          // Still failing: counted as not completed.
        }
      }
      return completed;
    },
    async close() {
      await target.close();
      await stack.stop();
    },
  };
}

export async function withSession<T>(
  ctx: LabContext,
  scenario: string,
  mode: Mode,
  env: Record<string, string>,
  fn: (s: Session) => Promise<T>,
  deadlineMs?: number,
): Promise<T> {
  const session = await openSession(ctx, scenario, mode, env, deadlineMs);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
