import { ConfigError } from "./config-error.js";

type Env = Record<string, string | undefined>;

export type OtlpProtocol = "http/protobuf" | "http/json";

/** Where and how a service exports its spans; undefined in the config means tracing is off. */
export interface TracingSettings {
  exporter: "otlp" | "console";
  protocol: OtlpProtocol;
  /** The full OTLP/HTTP traces URL (…/v1/traces). */
  url: string;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, parsed. */
  resourceAttributes: Record<string, string>;
  /** OTEL_TRACES_SAMPLER and its argument (a ratio for the traceidratio samplers). */
  sampler: { name: SamplerName; ratio: number };
  /** OTEL_BSP_*: the batch span processor's settings. */
  batch: { scheduledDelayMillis: number; exportTimeoutMillis: number; maxQueueSize: number; maxExportBatchSize: number };
}

const SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
export type SamplerName = (typeof SAMPLERS)[number];

function sampler(env: Env): TracingSettings["sampler"] {
  const name = (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || "parentbased_always_on") as SamplerName;
  if (!SAMPLERS.includes(name)) throw new ConfigError(`OTEL_TRACES_SAMPLER: ${JSON.stringify(name)} is not one of ${SAMPLERS.join(", ")}`);
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = arg ? Number(arg) : 1;
  if (name.endsWith("traceidratio") && !(ratio >= 0 && ratio <= 1))
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG: ${JSON.stringify(arg)} must be a ratio between 0 and 1`);
  return { name, ratio };
}

function positive(variable: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${variable}: ${JSON.stringify(value)} must be a positive integer`);
  return n;
}

const PROTOCOLS: readonly string[] = ["http/protobuf", "http/json"];

function checkedUrl(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new ConfigError(`${variable}: ${JSON.stringify(value)} is not a URL`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`${variable}: ${JSON.stringify(value)} must be an http:// or https:// URL`);
  return value;
}

/** `key1=value1,key2=value2`, values percent-encoded, as the OpenTelemetry specification defines it. */
function resourceAttributes(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    if (pair.trim() === "") continue;
    const at = pair.indexOf("=");
    if (at <= 0) throw new ConfigError(`OTEL_RESOURCE_ATTRIBUTES: ${JSON.stringify(pair)} is not key=value`);
    out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return out;
}

/**
 * Tracing from the standard OTEL_* variables. It is on when an OTLP endpoint is
 * set or OTEL_TRACES_EXPORTER names an exporter, and off otherwise (or with
 * OTEL_SDK_DISABLED=true / OTEL_TRACES_EXPORTER=none). The OTLP exporter
 * classes do not choose json or protobuf from the environment, so the protocol
 * is read here and the matching class is picked by tracing.ts.
 */
export function tracingSettings(env: Env, defaultServiceName: string): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || undefined;
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  if (exporter === "none") return undefined;
  if (exporter === undefined && tracesEndpoint === undefined && endpoint === undefined) return undefined;
  if (exporter !== undefined && exporter !== "otlp" && exporter !== "console")
    throw new ConfigError(`OTEL_TRACES_EXPORTER: ${JSON.stringify(exporter)} is not supported; use otlp, console or none`);

  const protocolVar = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = (env[protocolVar]?.trim() || "http/protobuf").toLowerCase();
  if (!PROTOCOLS.includes(protocol))
    throw new ConfigError(`${protocolVar}: ${JSON.stringify(protocol)} is not supported; use http/protobuf or http/json (the services export over OTLP/HTTP)`);

  // The signal-specific endpoint is used as given; the generic one gets the traces path appended.
  const url = tracesEndpoint
    ? checkedUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesEndpoint)
    : endpoint
      ? `${checkedUrl("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint).replace(/\/+$/, "")}/v1/traces`
      : "http://localhost:4318/v1/traces";
  const attributes = resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  return {
    exporter: exporter === "console" ? "console" : "otlp",
    protocol: protocol as OtlpProtocol,
    url,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || attributes["service.name"] || defaultServiceName,
    resourceAttributes: attributes,
    sampler: sampler(env),
    batch: {
      scheduledDelayMillis: positive("OTEL_BSP_SCHEDULE_DELAY", env.OTEL_BSP_SCHEDULE_DELAY, 5_000),
      exportTimeoutMillis: positive("OTEL_BSP_EXPORT_TIMEOUT", env.OTEL_BSP_EXPORT_TIMEOUT, 30_000),
      maxQueueSize: positive("OTEL_BSP_MAX_QUEUE_SIZE", env.OTEL_BSP_MAX_QUEUE_SIZE, 2_048),
      maxExportBatchSize: positive("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512),
    },
  };
}
