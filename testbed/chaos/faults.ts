import { STREAMS } from "../../services/nats/topology.js";
import type { LabNet } from "../net/lab-net.js";
import { withBroker, type AnyProcessStack } from "../stack/start-stack.js";
import type { WindowEvent } from "../timeline.js";
import type { ChaosFault } from "./schedule.js";

/** A fault as it was applied: the node "leader" stood for, and when (ms on the load's clock). */
export interface AppliedFault extends ChaosFault {
  appliedTarget?: string;
  appliedAtMs?: number;
  healedAtMs?: number;
  /**
   * Why its heal did not finish (a node restarted while its peers were away cannot reach JetStream
   * in time); the run goes on, and what the heal should have started is restarted after the load.
   */
  healFailed?: string;
}

/** What a fault's heal starts again: the process it killed (kill, part-kill); none for the others. */
export function restartedByHeal(f: AppliedFault): string | undefined {
  const [first, second] = (f.appliedTarget ?? f.target).split("+");
  return f.op === "kill" ? first : f.op === "part-kill" ? second : undefined;
}

/** The lab host a service or node runs on: a service's is named after its stack ("nats-billing"), a node's is its name. */
function hostOf(stack: AnyProcessStack, target: string): string {
  return /^n\d+$/.test(target) ? target : `${stack.placement.prefix}-${target}`;
}

/** The node that leads the ORDERS stream now (n1 when none can say). */
async function ordersLeader(stack: AnyProcessStack): Promise<string> {
  if (!withBroker(stack)) throw new Error(`the ${stack.mode} stack has no broker: "leader" names nothing`);
  try {
    const jsm = await (await stack.natsConnection()).jetstreamManager({ timeout: 2_000 });
    return (await jsm.streams.info(STREAMS.orders)).cluster?.leader ?? "n1";
  } catch {
    return "n1";
  }
}

/**
 * A fault of a schedule as a window of the timeline: applied to the stack's processes (service
 * control) and hosts (the lab network), and undone after its hold; `applied` records what it hit.
 */
export function faultWindow(
  stack: AnyProcessStack,
  net: LabNet,
  fault: ChaosFault,
  index: number,
  applied: AppliedFault,
  busy: Map<string, Promise<void>>,
): WindowEvent {
  const c = stack.control;
  let target = fault.target;
  let undo: () => Promise<void> = () => Promise.resolve();
  const label = `${fault.op} ${fault.target} #${index + 1}`;
  return {
    atMs: fault.plannedAtMs,
    forMs: fault.holdMs,
    label,
    endLabel: `healed ${fault.op} ${fault.target} #${index + 1}`,
    async apply() {
      if (target === "leader") target = await ordersLeader(stack);
      // A target is hit again only once it has recovered from the fault before: a node still
      // starting when the next fault killed it failed its start (seen in a 30-minute run).
      await Promise.all(target.split("+").map((t) => busy.get(t) ?? Promise.resolve()));
      applied.appliedTarget = target;
      const [first, second] = target.split("+") as [string, string | undefined];
      switch (fault.op) {
        case "kill":
          await c.stop(first, "SIGKILL");
          undo = () => c.start(first);
          break;
        case "pause":
          await c.pause(first);
          undo = () => c.resume(first);
          break;
        case "isolate":
          net.isolate(hostOf(stack, first));
          undo = () => Promise.resolve(net.rejoin(hostOf(stack, first)));
          break;
        case "cut-peers": {
          const peers = [...stack.brokerNodes().keys()].filter((n) => n !== first);
          net.cut(first, peers);
          undo = () => Promise.resolve(net.rejoin(first));
          break;
        }
        case "part-kill":
          net.isolate(hostOf(stack, first));
          await c.stop(second!, "SIGKILL");
          undo = async () => {
            net.rejoin(hostOf(stack, first));
            await c.start(second!);
          };
          break;
      }
    },
    undo: () => {
      // A heal that fails is recorded, not thrown: the schedule goes on, and runChaos restarts the
      // process after the load (a run stopped at the first slow restart audits nothing).
      const done = undo().catch((err: unknown) => {
        applied.healFailed = (err as Error).message;
      });
      for (const t of target.split("+")) busy.set(t, done);
      return done;
    },
  };
}
