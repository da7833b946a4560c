import type { Service } from "nats";
import { openBilling } from "../billing/open-billing.js";
import type { NatsConfig } from "../common/config.js";
import { dataPaths } from "../common/data-paths.js";
import type { Logger } from "../common/logger.js";
import type { RunningService } from "../common/running-service.js";
import { OrderProcessor } from "../domain/order-processor.js";
import { openNotification } from "../notification/open-notification.js";
import { SqliteOrderStore } from "../order/order-store.js";
import { DEFAULT_RETRY_POLICY } from "./error-mapping.js";
import { connectNats } from "./connection.js";
import { addOrderQueryService, announceSettled, eventsHandler, intakeHandler, NatsBillingPort, NatsNotifierPort } from "./order-service.js";
import { CONSUMERS, ensureConsumer, ensureStreams, type ConsumerDeclaration } from "./topology.js";
import { emailHandler, invoiceHandler, reportFailedStep } from "./workers.js";
import { startWorkConsumer, type RunningConsumer, type WorkConsumerOptions } from "./work-consumer.js";

type ConsumerSpec = Pick<WorkConsumerOptions, "handle" | "onDeadLetter"> & { consumer: ConsumerDeclaration };

/**
 * Starts one service of the NATS mode. It needs only the broker's address:
 * it provisions the streams and its own consumers, then consumes.
 */
export async function startNatsService(config: NatsConfig, log: Logger): Promise<RunningService> {
  const nc = await connectNats(config.natsUrl, `${config.name}-service`, log);
  const settings = { duplicateWindowMs: config.duplicateWindowMs, ackWaitMs: config.ackWaitMs, maxDeliver: config.maxDeliver, maxAckPending: config.maxAckPending };
  const resources: Array<() => void> = [];
  const consumers: RunningConsumer[] = [];
  let query: Service | undefined;
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await ensureStreams(jsm, settings);

    const specs: ConsumerSpec[] = [];
    switch (config.name) {
      case "order": {
        const store = new SqliteOrderStore(dataPaths(config.dataDir).orderDb);
        resources.push(() => store.close());
        const processor = new OrderProcessor(store, new NatsBillingPort(js), new NatsNotifierPort(js));
        const announce = announceSettled(nc);
        specs.push({ consumer: CONSUMERS.orderIntake, handle: intakeHandler(processor, announce) });
        specs.push({ consumer: CONSUMERS.orderEvents, handle: eventsHandler(processor, announce) });
        query = await addOrderQueryService(nc, processor, log);
        break;
      }
      case "billing": {
        const core = openBilling(config.dataDir, config.crashAfterInvoiceWrites);
        resources.push(core.close);
        specs.push({ consumer: CONSUMERS.invoicer, handle: invoiceHandler(js, core.invoicing), onDeadLetter: reportFailedStep(js, "billing") });
        break;
      }
      case "notification": {
        const core = openNotification(config.dataDir, config);
        resources.push(core.close);
        specs.push({ consumer: CONSUMERS.mailer, handle: emailHandler(js, core.notifying), onDeadLetter: reportFailedStep(js, "notification") });
        break;
      }
    }
    for (const spec of specs) {
      await ensureConsumer(jsm, spec.consumer, settings);
      consumers.push(
        await startWorkConsumer({
          js,
          consumer: spec.consumer,
          concurrency: config.maxAckPending,
          retry: { ...DEFAULT_RETRY_POLICY, maxDeliver: config.maxDeliver },
          log: log.child(spec.consumer.durable),
          handle: spec.handle,
          onDeadLetter: spec.onDeadLetter,
        }),
      );
    }
  } catch (err) {
    await nc.close();
    resources.forEach((release) => release());
    throw err;
  }

  return {
    name: config.name,
    addresses: { calls: { nats: config.natsUrl.split(",") } },
    async close() {
      // Intake first, then in-flight work, then the connection (drain flushes acks and publishes).
      await Promise.all(consumers.map((c) => c.stop()));
      await query?.stop();
      await nc.drain();
      resources.forEach((release) => release());
      log.info("stopped");
    },
  };
}
