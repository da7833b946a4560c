/** How JetStream work is retried: redelivered after a growing delay, up to max_deliver deliveries. */
export interface RetryPolicy {
  maxDeliver: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, "maxDeliver"> = { baseDelayMs: 250, maxDelayMs: 15_000 };

/** The nak delay after a delivery failed: doubling from the base, capped. */
export function redeliveryDelayMs(deliveryCount: number, policy: Omit<RetryPolicy, "maxDeliver">): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (deliveryCount - 1));
}
