// The lab's check of its own intervals: a system compared with itself should show no difference.
import type { Finding } from "./results.js";
import { decided } from "./stats.js";

/** The A/A findings' ids: calibration.aa.<system>. */
export const AA_FINDING_PREFIX = "calibration.aa.";

const isCalibration = (f: Finding) => f.id.startsWith(AA_FINDING_PREFIX);

/**
 * The findings as the report states them. When an A/A check found a difference between two arms
 * that are the same system, the run's noise was larger than its intervals admit, so every other
 * verdict is withheld: its figures stay, its words say why they do not decide anything.
 */
export function withCalibration(findings: readonly Finding[]): Finding[] {
  const failed = findings.filter((f) => isCalibration(f) && decided(f));
  if (failed.length === 0) return [...findings];
  const why = `withheld: the A/A check (${failed.map((f) => f.id).join(", ")}) found a difference between identical arms, so this run's intervals are too narrow`;
  return findings.map((f) => (isCalibration(f) ? f : { ...f, withheld: why, text: `${why}; as measured: ${f.text}` }));
}
