/** How a gRPC client retries a call: transparently, in the channel, on UNAVAILABLE only. */
export interface RetrySettings {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 4, initialBackoffMs: 50, maxBackoffMs: 500 };

/**
 * The retry policy as gRPC's service config states it: exponential backoff, and only
 * UNAVAILABLE (the call never reached a server that could act on it). Every method
 * retried this way is idempotent by order id.
 */
export function serviceConfigRetryPolicy(retry: RetrySettings) {
  return {
    maxAttempts: retry.maxAttempts,
    initialBackoff: `${retry.initialBackoffMs / 1000}s`,
    maxBackoff: `${retry.maxBackoffMs / 1000}s`,
    backoffMultiplier: 2,
    retryableStatusCodes: ["UNAVAILABLE"],
  };
}
