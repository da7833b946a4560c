import { status, type handleUnaryCall, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "../common/logger.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import { NO_TRACING, SpanKind, type TraceSpan, type Tracing } from "../common/tracing.js";
import { MalformedRequestError } from "../domain/errors.js";
import type { RequestContext } from "../domain/ports.js";
import { requestContextOf } from "./call-context.js";
import { toWireError } from "./error-mapping.js";
import { callerIdentity, refusal } from "./security.js";
import { metadataCarrier, ORDER_ID_METADATA, rpcSpan, serviceAndMethod } from "./trace-propagation.js";

/** Counts calls in flight on one server and sheds those above the limit. */
export class InFlightLimit {
  #count = 0;
  constructor(readonly limit: number) {}
  get count(): number {
    return this.#count;
  }
  tryEnter(): boolean {
    if (this.limit > 0 && this.#count >= this.limit) return false;
    this.#count++;
    return true;
  }
  leave(): void {
    this.#count--;
  }
}

export interface UnaryContext {
  log: Logger;
  limit: InFlightLimit;
  metrics: Metrics;
  tracing: Tracing;
  /** With mutual TLS: the identities (certificate common names) that may call this server's methods. */
  allowedCallers?: readonly string[];
}

/** The server span of a call, in the trace its caller sent (traceparent metadata), if any. */
function serverSpan(tracing: Tracing, path: string, orderId: string | undefined, call: ServerUnaryCall<unknown, unknown>): TraceSpan {
  const { name, attributes } = rpcSpan(path, orderId);
  return tracing.start(name, SpanKind.SERVER, tracing.extract(metadataCarrier(call.metadata)), attributes);
}

/** One handled call for grpc_server_handled_total; `started` is undefined when metrics are off. */
function reportHandled(metrics: Metrics, path: string, code: status, started: number | undefined): void {
  if (started === undefined) return;
  const [service, method] = serviceAndMethod(path);
  metrics.grpcHandled(service, method, status[code], (performance.now() - started) / 1000);
}

/**
 * Turns an async function into a grpc-js unary handler: authorization of the
 * caller, in-flight limit, deadline and trace propagation, a server span, and
 * error mapping, the same for every method.
 */
export function unary<Req, Res>(ctx: UnaryContext, handler: (request: Req, rc: RequestContext) => Promise<Res> | Res): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = ctx.metrics === NO_METRICS ? undefined : performance.now();
    const path = call.getPath();
    const done = (code: status) => reportHandled(ctx.metrics, path, code, started);
    // The caller names the order in metadata, so that the span and a failure's log line can too.
    const named = call.metadata.get(ORDER_ID_METADATA)[0];
    const orderId = typeof named === "string" ? named : undefined;
    const span = ctx.tracing.enabled ? serverSpan(ctx.tracing, path, orderId, call) : NO_TRACING.start("", SpanKind.SERVER, undefined, {});
    const end = (code: status, reason?: string) => {
      span.set({ "rpc.grpc.status_code": code });
      if (reason !== undefined) span.fail(reason);
      span.end();
      done(code);
    };
    // Before anything else runs: a refused caller leaves no trace in any database.
    const denied = ctx.allowedCallers && refusal(ctx.allowedCallers, callerIdentity(call), path);
    if (denied) {
      ctx.log.warn("call refused", { reason: denied, order_id: orderId });
      callback({ code: status.PERMISSION_DENIED, details: denied });
      end(status.PERMISSION_DENIED, denied);
      return;
    }
    if (!ctx.limit.tryEnter()) {
      const details = `server is at its limit of ${ctx.limit.limit} calls in flight; retry later`;
      callback({ code: status.RESOURCE_EXHAUSTED, details });
      end(status.RESOURCE_EXHAUSTED, details);
      return;
    }
    void (async () => {
      try {
        const request: unknown = call.request;
        if (request instanceof MalformedRequestError) throw request;
        callback(null, await handler(call.request, { ...requestContextOf(call), trace: span.context }));
        end(status.OK);
      } catch (err) {
        const log = orderId === undefined ? ctx.log : ctx.log.with({ order_id: orderId, ...span.logFields });
        const wire = toWireError(err, log);
        callback(wire);
        end(wire.code ?? status.UNKNOWN, wire.details);
      } finally {
        ctx.limit.leave();
      }
    })();
  };
}
