import type { WindowEvent } from "../timeline.js";
import type { ServiceControl } from "./stack.js";

/**
 * A part of a stack taken away at `atMs` (SIGTERM: an ordered stop; SIGKILL: a crash) and started
 * again `forMs` later, as a window of a timeline.
 */
export function outage(
  control: ServiceControl,
  name: string,
  signal: NodeJS.Signals,
  at: { atMs: number; forMs: number },
  labels: { down: string; up: string },
): WindowEvent {
  return {
    ...at,
    label: labels.down,
    endLabel: labels.up,
    apply: () => control.stop(name, signal),
    undo: () => control.start(name),
  };
}
