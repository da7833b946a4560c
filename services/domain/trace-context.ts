/**
 * The trace a request belongs to, as the tracing layer keeps it (the shape of an
 * OpenTelemetry Context). The business logic never reads it: it only hands it on
 * to the calls a request causes, so it needs no tracing library to do so.
 */
export interface TraceContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): TraceContext;
  deleteValue(key: symbol): TraceContext;
}
