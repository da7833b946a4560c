import { SERVICE_NAMES, type ServiceName } from "../../services/common/config.js";

export type ReplicaCounts = Record<ServiceName, number>;

/**
 * `--replicas billing=2,notification=3`: how many processes each service runs (1 unless named).
 * The order service runs once: its per-order serialiser holds inside one process, so two order
 * processes could interleave one order's steps.
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
    if (name === "order" && count > 1)
      throw new Error("--replicas: the order service runs as one process; its per-order serialiser does not hold across processes");
    counts[name as ServiceName] = count;
  }
  return counts;
}

/** "billing" for the first replica, "billing-2" for the second, as the start scripts name processes. */
export function replicaName(name: ServiceName, index: number): string {
  return index === 0 ? name : `${name}-${index + 1}`;
}
