import type { JetStreamClient, NatsConnection, Service } from "nats";
import { openBilling } from "../billing/open-billing.js";
import type { NatsConfig } from "../common/config.js";
import type { Logger } from "../common/logger.js";
import { startMetrics, type Metrics, type MetricsEndpoint } from "../common/metrics.js";
import type { RunningService } from "../common/running-service.js";
import { startTracing, type Tracing } from "../common/tracing.js";
import { openNotification } from "../notification/open-notification.js";
import { openOrder } from "../order/open-order.js";
import { connectNats, readSeed } from "./connection.js";
import { NatsBillingPort, NatsNotifierPort } from "./downstream-ports.js";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.js";
import { announceSettled, emailHandler, eventsHandler, intakeHandler, invoiceHandler, orderQueryHandler, reportFailedStep } from "./handlers.js";
import { CONSUMERS, ensureConsumer, ensureStreams, SUBJECTS, type ConsumerDeclaration } from "./topology.js";
import { startWorkConsumer, type RunningConsumer, type WorkConsumerOptions } from "./work-consumer.js";

type ConsumerSpec = Pick<WorkConsumerOptions, "handle" | "onDeadLetter"> & { consumer: ConsumerDeclaration };

interface Wiring {
  consumers: ConsumerSpec[];
  /** Request/reply endpoints, registered once the consumers run. */
  endpoints?(): Promise<Service>;
  release(): void;
}

function wire(config: NatsConfig, nc: NatsConnection, js: JetStreamClient, log: Logger, metrics: Metrics, tracing: Tracing): Wiring {
  const out = { tracing, retryMs: config.publishRetryMs };
  switch (config.name) {
    case "billing": {
      const core = openBilling(config.dataDir, config.crashAfterInvoiceWrites, metrics, config.provider);
      return {
        consumers: [{ consumer: CONSUMERS.invoicer, handle: invoiceHandler(js, core.invoicing, out), onDeadLetter: reportFailedStep(js, "billing", out) }],
        release: () => core.close(),
      };
    }
    case "notification": {
      const core = openNotification(config.dataDir, config, metrics);
      return {
        consumers: [{ consumer: CONSUMERS.mailer, handle: emailHandler(js, core.notifying, out), onDeadLetter: reportFailedStep(js, "notification", out) }],
        release: () => core.close(),
      };
    }
    case "order": {
      const core = openOrder(config.dataDir, new NatsBillingPort(js, out), new NatsNotifierPort(js, out), metrics);
      const announce = announceSettled(nc);
      return {
        consumers: [
          { consumer: CONSUMERS.orderIntake, handle: intakeHandler(core.processor, announce) },
          { consumer: CONSUMERS.orderEvents, handle: eventsHandler(core.processor, announce) },
        ],
        // orders.get as a NATS service endpoint, discoverable through $SRV (nats micro ls / info).
        async endpoints() {
          const query = orderQueryHandler(core.processor, log);
          const service = await nc.services.add({ name: "order-service", version: "1.0.0", description: "Reads orders from the order service's database" });
          service.addEndpoint("get", {
            subject: SUBJECTS.orderGet,
            metadata: { request: "shop.v1.GetOrderRequest", response: "shop.v1.OrderView" },
            handler: (err, msg) => (err ? log.error("orders.get endpoint failed", { err }) : query(msg)),
          });
          return service;
        },
        release: () => core.close(),
      };
    }
  }
}

/**
 * Starts one service of the NATS mode. It needs only the broker's address:
 * it provisions the streams and its own consumers, then consumes.
 */
export async function startNatsService(config: NatsConfig, log: Logger): Promise<RunningService> {
  const credentials = { identity: config.name, seedFile: config.nkeySeedFile, tls: config.tls };
  // A garbled seed stops the service here, before it waits for the broker.
  if (config.nkeySeedFile) readSeed(config.nkeySeedFile);
  const nc = await connectNats(config.natsUrl, `${config.name}-service`, log, credentials);
  // With credentials the service runs with least privilege: it may not create streams or
  // consumers; npm run nats:provision makes them, as admin.
  const provisions = !config.nkeySeedFile;
  const settings = {
    duplicateWindowMs: config.duplicateWindowMs,
    ackWaitMs: config.ackWaitMs,
    maxDeliver: config.maxDeliver,
    maxAckPending: config.maxAckPending,
    streamReplicas: config.streamReplicas,
  };
  const consumers: RunningConsumer[] = [];
  let wiring: Wiring | undefined;
  let endpoints: Service | undefined;
  let metrics: MetricsEndpoint | undefined;
  const tracing = startTracing(config.tracing, log);
  try {
    metrics = await startMetrics(config.name, config.metricsPort, log);
    const js = nc.jetstream();
    const jsm = provisions ? await nc.jetstreamManager() : undefined;
    if (jsm) await ensureStreams(jsm, settings);
    wiring = wire(config, nc, js, log, metrics.metrics, tracing);
    for (const spec of wiring.consumers) {
      if (jsm) await ensureConsumer(jsm, spec.consumer, settings);
      consumers.push(
        await startWorkConsumer({
          js,
          consumer: spec.consumer,
          concurrency: Math.min(config.concurrency, config.maxAckPending),
          retry: { ...DEFAULT_RETRY_POLICY, maxDeliver: config.maxDeliver },
          log: log.child(spec.consumer.durable),
          handle: spec.handle,
          onDeadLetter: spec.onDeadLetter,
          metrics: metrics.metrics,
          tracing,
        }),
      );
    }
    endpoints = await wiring.endpoints?.();
  } catch (err) {
    await Promise.all(consumers.map((c) => c.stop()));
    await nc.close();
    wiring?.release();
    await tracing.shutdown();
    await metrics?.close();
    throw err;
  }

  const started = wiring;
  const endpoint = metrics;
  return {
    name: config.name,
    addresses: { calls: { nats: config.natsUrl.split(",") } },
    metricsPort: endpoint.port,
    async close() {
      // Intake first, then in-flight work, then the connection (drain flushes acks and publishes);
      // the spans of the last messages leave before the process does.
      await Promise.all(consumers.map((c) => c.stop()));
      await endpoints?.stop();
      await nc.drain();
      started.release();
      await tracing.shutdown();
      await endpoint.close();
      log.info("stopped");
    },
  };
}
