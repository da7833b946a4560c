import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/** One span as an OTLP receiver got it, whatever the encoding. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Epoch milliseconds, fractional. */
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  events: { name: string; timeMs: number; attributes: Record<string, string | number | boolean> }[];
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

type Value = string | number | boolean;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nanosToMs = (n: bigint | string | number) => Number(BigInt(n) / 1000n) / 1000;

/** Reads the fields of one length-delimited message, calling `on` for each; unknown fields are skipped. */
function fields(bytes: Uint8Array, on: (field: number, r: BinaryReader, wire: WireType) => boolean): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (!on(field, r, wire)) r.skip(wire, field);
  }
}

function anyValue(bytes: Uint8Array): Value {
  let v: Value = "";
  fields(bytes, (f, r) => {
    if (f === 1) v = r.string();
    else if (f === 2) v = r.bool();
    else if (f === 3) v = Number(r.int64());
    else if (f === 4) v = r.double();
    else return false;
    return true;
  });
  return v;
}

function keyValue(bytes: Uint8Array, into: Record<string, Value>): void {
  let key = "";
  let value: Value = "";
  fields(bytes, (f, r) => {
    if (f === 1) key = r.string();
    else if (f === 2) value = anyValue(r.bytes());
    else return false;
    return true;
  });
  into[key] = value;
}

function span(bytes: Uint8Array, service: string): ReceivedSpan {
  const s: ReceivedSpan = {
    service,
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    startMs: 0,
    endMs: 0,
    attributes: {},
    events: [],
    status: { code: 0, message: "" },
  };
  fields(bytes, (f, r) => {
    switch (f) {
      case 1:
        s.traceId = hex(r.bytes());
        return true;
      case 2:
        s.spanId = hex(r.bytes());
        return true;
      case 4:
        s.parentSpanId = hex(r.bytes());
        return true;
      case 5:
        s.name = r.string();
        return true;
      case 6:
        s.kind = r.int32();
        return true;
      case 7:
        s.startMs = nanosToMs(r.fixed64());
        return true;
      case 8:
        s.endMs = nanosToMs(r.fixed64());
        return true;
      case 9:
        keyValue(r.bytes(), s.attributes);
        return true;
      case 11: {
        const e = { name: "", timeMs: 0, attributes: {} as Record<string, Value> };
        fields(r.bytes(), (ef, er) => {
          if (ef === 1) e.timeMs = nanosToMs(er.fixed64());
          else if (ef === 2) e.name = er.string();
          else if (ef === 3) keyValue(er.bytes(), e.attributes);
          else return false;
          return true;
        });
        s.events.push(e);
        return true;
      }
      case 15:
        fields(r.bytes(), (sf, sr) => {
          if (sf === 2) s.status.message = sr.string();
          else if (sf === 3) s.status.code = sr.int32();
          else return false;
          return true;
        });
        return true;
      default:
        return false;
    }
  });
  return s;
}

/** The spans of an ExportTraceServiceRequest in its protobuf encoding (OTLP/HTTP http/protobuf). */
export function decodeProtobufTraces(body: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  fields(body, (f, r) => {
    if (f !== 1) return false;
    let service = "";
    const scopeSpans: Uint8Array[] = [];
    fields(r.bytes(), (rf, rr) => {
      if (rf === 1) {
        const attributes: Record<string, Value> = {};
        fields(rr.bytes(), (af, ar) => (af === 1 ? (keyValue(ar.bytes(), attributes), true) : false));
        service = String(attributes["service.name"] ?? "");
      } else if (rf === 2) scopeSpans.push(rr.bytes());
      else return false;
      return true;
    });
    for (const ss of scopeSpans) fields(ss, (sf, sr) => (sf === 2 ? (out.push(span(sr.bytes(), service)), true) : false));
    return true;
  });
  return out;
}

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: JsonKeyValue[];
  events?: { name: string; timeUnixNano: string | number; attributes?: JsonKeyValue[] }[];
  status?: { code?: number; message?: string };
}
interface JsonRequest {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const { key, value } of list ?? []) {
    if (!value) continue;
    out[key] = value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? ""));
  }
  return out;
}

/** The spans of an ExportTraceServiceRequest in its JSON encoding (OTLP/HTTP http/json, ids in hex). */
export function decodeJsonTraces(text: string): ReceivedSpan[] {
  const request = JSON.parse(text) as JsonRequest;
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = String(jsonAttributes(rs.resource?.attributes)["service.name"] ?? "");
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        out.push({
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? "",
          name: s.name,
          kind: s.kind,
          startMs: nanosToMs(s.startTimeUnixNano),
          endMs: nanosToMs(s.endTimeUnixNano),
          attributes: jsonAttributes(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name, timeMs: nanosToMs(e.timeUnixNano), attributes: jsonAttributes(e.attributes) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
        });
  }
  return out;
}
