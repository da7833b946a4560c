import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { audit, formatAuditLine, type AuditLine } from "../../testbed/audit/audit.js";
import { Ledger } from "../../testbed/audit/ledger.js";
import type { Mode, ServiceName } from "../../services/common/config.js";
import { OrderStatus } from "../../services/gen/shop/v1/order.js";
import { encodePayload } from "../../services/nats/codec.js";
import { ROUTES } from "../../services/nats/routes.js";
import { CONSUMERS } from "../../services/nats/topology.js";
import { labOrder, labOrderById } from "../../testbed/load/lab-order.js";
import { CAPABILITIES } from "../../testbed/stack/capabilities.js";
import { loggedAt } from "../../testbed/process-group.js";
import { startStack, withBroker, type AnyProcessStack } from "../../testbed/stack/start-stack.js";
import type { NatsProcessStack } from "../../testbed/stack/nats-process-stack.js";

/** The stack of a drill that runs with a broker (can.hasBroker), to look into it. */
function brokerOf(stack: AnyProcessStack): NatsProcessStack {
  if (!withBroker(stack)) throw new Error(`the ${stack.mode} stack has no broker`);
  return stack;
}
import { clientRecords, longestCall, runLoad, type LoadResult } from "../../testbed/load/load-generator.js";
import { stackTarget, type ClosableTarget } from "../../testbed/load/targets.js";
import { eventually } from "../support/eventually.js";
import { Timeline } from "../../testbed/timeline.js";

interface Drill {
  stack: AnyProcessStack;
  target: ClosableTarget;
  runId: string;
}

interface DrillOptions {
  env?: Record<string, string>;
  /** Every hop through a link that the drill can cut (StackOptions.links). */
  links?: { delayMs?: number };
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  rate: number;
  durationMs: number;
  clientDeadlineMs?: number;
  /** How long the load waits for completions before the audit steps take over (default 30 s). */
  drainTimeoutMs?: number;
  /** The drill's faults, on the load's clock; every one has finished (and every window is undone) before the audit. */
  faults?(d: Drill, timeline: Timeline): void;
  /** After the load, before the audit (e.g. re-publishing). */
  after?(d: Drill, result: LoadResult): Promise<void>;
  /** Checks of the drill's own, before the audit and the re-sends. */
  check?(d: Drill, result: LoadResult): Promise<void> | void;
}

/**
 * Fault drills on real processes (and a real nats-server), each ending with
 * an audit of the three databases that is printed and checked: nothing lost,
 * nothing duplicated, no success reported for an order that did not complete.
 */
export function describeFaultDrills(mode: Mode): void {
  // What the drills may expect of the mode: they branch on its capabilities, never on its name.
  const can = CAPABILITIES[mode];
  describe(`fault drills: ${mode}`, function () {
    this.timeout(180_000);

    async function drill(name: string, o: DrillOptions): Promise<AuditLine> {
      const dataDir = await mkdtemp(join(tmpdir(), `gvn-drill-${mode}-`));
      const stack = await startStack({
        where: "processes",
        mode,
        dataDir,
        env: { NATS_ACK_WAIT_MS: "2000", SHUTDOWN_GRACE_MS: "2000", ...o.env },
        serviceEnv: o.serviceEnv,
        links: o.links,
        logFile: join(dataDir, "services.log"),
      });
      const target = await stackTarget(stack, { deadlineMs: o.clientDeadlineMs ?? 5_000 });
      const d: Drill = { stack, target, runId: `${name}-${Date.now().toString(36)}` };
      try {
        const timeline = new Timeline();
        o.faults?.(d, timeline);
        const result = await runLoad(target, {
          rate: o.rate,
          durationMs: o.durationMs,
          makeOrder: (i) => labOrder(d.runId, i),
          drainTimeoutMs: o.drainTimeoutMs ?? 30_000,
          startAt: timeline.t0,
          onElapsed: (t) => timeline.tick(t),
        });
        await timeline.finish();
        await o.after?.(d, result);
        await o.check?.(d, result);
        const records = clientRecords(result.orders);
        // What the client was told, checked against the databases before any re-send.
        const ledger = new Ledger(dataDir);
        try {
          const told = audit(records, ledger.snapshot(), target.answerMeansComplete);
          expect(told.falseSuccess, "success reported for an order that did not complete").to.equal(0);
          expect(told.lost, "accepted orders never invoiced").to.equal(0);
          if (!target.answerMeansComplete) expect(told.failedToClient, "orders refused to the client").to.equal(0);

          // The client's part: re-send what failed, with the same id, until it completes.
          const failed = result.orders.filter((x) => x.error).map((x) => labOrderById(d.runId, x.orderId));
          for (const order of failed) await eventually(`re-sent ${order.orderId} to be taken`, () => target.place(order).then(() => true));
          await eventually(
            "every order to complete",
            () => {
              const snap = ledger.snapshot();
              return records.every((r) => snap.orders.get(r.orderId) === OrderStatus.ORDER_STATUS_COMPLETED) ? true : undefined;
            },
            60_000,
            100,
          );

          const line = audit(records, ledger.snapshot(), target.answerMeansComplete);
          console.log(`      ${formatAuditLine(`${mode} ${name}`, line)}`);
          expect(line.completed, "completed").to.equal(line.sent);
          expect(line.duplicateInvoices, "duplicate invoices").to.equal(0);
          expect(line.duplicateEmails, "duplicate e-mails").to.equal(0);
          expect(line.unexpected, "invoices or e-mails without an order").to.equal(0);
          return line;
        } finally {
          ledger.close();
        }
      } finally {
        await target.close();
        await stack.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }

    it("SIGKILL of billing mid-run, then a restart", async () => {
      await drill("kill-billing", {
        rate: 80,
        durationMs: 3_000,
        faults: (d, t) =>
          t.at(800, "billing SIGKILL, then started again", async () => {
            await d.stack.control.stop("billing", "SIGKILL");
            await d.stack.control.start("billing");
          }),
      });
    });

    it("SIGSTOP of billing beyond the call deadline and the ack wait, then SIGCONT", async () => {
      await drill("stop-billing", {
        env: { GRPC_DEADLINE_MS: "500", NATS_ACK_WAIT_MS: "1000" },
        clientDeadlineMs: 1_500,
        rate: 60,
        durationMs: 3_000,
        faults: (d, t) =>
          t.at(700, "billing SIGSTOP", async () => {
            await d.stack.control.pause("billing");
            // Resumed only once the stop has outlasted the deadline (an order FAILED on it)
            // or the ack wait (the broker redelivered billing's work).
            if (d.target.answerMeansComplete) {
              const ledger = new Ledger(d.stack.options.dataDir);
              await eventually("an order to fail on the deadline", () =>
                [...ledger.snapshot().orders.values()].includes(OrderStatus.ORDER_STATUS_FAILED) ? true : undefined,
              ).finally(() => ledger.close());
            }
            if (can.hasBroker) {
              const jsm = await (await brokerOf(d.stack).natsConnection()).jetstreamManager();
              await eventually("billing's work to be redelivered", async () =>
                (await jsm.consumers.info(CONSUMERS.invoicer.stream, CONSUMERS.invoicer.durable)).num_redelivered > 0 ? true : undefined,
              );
            }
            await d.stack.control.resume("billing");
          }),
      });
    });

    it("a silent link (every packet dropped, no reset) cut under load, then healed without a restart", async () => {
      // The link the mode loses: a synchronous caller's link to its callee, or a consumer's link to its broker.
      const hop = can.hasBroker ? "billing-broker" : "order-billing";
      const deadlineMs = 2_000;
      let cutWall = 0;
      let unreachableAfterMs: number | undefined;
      await drill("cut-link", {
        links: { delayMs: 0 },
        clientDeadlineMs: deadlineMs,
        rate: 50,
        durationMs: 4_000,
        faults: (d, t) =>
          t.at(800, "the link to billing cut, healed once felt", async () => {
            const link = d.stack.link(hop);
            link.cut();
            cutWall = Date.now();
            if (can.hasBroker) {
              // Billing's work waits in the broker while billing cannot be reached.
              const jsm = await (await brokerOf(d.stack).natsConnection()).jetstreamManager();
              await eventually("a backlog in BILLING", async () => ((await jsm.streams.info("BILLING")).state.messages > 0 ? true : undefined), 30_000);
            } else {
              // The order service notices the silent peer by its keepalive, and says so.
              const logFile = d.stack.options.logFile;
              unreachableAfterMs = await eventually(
                "the order service to report billing unreachable",
                () => {
                  const at = loggedAt(logFile, "billing unreachable", cutWall);
                  return at === undefined ? undefined : at - cutWall;
                },
                30_000,
                100,
              );
            }
            link.heal();
          }),
        check(_d, result) {
          // No call outlives its deadline by more than a second, however silent the network.
          const longest = longestCall(result.orders);
          expect(longest, "the longest call (ms)").to.be.below(deadlineMs + 1_000);
          if (unreachableAfterMs !== undefined) console.log(`      the order service reported billing unreachable ${unreachableAfterMs} ms after the cut`);
        },
      });
    });

    it("a crash between writing the invoice and answering or acknowledging it", async () => {
      let crashed = false;
      await drill("crash-after-invoice", {
        serviceEnv: { billing: { CRASH_AFTER_INVOICE_WRITE: "25" } },
        rate: 60,
        durationMs: 2_500,
        faults: (d, t) =>
          t.at(0, "billing dies after its 25th invoice write", () =>
            d.stack.processes.get("billing")!.exited.then(async (code) => {
              crashed = code === "SIGKILL";
              await d.stack.startService("billing", { CRASH_AFTER_INVOICE_WRITE: undefined });
            }),
          ),
      });
      expect(crashed, "billing killed itself after the invoice write").to.equal(true);
    });

    it("a nats-server restart while a backlog waits", async function () {
      if (!can.hasBroker) this.skip();
      await drill("broker-restart", {
        rate: 80,
        durationMs: 2_000,
        drainTimeoutMs: 0,
        faults: (d, t) => t.at(0, "billing stopped", () => d.stack.control.stop("billing")),
        async after(d) {
          const jsm = await (await brokerOf(d.stack).natsConnection()).jetstreamManager();
          await eventually("a backlog in BILLING", async () => ((await jsm.streams.info("BILLING")).state.messages > 0 ? true : undefined));
          await d.stack.control.stop("broker");
          await d.stack.control.start("broker");
          // The order and notification processes were never restarted: they reconnect by themselves.
          await d.stack.startService("billing");
        },
      });
    });

    it("re-sending the same orders inside and outside the duplicate window", async () => {
      await drill("re-publish", {
        env: { NATS_DUPLICATE_WINDOW_MS: "1000" },
        rate: 50,
        durationMs: 1_000,
        async after(d, result) {
          const orders = result.orders.map((x) => labOrderById(d.runId, x.orderId));
          for (const order of orders) await d.target.place(order).catch(() => undefined);
          if (can.hasBroker) {
            // Outside the window: the stream takes the first order's id again.
            const js = (await brokerOf(d.stack).natsConnection()).jetstream();
            const first = orders[0]!;
            const { data, headers } = encodePayload(ROUTES.orderPlaced.payload, first);
            await eventually(
              "the duplicate window to pass",
              async () => ((await js.publish("orders.placed", data, { headers, msgID: first.orderId })).duplicate ? undefined : true),
              10_000,
              100,
            );
          }
          for (const order of orders) await d.target.place(order).catch(() => undefined);
        },
      });
    });

    it("restarting a consumer while messages are in flight", async () => {
      let inFlightAtKill = -1;
      await drill("restart-consumer", {
        rate: 200,
        durationMs: 2_000,
        faults: (d, t) =>
          t.at(700, "notification SIGKILL with work in flight", async () => {
            if (can.hasBroker) {
              const jsm = await (await brokerOf(d.stack).natsConnection()).jetstreamManager();
              inFlightAtKill = await eventually(
                "messages ack-pending at the mailer",
                async () => {
                  const n = (await jsm.consumers.info(CONSUMERS.mailer.stream, CONSUMERS.mailer.durable)).num_ack_pending;
                  return n > 0 ? n : undefined;
                },
                10_000,
                1,
              );
            }
            await d.stack.control.stop("notification", "SIGKILL");
            await d.stack.startService("notification");
          }),
      });
      if (can.hasBroker) expect(inFlightAtKill).to.be.greaterThan(0);
    });
  });
}
