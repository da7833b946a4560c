import type { Logger } from "../../services/common/logger.js";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps its lines, for tests that check what a service logged. */
export function memoryLogger(lines: LogLine[] = [], fields: Record<string, unknown> = {}): Logger & { lines: LogLine[] } {
  const at =
    (level: string) =>
    (msg: string, extra?: Record<string, unknown>): void =>
      void lines.push({ ...fields, ...extra, level, msg });
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (component) => memoryLogger(lines, { ...fields, component }),
    with: (more) => memoryLogger(lines, { ...fields, ...more }),
  };
}
