import { SERVICE_NAMES, type ServiceName } from "../services/common/config.js";

export type ReplicaCounts = Record<ServiceName, number>;

/**
 * `--replicas order=2,billing=2,notification=3`: how many processes each service runs (1 unless
 * named). Replicas of a service share its database. Order replicas are safe although the per-order
 * serialiser holds only inside one process: every step is a conditional update in the order
 * database (an invoice is recorded only on an order not yet complete, completion only once and
 * only with an invoice), SQLite serialises writers across processes, and every request a step
 * sends is idempotent by order id (and deduplicated by its message id in NATS mode).
 */
export function parseReplicas(value: string | undefined): ReplicaCounts {
  const counts: ReplicaCounts = { order: 1, billing: 1, notification: 1 };
  if (!value) return counts;
  for (const item of value.split(",")) {
    const [name, n] = item.split("=").map((s) => s.trim());
    if (!(SERVICE_NAMES as readonly string[]).includes(name ?? ""))
      throw new Error(`--replicas: ${JSON.stringify(name)} is not a service (${SERVICE_NAMES.join(", ")})`);
    const count = Number(n);
    if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`--replicas: ${item} must give ${name} a count from 1 to 9`);
    counts[name as ServiceName] = count;
  }
  return counts;
}

/** "billing" for the first replica, "billing-2" for the second, as the start scripts name processes. */
export function replicaName(name: ServiceName, index: number): string {
  return index === 0 ? name : `${name}-${index + 1}`;
}
