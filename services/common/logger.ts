import { pino, stdSerializers, type Logger as Pino } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
  /** The same logger with these fields on every line (e.g. the order a request concerns). */
  with(fields: Record<string, unknown>): Logger;
}

function parseLevel(value: string | undefined): LogLevel {
  return value === "debug" || value === "warn" || value === "error" ? value : "info";
}

function wrap(p: Pino): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (sub) => wrap(p.child({ component: sub })),
    with: (fields) => wrap(p.child(fields)),
  };
}

/**
 * Structured logs: one JSON object per line on stderr (stdout stays free for
 * command output), through pino. Every line has `name` (e.g. "grpc:order"),
 * a child logger adds `component` (e.g. the consumer), and an `err` field is
 * written with its type, message, stack and the chain of
 * causes. A disabled level costs one comparison, so per-order debug lines cost
 * nothing in normal runs. The start scripts print the lines readably when they
 * write to a terminal.
 */
export function createLogger(name: string, level: LogLevel = parseLevel(process.env.LOG_LEVEL)): Logger {
  return wrap(
    pino(
      {
        name,
        level,
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        serializers: { err: stdSerializers.errWithCause },
        formatters: { level: (label) => ({ level: label }) },
      },
      pino.destination({ fd: 2, sync: true }),
    ),
  );
}
