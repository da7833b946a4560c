import { describeError } from "../domain/errors.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

function parseLevel(value: string | undefined): LogLevel {
  return value === "debug" || value === "warn" || value === "error" ? value : "info";
}

function render(fields: Record<string, unknown>): string {
  let out = "";
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = typeof v === "string" ? v : typeof v === "bigint" ? v.toString() : v instanceof Error ? describeError(v) : JSON.stringify(v);
    out += ` ${k}=${/[\s"]/.test(s) ? JSON.stringify(s) : s}`;
  }
  return out;
}

/**
 * Line logs on stderr: "<time> <level> [name] message key=value". stderr keeps
 * stdout free for command output; a disabled level costs one comparison, so
 * per-order debug lines cost nothing in normal runs. An Error field is
 * written with its stack and every cause under it.
 */
export function createLogger(name: string, level: LogLevel = parseLevel(process.env.LOG_LEVEL)): Logger {
  const min = RANK[level];
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < min) return;
    process.stderr.write(`${new Date().toISOString()} ${lvl.padEnd(5)} [${name}] ${msg}${fields ? render(fields) : ""}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (sub) => createLogger(`${name}/${sub}`, level),
  };
}
