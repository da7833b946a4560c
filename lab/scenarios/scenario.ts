import type { Profile } from "../settings.js";
import type { ScenarioResult } from "../results.js";
import type { ScenarioView } from "../report/scenario-view.js";
import type { LabContext } from "../context.js";

/**
 * One lab scenario, whole: how it runs, and everything the report says of it.
 * A new scenario is one module exporting one of these, plus a line in registry.ts.
 */
export interface Scenario extends ScenarioView {
  /** Run only when --scenarios names it. */
  readonly onlyByName?: boolean;
  /** It may take rounds past its comparisons' cap from the run's round budget (the priced features). */
  readonly takesRoundBudget?: boolean;
  /** The scenario's own knobs per profile; results.json keeps the run's under the scenario's `settings`. */
  readonly knobs?: Readonly<Record<Profile, object>>;
  /** Runs the scenario in the context's modes; `earlier` holds the results of the scenarios run before it. */
  run(ctx: LabContext, earlier: readonly ScenarioResult[]): Promise<ScenarioResult>;
}

/** Parts many scenarios leave empty. */
export const NOTHING = {
  charts: (): string[] => [],
  tables: () => [],
  summarize: (): void => undefined,
  findings: () => [],
} satisfies Partial<Scenario>;

/** The labels of the figures every fault scenario reports from its re-sends and its audit. */
export const OUTCOME_LABELS = {
  resentCompleted: "re-sent with the same id and completed",
  completed: "completed",
  lost: "lost",
  duplicated: "duplicate invoices and e-mails",
} as const;

/** A scenario's result, named by the scenario itself. */
export function resultOf(scenario: Pick<Scenario, "id" | "title">, runs: ScenarioResult["runs"], raw?: ScenarioResult["raw"]): ScenarioResult {
  return raw ? { id: scenario.id, title: scenario.title, runs, raw } : { id: scenario.id, title: scenario.title, runs };
}
