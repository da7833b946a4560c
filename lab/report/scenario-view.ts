import type { Finding, LabReport, Mode, ModeRun, ResultsSummary, ScenarioResult } from "../results.js";
import type { ReportTable } from "./tables.js";

/**
 * Everything the report needs from one scenario: its words, its verdicts, its
 * figures' labels, its tables and charts, and what it adds to the summary and
 * the findings. A scenario module implements this next to its run (see
 * scenarios/scenario.ts); the renderers loop over these and load no runtime.
 */
export interface ScenarioView {
  readonly id: string;
  readonly title: string;
  /** The lesson's claim the scenario puts to the test. */
  readonly claim: string;
  /** Plain words for the scenario's own figures (ModeRun.figures); a figure without a label is not shown. */
  readonly figureLabels: Readonly<Record<string, string>>;
  /** Sentences built only from figures measured in this run. */
  explain(result: ScenarioResult, report: LabReport): string[];
  /** What one mode did, in a few words, for the table that opens the report; `run` is undefined when the mode did not run. */
  verdict(run: ModeRun | undefined, result: ScenarioResult, report: LabReport): string;
  /** The console summary's key figure for one system's run. */
  keyFigure(run: ModeRun): string;
  /** The HTML report's charts, as SVG. */
  charts(result: ScenarioResult, report: LabReport): string[];
  /** Tables beyond the common ones (figures, audit, waterfalls). */
  tables(result: ScenarioResult, report: LabReport): ReportTable[];
  /** Headline figures into results.json's summary. */
  summarize(result: ScenarioResult, summary: ResultsSummary): void;
  /** The quantitative claims this scenario measured, with their intervals. */
  findings(result: ScenarioResult): Finding[];
}

/** Which view made a result. */
export function viewOf(views: readonly ScenarioView[], result: ScenarioResult): ScenarioView {
  const view = views.find((v) => v.id === result.id);
  if (!view) throw new Error(`no scenario module for results of ${JSON.stringify(result.id)}`);
  return view;
}

/** The table that opens the report: each scenario, what each mode did. */
export function verdictRows(report: LabReport, views: readonly ScenarioView[]): string[][] {
  return report.scenarios.map((s) => {
    const view = viewOf(views, s);
    const cell = (mode: Mode) =>
      view.verdict(
        s.runs.find((r) => r.mode === mode),
        s,
        report,
      );
    return [s.title, cell("grpc"), cell("nats")];
  });
}

/** A scenario's explanation, ending with the lesson's claim it tests. */
export function explanation(view: ScenarioView, result: ScenarioResult, report: LabReport): string {
  return [...view.explain(result, report), `The lesson's claim: ${view.claim}`].join(" ");
}
