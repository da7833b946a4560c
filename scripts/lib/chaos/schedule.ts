import { SERVICE_NAMES, type Mode } from "../../../services/common/config.js";
import { seededRandom } from "../../lab/run/schedule.js";

/**
 * The kinds of fault a chaos run applies, each undone after its hold:
 * kill (SIGKILL, started again), pause (SIGSTOP, then SIGCONT), isolate (its host cut from every
 * other and from the client), cut-peers (a broker node cut from the other nodes only), and
 * part-kill (one broker node isolated while another is killed).
 */
export const CHAOS_OPS = ["kill", "pause", "isolate", "cut-peers", "part-kill"] as const;
export type ChaosOp = (typeof CHAOS_OPS)[number];

/** One fault of a schedule. `target` names a service ("billing"), a broker node ("n2"), "leader" (the ORDERS stream's leader when applied), or for part-kill "n1+n3" (isolated + killed). */
export interface ChaosFault {
  op: ChaosOp;
  target: string;
  plannedAtMs: number;
  holdMs: number;
}

export interface ChaosScheduleOptions {
  seed: number;
  mode: Mode;
  /** How long faults are drawn for (the load runs as long); the drain comes after. */
  durationMs: number;
  /** A fault-free start (default: an eighth of the duration, at least 5 s). */
  quietMs?: number;
  /** The mean gap between one fault's heal and the next fault (uniform from 0 to twice this). */
  meanGapMs?: number;
  /** How long a fault is held: uniform in [min, max]. */
  holdMs?: [number, number];
  /** The broker's nodes (NATS): n1 … nN. */
  brokerNodes?: number;
}

/** What each mode's faults can hit, and how. */
function menu(mode: Mode, nodes: number): Array<{ op: ChaosOp; targets: string[] }> {
  const services = [...SERVICE_NAMES];
  const serviceFaults: Array<{ op: ChaosOp; targets: string[] }> = [
    { op: "kill", targets: services },
    { op: "pause", targets: services },
    { op: "isolate", targets: services },
  ];
  if (mode === "grpc" || nodes < 3) return serviceFaults;
  const ns = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const pairs = ns.flatMap((a) => ns.filter((b) => b !== a).map((b) => `${a}+${b}`));
  return [
    ...serviceFaults,
    { op: "kill", targets: [...ns, "leader"] },
    { op: "pause", targets: [...ns, "leader"] },
    { op: "isolate", targets: [...ns, "leader"] },
    { op: "cut-peers", targets: [...ns, "leader"] },
    { op: "part-kill", targets: pairs },
  ];
}

/** The hosts or processes a fault touches: two faults at once never share one. */
export function touched(fault: Pick<ChaosFault, "op" | "target">): string[] {
  return fault.target.split("+");
}

/**
 * Draws a schedule from a seed, the same for the same options every time: a quiet start; then
 * a fault held for a few seconds, healed, and a random gap; rotating through the kinds of fault so
 * that every kind comes up, now and then two faults at once (never on the same target, and never
 * two on the broker's nodes, which would leave no majority for longer than a part-kill does), now
 * and then a fault-free period; nothing planned to end after `durationMs`.
 */
export function drawSchedule(o: ChaosScheduleOptions): ChaosFault[] {
  const random = seededRandom(o.seed ^ (o.mode === "grpc" ? 0x9e3779b9 : 0x85ebca6b));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const quietMs = o.quietMs ?? Math.max(3_000, Math.round(o.durationMs / 10));
  const meanGapMs = o.meanGapMs ?? 3_000;
  const [holdMin, holdMax] = o.holdMs ?? [4_000, 12_000];
  const kinds = menu(o.mode, o.brokerNodes ?? 3);
  // A shuffled order of the kinds, drawn again when used up: every kind comes up before any repeats.
  let deck: number[] = [];
  const nextKind = () => {
    if (deck.length === 0) {
      deck = kinds.map((_, i) => i);
      // Fisher-Yates, with the seeded generator.
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [deck[i], deck[j]] = [deck[j]!, deck[i]!];
      }
    }
    return kinds[deck.pop()!]!;
  };
  const onBroker = (f: Pick<ChaosFault, "target">) => /^(n\d|leader)/.test(f.target);
  const schedule: ChaosFault[] = [];
  let t = quietMs;
  for (;;) {
    const holdMs = Math.round(holdMin + random() * (holdMax - holdMin));
    if (t + holdMs > o.durationMs) break;
    // One period in six is left without a fault.
    if (random() < 1 / 6) {
      t += holdMs;
    } else {
      const kind = nextKind();
      const first: ChaosFault = { op: kind.op, target: pick(kind.targets), plannedAtMs: t, holdMs };
      schedule.push(first);
      // One fault in four comes with a second at the same moment.
      if (random() < 0.25) {
        const other = nextKind();
        const second: ChaosFault = { op: other.op, target: pick(other.targets), plannedAtMs: t, holdMs: Math.round(holdMin + random() * (holdMax - holdMin)) };
        const clash = touched(second).some((x) => touched(first).includes(x)) || (onBroker(first) && onBroker(second));
        if (!clash && t + second.holdMs <= o.durationMs) schedule.push(second);
      }
      t += Math.max(...schedule.filter((f) => f.plannedAtMs === t).map((f) => f.holdMs));
    }
    t += Math.round(random() * 2 * meanGapMs);
  }
  return schedule;
}
