import { status, type handleUnaryCall, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "../common/logger.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import { MalformedRequestError } from "../domain/errors.js";
import type { RequestContext } from "../domain/ports.js";
import { requestContextOf } from "./call-context.js";
import { toWireError } from "./error-mapping.js";

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
}

/** "/shop.v1.OrderService/PlaceOrder" as Prometheus labels. */
function serviceAndMethod(path: string): [string, string] {
  const at = path.lastIndexOf("/");
  return [path.slice(1, at), path.slice(at + 1)];
}

/** One handled call for grpc_server_handled_total; `started` is undefined when metrics are off. */
function reportHandled(metrics: Metrics, path: string, code: status, started: number | undefined): void {
  if (started === undefined) return;
  const [service, method] = serviceAndMethod(path);
  metrics.grpcHandled(service, method, status[code], (performance.now() - started) / 1000);
}

/**
 * Turns an async function into a grpc-js unary handler: in-flight limit,
 * deadline propagation and error mapping, the same for every method.
 */
export function unary<Req, Res>(ctx: UnaryContext, handler: (request: Req, rc: RequestContext) => Promise<Res> | Res): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = ctx.metrics === NO_METRICS ? undefined : performance.now();
    const done = (code: status) => reportHandled(ctx.metrics, call.getPath(), code, started);
    if (!ctx.limit.tryEnter()) {
      callback({ code: status.RESOURCE_EXHAUSTED, details: `server is at its limit of ${ctx.limit.limit} calls in flight; retry later` });
      done(status.RESOURCE_EXHAUSTED);
      return;
    }
    void (async () => {
      try {
        const request: unknown = call.request;
        if (request instanceof MalformedRequestError) throw request;
        callback(null, await handler(call.request, requestContextOf(call)));
        done(status.OK);
      } catch (err) {
        // The caller names the order in metadata (x-order-id), so that a failure's log line can too.
        const orderId = call.metadata.get("x-order-id")[0];
        const wire = toWireError(err, typeof orderId === "string" ? ctx.log.with({ order_id: orderId }) : ctx.log);
        callback(wire);
        done(wire.code ?? status.UNKNOWN);
      } finally {
        ctx.limit.leave();
      }
    })();
  };
}
