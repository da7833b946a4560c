import { openBilling } from "../billing/open-billing.js";
import type { GrpcConfig } from "../common/config.js";
import type { Logger } from "../common/logger.js";
import type { RunningService } from "../common/running-service.js";
import { openNotification } from "../notification/open-notification.js";
import { openOrder } from "../order/open-order.js";
import { GrpcBillingPort, GrpcNotifierPort } from "./downstream-ports.js";
import { billingHandlers, notificationHandlers, orderHandlers } from "./handlers.js";
import { startGrpcServer, type ServiceBinding } from "./server.js";
import { InFlightLimit } from "./unary.js";

interface Wiring {
  binding: ServiceBinding;
  calls: Record<string, string[]>;
  release(): void;
}

function wire(config: GrpcConfig, log: Logger): Wiring {
  const ctx = { log, limit: new InFlightLimit(config.maxInFlight) };
  switch (config.name) {
    case "billing": {
      const core = openBilling(config.dataDir, config.crashAfterInvoiceWrites);
      return { binding: billingHandlers(ctx, core.invoicing), calls: {}, release: () => core.close() };
    }
    case "notification": {
      const core = openNotification(config.dataDir, config);
      return { binding: notificationHandlers(ctx, core.notifying), calls: {}, release: () => core.close() };
    }
    case "order": {
      if (!config.billing || !config.notification) throw new Error("order service config lacks downstream addresses");
      const billing = new GrpcBillingPort(config.billing, config.deadlineMs);
      const notifier = new GrpcNotifierPort(config.notification, config.deadlineMs);
      const core = openOrder(config.dataDir, billing, notifier);
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
  const wiring = wire(config, log);
  try {
    const server = await startGrpcServer(config.listen, [wiring.binding], log);
    return {
      name: config.name,
      addresses: { listens: server.address, calls: wiring.calls },
      async close() {
        // Intake first (health NOT_SERVING, no new calls), then in-flight calls, then clients and databases.
        await server.close(config.shutdownGraceMs);
        wiring.release();
        log.info("stopped");
      },
    };
  } catch (err) {
    wiring.release();
    throw err;
  }
}
