/** A started service of either mode: the start/close pair every adapter provides. */
export interface RunningService {
  name: string;
  /** The addresses this service listens on and calls, as configured. */
  addresses: { listens?: string; calls: Record<string, string[]> };
  /** Where /metrics is served (METRICS_PORT, 0 resolved); undefined without metrics. */
  metricsPort?: number;
  /** Ordered shutdown: stop intake, finish in-flight work, then release resources. */
  close(): Promise<void>;
}
