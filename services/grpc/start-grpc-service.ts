import { openBilling } from "../billing/open-billing.js";
import type { GrpcConfig } from "../common/config.js";
import { dataPaths } from "../common/data-paths.js";
import type { Logger } from "../common/logger.js";
import type { RunningService } from "../common/running-service.js";
import { OrderProcessor } from "../domain/order-processor.js";
import { openNotification } from "../notification/open-notification.js";
import { SqliteOrderStore } from "../order/order-store.js";
import { GrpcBillingPort, GrpcNotifierPort } from "./downstream-ports.js";
import { startGrpcServer, type ServiceBinding } from "./grpc-server.js";
import { billingBinding, notificationBinding, orderBinding } from "./service-impls.js";
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
      return { binding: billingBinding(ctx, core.invoicing), calls: {}, release: core.close };
    }
    case "notification": {
      const core = openNotification(config.dataDir, config);
      return { binding: notificationBinding(ctx, core.notifying), calls: {}, release: core.close };
    }
    case "order": {
      if (!config.billing || !config.notification) throw new Error("order service config lacks downstream addresses");
      const store = new SqliteOrderStore(dataPaths(config.dataDir).orderDb);
      const billing = new GrpcBillingPort(config.billing, config.deadlineMs);
      const notifier = new GrpcNotifierPort(config.notification, config.deadlineMs);
      return {
        binding: orderBinding(ctx, new OrderProcessor(store, billing, notifier)),
        calls: { billing: config.billing.addresses, notification: config.notification.addresses },
        release() {
          billing.close();
          notifier.close();
          store.close();
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
