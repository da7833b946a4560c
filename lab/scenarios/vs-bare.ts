import { MODES, type Mode } from "../../services/common/config.js";
import { MODE_NAME, rawRunOf, runOf, type Finding, type ModeRun, type ScenarioResult } from "../results.js";
import { pairedFinding } from "../stats.js";

/** What a mode is compared with its bare chain on: the figure's name, its verb in a verdict, and its value per round. */
export interface VsBareMeasure {
  label: string;
  /** "costs" reads "gRPC costs more than its bare chain". */
  verb: string;
  perRound(run: ModeRun): number[];
}

/**
 * Each mode against its bare chain, paired by round (both measured in every round, one after the
 * other): one ratio finding per mode that has both runs, under that mode's id.
 */
export function vsBareFindings(s: ScenarioResult, ids: Readonly<Record<Mode, string>>, measure: VsBareMeasure): Finding[] {
  const out: Finding[] = [];
  for (const m of MODES) {
    const run = runOf(s, m);
    const bare = rawRunOf(s, m);
    if (!run || !bare) continue;
    out.push(
      pairedFinding(
        {
          id: ids[m],
          label: `${measure.label}, ${MODE_NAME[m]} ÷ its bare chain`,
          kind: "ratio",
          unit: "×",
          words: { higher: `${MODE_NAME[m]} ${measure.verb} more than its bare chain`, lower: `${MODE_NAME[m]} ${measure.verb} less than its bare chain` },
        },
        measure.perRound(run),
        measure.perRound(bare),
      ),
    );
  }
  return out;
}
