import { openBilling } from "../billing/open-billing.js";
import type { GrpcConfig } from "../common/config.js";
import type { Logger } from "../common/logger.js";
import { startMetrics, type Metrics } from "../common/metrics.js";
import type { RunningService } from "../common/running-service.js";
import { startTracing, type Tracing } from "../common/tracing.js";
import { openNotification } from "../notification/open-notification.js";
import { openOrder } from "../order/open-order.js";
import { GrpcBillingPort, GrpcNotifierPort } from "./downstream-ports.js";
import { billingHandlers, notificationHandlers, orderHandlers } from "./handlers.js";
import { startGrpcServer, type ServiceBinding } from "./server.js";
import { ALLOWED_CALLERS } from "./security.js";
import { InFlightLimit } from "./unary.js";

interface Wiring {
  binding: ServiceBinding;
  calls: Record<string, string[]>;
  release(): void;
}

function wire(config: GrpcConfig, log: Logger, metrics: Metrics, tracing: Tracing): Wiring {
  const ctx = { log, limit: new InFlightLimit(config.maxInFlight), metrics, tracing, allowedCallers: config.tls ? ALLOWED_CALLERS[config.name] : undefined };
  switch (config.name) {
    case "billing": {
      const core = openBilling(config.dataDir, config.crashAfterInvoiceWrites, metrics, config.provider);
      return { binding: billingHandlers(ctx, core.invoicing), calls: {}, release: () => core.close() };
    }
    case "notification": {
      const core = openNotification(config.dataDir, config, metrics);
      return { binding: notificationHandlers(ctx, core.notifying), calls: {}, release: () => core.close() };
    }
    case "order": {
      if (!config.billing || !config.notification) throw new Error("order service config lacks downstream addresses");
      const downstream = { deadlineMs: config.deadlineMs, tracing, tls: config.tls, log };
      const billing = new GrpcBillingPort(config.billing, downstream);
      const notifier = new GrpcNotifierPort(config.notification, downstream);
      const core = openOrder(config.dataDir, billing, notifier, metrics);
      return {
        binding: orderHandlers(ctx, core.processor),
        calls: { billing: config.billing.addresses, notification: config.notification.addresses },
        release() {
          billing.close();
          notifier.close();
          core.close();
        },
      };
    }
  }
}

/** Starts one service of the gRPC mode: its own database, its server, its clients. */
export async function startGrpcService(config: GrpcConfig, log: Logger): Promise<RunningService> {
  const endpoint = await startMetrics(config.name, config.metricsPort, log);
  const tracing = startTracing(config.tracing, log);
  let wiring: Wiring | undefined;
  try {
    wiring = wire(config, log, endpoint.metrics, tracing);
    const server = await startGrpcServer(config.listen, [wiring.binding], log, config.tls);
    const started = wiring;
    return {
      name: config.name,
      addresses: { listens: server.address, calls: started.calls },
      metricsPort: endpoint.port,
      async close() {
        // Intake first (health NOT_SERVING, no new calls), then in-flight calls, then clients and
        // databases; the spans of the last calls leave before the process does.
        await server.close(config.shutdownGraceMs);
        started.release();
        await tracing.shutdown();
        await endpoint.close();
        log.info("stopped");
      },
    };
  } catch (err) {
    wiring?.release();
    await tracing.shutdown();
    await endpoint.close();
    throw err;
  }
}
