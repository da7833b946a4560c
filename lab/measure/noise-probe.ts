import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NoiseRecord, NoiseSample } from "../results.js";
import { medianAndSpread } from "../stats.js";

/**
 * What the machine was like at one measured round: the wall time of a fixed CPU-bound
 * loop (it grows when other work takes the cores), and the median cost of creating,
 * writing and closing one small file (dearer for a while after a mass delete).
 */
export type NoiseProbe = NoiseSample;

// The loop's result is kept, so that the engine cannot drop the loop as dead code.
let _sink = 0;

function cpuLoop(): number {
  const start = performance.now();
  let x = 1;
  for (let i = 0; i < 3_000_000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
  _sink ^= x;
  return performance.now() - start;
}

let created = 0;

/**
 * Probes the machine before a round. The files it makes are kept until the
 * run's data is removed: deleting them here would make the next files dearer.
 */
export function probeNoise(dir: string, label: string): NoiseProbe {
  mkdirSync(dir, { recursive: true });
  const costs: number[] = [];
  for (let i = 0; i < 16; i++) {
    const start = performance.now();
    writeFileSync(join(dir, `probe-${created++}`), "x".repeat(512));
    costs.push((performance.now() - start) * 1000);
  }
  return { label, cpuLoopMs: Math.round(cpuLoop() * 100) / 100, fileCreateUs: Math.round(medianAndSpread(costs).median) };
}

/** The run's probes, those taken in a noisy moment flagged: the loop a quarter slower, or file creation twice as dear, as the run's median. */
export function noiseRecord(probes: readonly NoiseProbe[]): NoiseRecord {
  const loop = medianAndSpread(probes.map((p) => p.cpuLoopMs));
  const file = medianAndSpread(probes.map((p) => p.fileCreateUs));
  return {
    probes: probes.map((p) => ({ ...p, noisy: p.cpuLoopMs > loop.median * 1.25 || p.fileCreateUs > file.median * 2 })),
    cpuLoopMedianMs: loop.median,
    cpuLoopMinMs: loop.min,
    cpuLoopMaxMs: loop.max,
    fileCreateMedianUs: file.median,
    fileCreateMinUs: file.min,
    fileCreateMaxUs: file.max,
  };
}
