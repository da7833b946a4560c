import {
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from "@opentelemetry/api";
import { hrTime, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import type { TraceContext } from "../domain/trace-context.js";
import type { Logger } from "./logger.js";
import type { TracingSettings } from "./tracing-config.js";

export { SpanKind };
/** The trace a request belongs to, passed explicitly from a handler to the calls it causes (an OpenTelemetry Context). */
export type { TraceContext };
export type SpanAttributes = Attributes;

/** Reads and writes the headers of one message or call (gRPC metadata, NATS headers). */
export interface Carrier {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** The attribute every span of the workflow carries. */
export const ORDER_ID_ATTRIBUTE = "shop.order_id";

/** One span, or nothing when tracing is off. */
export interface TraceSpan {
  /** The context whose current span is this one: the parent of the work this span causes. */
  readonly context: TraceContext | undefined;
  /** trace_id and span_id for a log line about this work; empty when not tracing. */
  readonly logFields: Record<string, string>;
  set(attributes: SpanAttributes): void;
  event(name: string, attributes?: SpanAttributes): void;
  /** Marks the span failed, with the reason a person reads and the error, if any. */
  fail(reason: string, err?: unknown): void;
  end(): void;
}

export interface Tracing {
  readonly enabled: boolean;
  start(name: string, kind: SpanKind, parent: TraceContext | undefined, attributes: SpanAttributes): TraceSpan;
  /** Writes traceparent/tracestate for the context into outgoing headers. */
  inject(context: TraceContext | undefined, carrier: Pick<Carrier, "set">): void;
  /** The caller's trace from incoming headers; undefined when it sent none (or tracing is off). */
  extract(carrier: Pick<Carrier, "get">): TraceContext | undefined;
  /** Exports the spans still buffered and stops; part of ordered shutdown. */
  shutdown(): Promise<void>;
}

const W3C = new W3CTraceContextPropagator();
const SETTER: TextMapSetter<Pick<Carrier, "set">> = { set: (c, k, v) => c.set(k, v) };
const GETTER: TextMapGetter<Pick<Carrier, "get">> = { get: (c, k) => c.get(k), keys: () => ["traceparent", "tracestate"] };

function inject(context: TraceContext | undefined, carrier: Pick<Carrier, "set">): void {
  if (context) W3C.inject(context, carrier, SETTER);
}

function extract(carrier: Pick<Carrier, "get">): TraceContext | undefined {
  const context = W3C.extract(ROOT_CONTEXT, carrier, GETTER);
  return trace.getSpanContext(context) ? context : undefined;
}

/**
 * A trace given by a caller as a W3C traceparent string (and tracestate), e.g.
 * by a client that has no tracer of its own; undefined when it is not valid.
 */
export function traceFromTraceparent(traceparent: string | undefined, tracestate?: string): TraceContext | undefined {
  if (!traceparent) return undefined;
  return extract({ get: (key) => (key === "traceparent" ? traceparent : key === "tracestate" ? tracestate : undefined) });
}

const NO_FIELDS: Record<string, string> = {};
const nothing = () => undefined;
/** The span of tracing off, shared: nothing is allocated per call. */
const NO_SPAN: TraceSpan = Object.freeze({ context: undefined, logFields: NO_FIELDS, set: nothing, event: nothing, fail: nothing, end: nothing });

/**
 * Tracing off: no spans and no work per message, but a trace a caller handed
 * in explicitly still travels on (start() returns the parent as the context).
 */
export const NO_TRACING: Tracing = {
  enabled: false,
  start: (_name, _kind, parent) => (parent === undefined ? NO_SPAN : { ...NO_SPAN, context: parent }),
  inject,
  extract: () => undefined,
  shutdown: () => Promise.resolve(),
};

class SdkSpan implements TraceSpan {
  readonly context: TraceContext;
  constructor(
    private readonly span: Span,
    parent: TraceContext | undefined,
  ) {
    this.context = trace.setSpan(parent ?? ROOT_CONTEXT, span);
  }
  get logFields(): Record<string, string> {
    const { traceId, spanId } = this.span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  }
  set(attributes: SpanAttributes): void {
    this.span.setAttributes(attributes);
  }
  event(name: string, attributes?: SpanAttributes): void {
    this.span.addEvent(name, attributes, hrTime());
  }
  fail(reason: string, err?: unknown): void {
    if (err instanceof Error) this.span.recordException(err, hrTime());
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  }
  end(): void {
    this.span.end(hrTime());
  }
}

function exporterFor(settings: TracingSettings): SpanExporter {
  if (settings.exporter === "console") return new ConsoleSpanExporter();
  return settings.protocol === "http/json" ? new OtlpJsonExporter({ url: settings.url }) : new OtlpProtoExporter({ url: settings.url });
}

/** The sampler OTEL_TRACES_SAMPLER names; the parent-based ones follow a caller's decision. */
function samplerFor({ name, ratio }: TracingSettings["sampler"]): Sampler {
  const root = name.endsWith("always_off")
    ? new AlwaysOffSampler()
    : name.endsWith("traceidratio")
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith("parentbased_") ? new ParentBasedSampler({ root }) : root;
}

/** How long shutdown waits for the last spans to leave before giving up on them. */
const FLUSH_TIMEOUT_MS = 5_000;

/**
 * The OpenTelemetry SDK for one service: a tracer provider of its own (several
 * services can share a process in tests), batched export over OTLP/HTTP, W3C
 * trace context. Spans are started from an explicit parent rather than from
 * a context manager, so that nothing runs per promise.
 */
export function startTracing(settings: TracingSettings | undefined, log: Logger): Tracing {
  if (!settings) return NO_TRACING;
  diag.setLogger(
    {
      error: (msg) => log.warn(`tracing: ${msg}`),
      warn: (msg) => log.warn(`tracing: ${msg}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    // Services sharing a process (tests) each set it; the last one's logger is as good as any.
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...settings.resourceAttributes, "service.name": settings.serviceName }),
    sampler: samplerFor(settings.sampler),
    spanProcessors: [new BatchSpanProcessor({ exporter: exporterFor(settings), ...settings.batch })],
  });
  const tracer: Tracer = provider.getTracer("grpc-vs-nats");
  log.info("tracing", { exporter: settings.exporter, protocol: settings.protocol, url: settings.url, service_name: settings.serviceName });
  return {
    enabled: true,
    // Times from the process's monotonic clock anchored at its start (timeOrigin), not Date.now():
    // the SDK's default puts every span that a process starts for a remote parent on a whole
    // millisecond, too coarse to line up one order's spans across services.
    start: (name, kind, parent, attributes) => new SdkSpan(tracer.startSpan(name, { kind, attributes, startTime: hrTime() }, parent ?? ROOT_CONTEXT), parent),
    inject,
    extract,
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), FLUSH_TIMEOUT_MS)));
      const result = await Promise.race([provider.shutdown().then(() => "flushed" as const), gaveUp]).finally(() => clearTimeout(timer));
      if (result === "timeout")
        log.warn("tracing: spans not exported within the shutdown timeout were dropped", { timeoutMs: FLUSH_TIMEOUT_MS, url: settings.url });
    },
  };
}
