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
import { billingHandlers, notificationHandlers, orderHandlers, type EndpointBinding, type ServiceBindings } from "./handlers.js";
import { ensureConsumer, ensureStreams, jetStreamManagerWhenReady } from "./topology.js";
import { startWorkConsumer, type RunningConsumer } from "./work-consumer.js";

interface Wiring {
  bindings: ServiceBindings;
  release(): void;
}

/** The service's core over its own database, and its handlers. */
function wire(config: NatsConfig, nc: NatsConnection, js: JetStreamClient, log: Logger, metrics: Metrics, tracing: Tracing): Wiring {
  const out = { tracing, retryMs: config.publishRetryMs };
  switch (config.name) {
    case "billing": {
      const core = openBilling(config.dataDir, config.crashAfterInvoiceWrites, metrics, config.provider);
      return { bindings: billingHandlers(js, core.invoicing, out), release: () => core.close() };
    }
    case "notification": {
      const core = openNotification(config.dataDir, config, metrics);
      return { bindings: notificationHandlers(js, core.notifying, out), release: () => core.close() };
    }
    case "order": {
      const core = openOrder(config.dataDir, new NatsBillingPort(js, out), new NatsNotifierPort(js, out), metrics);
      return { bindings: orderHandlers(nc, core.processor, log), release: () => core.close() };
    }
  }
}

/** Registers request/reply endpoints as NATS services, discoverable through $SRV (nats micro ls / info). */
async function serveEndpoints(nc: NatsConnection, endpoints: readonly EndpointBinding[], log: Logger): Promise<Service[]> {
  const services: Service[] = [];
  for (const e of endpoints) {
    const service = await nc.services.add(e.service);
    service.addEndpoint(e.name, {
      subject: e.subject,
      metadata: e.metadata,
      handler: (err, msg) => (err ? log.error(`${e.subject} endpoint failed`, { err }) : e.handle(msg)),
    });
    services.push(service);
  }
  return services;
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
  const unready = () =>
    consumers.filter((c) => c.stalled).map((c) => `consumer ${c.durable} stalled: work pending, none completed for ${config.stallAfterMs} ms`);
  let wiring: Wiring | undefined;
  let endpoints: Service[] = [];
  let metrics: MetricsEndpoint | undefined;
  const tracing = startTracing(config.tracing, log);
  try {
    metrics = await startMetrics(config.name, config.metricsPort, log, unready);
    const js = nc.jetstream();
    const jsm = provisions ? await jetStreamManagerWhenReady(nc) : undefined;
    if (jsm) await ensureStreams(jsm, settings);
    wiring = wire(config, nc, js, log, metrics.metrics, tracing);
    for (const spec of wiring.bindings.consumers) {
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
          stallAfterMs: config.stallAfterMs,
          strandedCheckMs: config.strandedCheckMs,
        }),
      );
    }
    endpoints = await serveEndpoints(nc, wiring.bindings.endpoints, log);
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
      await Promise.all(endpoints.map((e) => e.stop()));
      await nc.drain();
      started.release();
      await tracing.shutdown();
      await endpoint.close();
      log.info("stopped");
    },
  };
}
