import { Metadata, type CallOptions, type ChannelCredentials, type ChannelOptions, type Client, type ClientUnaryCall, type ServiceError } from "@grpc/grpc-js";
import type { AddressList } from "../common/address-list.js";
import type { TlsConfig } from "../common/tls-config.js";
import { NO_TRACING, SpanKind, type SpanAttributes, type TraceContext, type Tracing } from "../common/tracing.js";
import { DEFAULT_RETRY, serviceConfigRetryPolicy, type RetrySettings } from "./retry-policy.js";
import { channelCredentials } from "./security.js";
import { metadataCarrier, ORDER_ID_METADATA, rpcSpan } from "./trace-propagation.js";

/** How often a channel pings an idle connection, and how long it waits for the answer. */
export const KEEPALIVE_TIME_MS = 5_000;
export const KEEPALIVE_TIMEOUT_MS = 3_000;

/**
 * Channel settings for calling `service`: round_robin over the resolved
 * addresses, and transparent retries with exponential backoff on UNAVAILABLE
 * only. Every method retried this way is idempotent by order id.
 */
export function channelOptions(service: string, retry: RetrySettings = DEFAULT_RETRY): ChannelOptions {
  const serviceConfig = {
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: [
      {
        name: [{ service }],
        retryPolicy: serviceConfigRetryPolicy(retry),
      },
    ],
  };
  return {
    "grpc.service_config": JSON.stringify(serviceConfig),
    "grpc.enable_retries": 1,
    // A connection to a peer that went silent (a cut network: no answer, no reset) is noticed within
    // keepalive_time + keepalive_timeout (8 s) even when no call waits on it, and replaced: the
    // channel reconnects and its calls fail over to the other addresses, or fail fast as UNAVAILABLE.
    "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
    "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
    "grpc.keepalive_permit_without_calls": 1,
    // A server that went away is retried soon rather than after the default 20 s backoff ceiling.
    "grpc.max_reconnect_backoff_ms": 1_000,
    "grpc.initial_reconnect_backoff_ms": 100,
  };
}

type ClientCtor<C> = new (address: string, creds: ChannelCredentials, options?: ChannelOptions) => C;

/** One long-lived client per target: channels are expensive, calls are not. With `tls`: mutual TLS. */
export function createClient<C extends Client>(
  Ctor: ClientCtor<C>,
  service: string,
  addresses: AddressList,
  options: { retry?: RetrySettings; tls?: Pick<TlsConfig, "ca" | "cert" | "key"> } = {},
): C {
  return new Ctor(addresses.target, channelCredentials(options.tls), channelOptions(service, options.retry));
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** What travels with an outgoing call besides the request: who it is about and which trace it belongs to. */
export interface OutgoingCall {
  /** "shop.v1.BillingService/CreateInvoice": the span's name. */
  path: string;
  orderId?: string;
  tracing?: Tracing;
  /** The trace the call belongs to: the handler's (downstream calls) or the caller's (clients). */
  parent?: TraceContext;
}

function spanOf(call: OutgoingCall): [string, SpanKind, TraceContext | undefined, SpanAttributes] {
  const { name, attributes } = rpcSpan(call.path, call.orderId);
  return [name, SpanKind.CLIENT, call.parent, attributes];
}

/**
 * A unary call as a promise, in a client span whose context travels as
 * traceparent metadata; the order id travels as metadata for logs and spans.
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: Partial<CallOptions>, call: OutgoingCall): Promise<Res> {
  const metadata = new Metadata();
  if (call.orderId) metadata.set(ORDER_ID_METADATA, call.orderId);
  const tracing = call.tracing ?? NO_TRACING;
  // Tracing off costs nothing here: no attributes are built, and only a trace handed in travels on.
  const span = tracing.enabled ? tracing.start(...spanOf(call)) : NO_TRACING.start("", SpanKind.CLIENT, call.parent, {});
  if (span.context) tracing.inject(span.context, metadataCarrier(metadata));
  return new Promise<Res>((resolve, reject) => {
    method(request, metadata, options, (err, res) => {
      span.set({ "rpc.grpc.status_code": err ? err.code : 0 });
      if (err) span.fail(err.details || err.message, err);
      span.end();
      if (err) reject(err);
      else resolve(res);
    });
  });
}
