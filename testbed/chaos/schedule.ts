import { SERVICE_NAMES, type Mode } from "../../services/common/config.js";
import { seededRandom } from "../load/schedule.js";

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
  /** The mean gap between one fault's heal and the next fault, uniform from 0 to twice this (default: 3 s, or a twentieth of a shorter run). */
  meanGapMs?: number;
  /** How long a fault is held: uniform in [min, max] (default: 4 to 12 s, the longest at most an eighth of the run, at least 4 s). */
  holdMs?: [number, number];
  /** The broker's nodes (NATS): n1 … nN. */
  brokerNodes?: number;
}

/** The periods at the start of a run that always carry a fault. */
const GUARANTEED = 4;

/** What each kind of fault can hit in a mode. */
function menu(mode: Mode, nodes: number): Array<{ op: ChaosOp; targets: string[] }> {
  const services = [...SERVICE_NAMES];
  if (mode === "grpc" || nodes < 3) return (["kill", "pause", "isolate"] as const).map((op) => ({ op, targets: services }));
  const ns = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const pairs = ns.flatMap((a) => ns.filter((b) => b !== a).map((b) => `${a}+${b}`));
  return [
    ...(["kill", "pause", "isolate"] as const).map((op) => ({ op, targets: [...services, ...ns, "leader"] })),
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
  const meanGapMs = o.meanGapMs ?? Math.min(3_000, Math.round(o.durationMs / 20));
  const longest = Math.min(12_000, Math.max(4_000, Math.round(o.durationMs / 8)));
  const [holdMin, holdMax] = o.holdMs ?? [Math.min(4_000, longest), longest];
  const kinds = menu(o.mode, o.brokerNodes ?? 3);
  const onBroker = (f: Pick<ChaosFault, "target">) => /^(n\d|leader)/.test(f.target);
  // A shuffled deck of the kinds, dealt again when used up: every kind comes up before any repeats.
  let deck: number[] = [];
  const deal = () => {
    if (deck.length === 0) {
      deck = kinds.map((_, i) => i);
      // Fisher-Yates, with the seeded generator.
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [deck[i], deck[j]] = [deck[j]!, deck[i]!];
      }
    }
    return deck.pop()!;
  };
  const hold = () => Math.round(holdMin + random() * (holdMax - holdMin));
  const schedule: ChaosFault[] = [];
  let periods = 0;
  let t = quietMs;
  for (;;) {
    const holdMs = hold();
    if (t + holdMs > o.durationMs) break;
    // One period in six is left without a fault, but never one of the first few: a run of 36 s or
    // more has at least four faults of three kinds, and in NATS one on the broker's nodes among them.
    if (periods >= GUARANTEED && random() < 1 / 6) {
      t += holdMs;
    } else {
      periods++;
      const k = kinds[deal()]!;
      // The last guaranteed period hits the broker when nothing before it did.
      const toBroker = periods === GUARANTEED && !schedule.some(onBroker) && k.targets.some((x) => onBroker({ target: x }));
      const targets = toBroker ? k.targets.filter((x) => onBroker({ target: x })) : k.targets;
      const first: ChaosFault = { op: k.op, target: pick(targets), plannedAtMs: t, holdMs };
      schedule.push(first);
      // One fault in four comes with a second at the same moment.
      if (random() < 0.25) {
        const card = deal();
        const other = kinds[card]!;
        const second: ChaosFault = { op: other.op, target: pick(other.targets), plannedAtMs: t, holdMs: hold() };
        const clash = touched(second).some((x) => touched(first).includes(x)) || (onBroker(first) && onBroker(second));
        if (!clash && t + second.holdMs <= o.durationMs) schedule.push(second);
        // A card not played goes back on the deck.
        else deck.push(card);
      }
      t += Math.max(...schedule.filter((f) => f.plannedAtMs === t).map((f) => f.holdMs));
    }
    t += Math.round(random() * 2 * meanGapMs);
  }
  return schedule;
}
