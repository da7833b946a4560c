import type { Mode } from "../../services/common/config.js";
import { runOf, sustainedRateText, type LabReport } from "./lab-report.js";
import type { ScenarioId, ScenarioResult } from "./scenarios.js";
import { show } from "./show.js";

/** The lesson's claim each scenario puts to the test. */
export const CLAIMS: Record<ScenarioId, string> = {
  baseline: "Synchronous: the client waits for the server's answer. Asynchronous: the client does not wait; the broker takes the request.",
  capacity: "Too many requests can overload a server; with a broker the server decides how much it takes.",
  cluster: "A broker can be replicated so that losing a server loses nothing; every message is then written on a quorum of servers before it is acknowledged.",
  "scale-out":
    "Synchronous: the client must know the address of each server, so a new server is used only once its callers are told. Asynchronous: a new consumer takes work from the queue at once; nobody else needs to know.",
  secure:
    "Both ways can be made to trust only who they must: a gRPC server checks each caller's certificate; a broker checks each client's key and what subjects it may use.",
  traces:
    "Synchronous: the client waits while the whole chain runs inside its call. Asynchronous: the client hands the order over at once; the work happens later, step by step, as each message is taken from its stream.",
  down: "Synchronous: a failed request must be sent again. Asynchronous: an unprocessed request goes back to the queue.",
  overload: "A server is not overloaded by surplus requests in the asynchronous model: it takes what it can, the rest stays in the queue.",
  crash: "A client must resend a request that failed; a broker keeps it until it is processed.",
  addresses: "Synchronous: the client must know the address of each server. Asynchronous: the broker's address is enough.",
};

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "not measured" : `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ms`);
const n = (v: unknown) => (v === undefined ? "not measured" : show(v));

function fig(s: ScenarioResult, mode: Mode, key: string): string {
  return n(runOf(s, mode)?.figures[key]);
}

/** Two or three plain sentences per scenario, built only from figures measured in this run. */
export function explain(s: ScenarioResult, report: LabReport): string {
  const g = runOf(s, "grpc");
  const x = runOf(s, "nats");
  const parts: string[] = [];
  switch (s.id) {
    case "baseline":
      if (g?.load)
        parts.push(
          `gRPC answered each order only when billing and the e-mail were done: median ${ms(g.load.complete.p50)} to complete, p99 ${ms(g.load.complete.p99)}, and the client waited all of it.`,
        );
      if (x?.load)
        parts.push(
          `NATS answered as soon as the stream held the order (median ${ms(x.load.accept.p50)}); the order completed a median ${ms(x.load.complete.p50)} after it was sent, while the client was free.`,
        );
      parts.push(
        `Every system was first warmed up with ${(report.settings.warmupRate * report.settings.warmupMs) / 1000} orders at ${report.settings.warmupRate}/s, unmeasured, so that JIT compilation is not charged to orders.`,
      );
      for (const m of ["grpc", "nats"] as const) {
        const run = runOf(s, m);
        const bare = s.raw?.find((r) => r.mode === m);
        if (!run?.cpu) continue;
        const own = `${run.cpu.total} ms${run.cpu.broker === null ? "" : ` plus ${run.cpu.broker} ms in the broker`}`;
        const vs = bare?.cpu
          ? `; its bare chain ${bare.cpu.total} ms${bare.cpu.broker === null ? "" : ` plus ${bare.cpu.broker} ms`} (${report.ratios[m]?.cpuRatio ?? "–"}×)`
          : "";
        parts.push(`CPU per order in the ${m === "grpc" ? "gRPC" : "NATS"} services: ${own}${vs}.`);
      }
      break;
    case "capacity": {
      const ratio = (m: Mode) => report.ratios[m]?.capacityRatio;
      const st = report.settings;
      parts.push(
        `A rate counts as sustained when it runs ${st.capacityStepMs / 1000} s with completion p99 under ${st.p99BoundMs} ms and under ${st.errorBound * 100}% errors. ` +
          `Each of ${st.capacityRounds} round(s) searched every system in turn, a mode next to its bare chain; the figure is the median of the rounds, with their range in brackets.`,
      );
      if (g) parts.push(`gRPC sustained ${sustainedRateText(g)} orders/s${ratio("grpc") ? ` (${ratio("grpc")} of its bare grpc-js chain)` : ""}.`);
      if (x) parts.push(`NATS sustained ${sustainedRateText(x)} orders/s${ratio("nats") ? ` (${ratio("nats")} of its bare JetStream chain)` : ""}.`);
      for (const m of ["grpc", "nats"] as const) {
        const run = runOf(s, m);
        const broke = (run?.steps ?? []).filter((p) => !p.held).sort((a, b) => a.rate - b.rate)[0];
        if (broke) {
          const errors = Object.values(broke.errors).reduce((a, b) => a + b, 0);
          parts.push(
            `At ${broke.rate}/s ${m === "grpc" ? "gRPC" : "NATS"} broke the bound: p99 ${ms(broke.complete.p99)}, ${broke.completed} of ${broke.sent} completed, ${errors} errors.`,
          );
        }
        const rss = run?.rssMiBPeak;
        if (rss)
          parts.push(
            `Peak memory of the ${m === "grpc" ? "gRPC" : "NATS"} services: ${Object.entries(rss)
              .map(([k, v]) => `${k} ${v} MiB`)
              .join(", ")}.`,
          );
      }
      break;
    }
    case "traces": {
      for (const [m, run] of [
        ["gRPC", g],
        ["NATS", x],
      ] as const) {
        const w = run?.waterfalls?.[0];
        if (!run || !w) continue;
        const waited = w.rows.reduce((sum, r) => sum + (r.waitedMs ?? 0), 0);
        parts.push(
          m === "gRPC"
            ? `The median traced gRPC order is ${w.rows.length} spans over ${ms(w.totalMs)}, and the client's call spans ${ms(w.clientWaitMs)} of it: the whole chain ran while it waited.`
            : `The median traced NATS order is ${w.rows.length} spans over ${ms(w.totalMs)}; the client's publish took ${ms(w.clientWaitMs)}, and its messages then waited ${ms(waited)} in all in the streams before a consumer took them.`,
        );
        parts.push(
          `Tracing every order cost ${m} ${show(run.figures.tracingCostMsPerOrder)} ms of CPU per order (${show(run.figures.cpuMsPerOrderUntraced)} → ${show(run.figures.cpuMsPerOrderTraced)} ms, services and broker, ${show(run.figures.tracingCostShare)}) for ${show(run.figures.spansPerOrder)} spans per order.`,
        );
      }
      break;
    }
    case "cluster":
      if (x)
        parts.push(
          `On one machine, a 3-node JetStream cluster with every stream replicated three times cost ${fig(s, "nats", "cpuMsPerOrderThreeReplicas")} ms of CPU per order against ${fig(s, "nats", "cpuMsPerOrderOneServer")} on one server (${fig(s, "nats", "replicationCostShare")}; the brokers alone ${fig(s, "nats", "brokerCpuThreeNodes")} against ${fig(s, "nats", "brokerCpuOneServer")}); the client's answer took ${ms(Number(x.figures.acceptP50ThreeReplicas))} against ${ms(Number(x.figures.acceptP50OneServer))} at the median, completion ${ms(Number(x.figures.completeP50ThreeReplicas))} against ${ms(Number(x.figures.completeP50OneServer))}; the highest sustained rate was ${fig(s, "nats", "capacityThreeReplicas")} against ${fig(s, "nats", "capacityOneServer")} orders/s. The nodes share the machine's cores: this is replication's overhead, not scale.`,
        );
      break;
    case "scale-out":
      if (g)
        parts.push(
          `Billing was made the bottleneck (${report.settings.scaleOutProviderDelayMs} ms per invoice, ${report.settings.scaleOutProviderConcurrency} at once: about ${fig(s, "grpc", "onePerReplica")} orders/s per process) under ${fig(s, "grpc", "offeredRate")} orders/s. In gRPC mode the running order service could not use billing-2 until it was restarted with the new address: billing-2 took traffic ${fig(s, "grpc", "replicaTookTrafficAfterMs")} ms after it started, ${fig(s, "grpc", "failedWhileChanging")} orders failed to the client meanwhile, and completions went from ${fig(s, "grpc", "completedPerSecBefore")} to ${fig(s, "grpc", "completedPerSecAfter")} per second.`,
        );
      if (x)
        parts.push(
          `In NATS mode billing-2 joined the same durable consumer and took work ${fig(s, "nats", "replicaTookTrafficAfterMs")} ms after it started, with no configuration change anywhere; completions went from ${fig(s, "nats", "completedPerSecBefore")} to ${fig(s, "nats", "completedPerSecAfter")} per second.`,
        );
      break;
    case "secure":
      for (const [m, run] of [
        ["gRPC", g],
        ["NATS", x],
      ] as const) {
        if (!run) continue;
        const what = m === "gRPC" ? "mutual TLS on every call" : "mutual TLS, NKey authentication and subject permissions";
        parts.push(
          `The secure profile (${what}) cost ${m} ${show(run.figures.securityCostMsPerOrder)} ms of CPU per order (${show(run.figures.cpuMsPerOrderPlain)} → ${show(run.figures.cpuMsPerOrderSecure)} ms, services and broker, ${show(run.figures.securityCostShare)}); completion p50 went from ${ms(Number(run.figures.completeP50Plain))} to ${ms(Number(run.figures.completeP50Secure))}.`,
        );
      }
      break;
    case "down":
      if (g)
        parts.push(
          `While billing was down for ${fig(s, "grpc", "outageMs")} ms, ${fig(s, "grpc", "failedToClient")} gRPC orders (${fig(s, "grpc", "failedShare")}%) failed to the client, ${fig(s, "grpc", "outcomeUnknownToClient")} of them with an outcome the client could not know; re-sending the failed ones with the same id completed ${fig(s, "grpc", "resentCompleted")}.`,
        );
      if (x)
        parts.push(
          `NATS accepted ${fig(s, "nats", "acceptedDuringOutage")} of the ${fig(s, "nats", "sentDuringOutage")} orders sent during the outage; ${n(x.audit?.lost)} were lost, and the backlog drained ${ms(Number(x.figures.drainAfterRestartMs))} after billing came back.`,
        );
      break;
    case "overload": {
      const base = report.scenarios.find((x) => x.id === "baseline");
      const growth = (m: Mode) => {
        const before = runOf(base, m)?.load?.complete.p99;
        return before ? ` (${ms(before)} at the baseline rate)` : "";
      };
      if (g)
        parts.push(
          `Offered ${report.settings.overloadRate} orders/s with ${report.settings.overloadLimit} calls in flight allowed per server, gRPC shed ${fig(s, "grpc", "resourceExhausted")} orders with RESOURCE_EXHAUSTED and ${fig(s, "grpc", "deadlineExceeded")} hit the ${report.settings.overloadDeadlineMs} ms deadline; the completion p99 of the orders it took was ${ms(g.load?.complete.p99)}${growth("grpc")}.`,
        );
      if (x)
        parts.push(
          `NATS kept in-flight work at most ${fig(s, "nats", "maxConsumerAckPending")} per consumer (max_ack_pending ${report.settings.overloadLimit}) while up to ${fig(s, "nats", "maxBacklog")} messages waited in the streams; ${n(x.audit?.lost)} orders were lost and the backlog drained ${ms(Number(x.figures.drainAfterLastSendMs))} after the last send; completion p99 was ${ms(x.load?.complete.p99)}${growth("nats")}.`,
        );
      break;
    }
    case "crash":
      if (g)
        parts.push(
          `Killing the gRPC order service failed ${fig(s, "grpc", "failedToClient")} calls to the client; re-sending them completed ${fig(s, "grpc", "resentCompleted")}; duplicates: ${fig(s, "grpc", "duplicated")}.`,
        );
      if (x)
        parts.push(
          `Killing the NATS order service lost ${fig(s, "nats", "lost")} orders: unacknowledged messages were redelivered after restart; ${fig(s, "nats", "completed")} completed, duplicates: ${fig(s, "nats", "duplicated")}.`,
        );
      break;
    case "addresses": {
      const count = (m: Mode) => {
        const a = runOf(s, m)?.addresses ?? {};
        return new Set(
          Object.values(a).flatMap((env) =>
            Object.entries(env)
              .filter(([k]) => k !== "GRPC_LISTEN_ADDR")
              .map(([, v]) => v),
          ),
        ).size;
      };
      if (g)
        parts.push(
          `In gRPC mode the order service had to be given billing's and notification's addresses (${count("grpc")} distinct server addresses in all), and a new replica means new configuration for its callers.`,
        );
      if (x) parts.push(`In NATS mode every service was given one address, the broker's (${count("nats")} distinct address in all).`);
      break;
    }
  }
  parts.push(`The lesson's claim: ${CLAIMS[s.id]}`);
  return parts.join(" ");
}

/** What one mode did in one scenario, in a few plain words, for the verdict table that opens the report. */
function verdict(s: ScenarioResult, mode: Mode, report: LabReport): string {
  const r = runOf(s, mode);
  if (!r) return s.id === "cluster" ? "not applicable: no broker to replicate" : "not run";
  const f = (k: string) => n(r.figures[k]);
  const a = r.audit;
  const kept = a ? `lost ${a.lost}, duplicated ${a.duplicateInvoices + a.duplicateEmails}` : "";
  const ratio = report.ratios[mode];
  switch (s.id) {
    case "baseline": {
      const l = r.load;
      if (!l) return "not measured";
      const wait =
        mode === "grpc"
          ? `client waited for completion: p50 ${ms(l.complete.p50)}, p99 ${ms(l.complete.p99)}`
          : `client answered in ${ms(l.accept.p50)}; completed p50 ${ms(l.complete.p50)}, p99 ${ms(l.complete.p99)}`;
      const cpu = r.cpu
        ? `; ${r.cpu.broker === null ? r.cpu.total : `${r.cpu.total} + ${r.cpu.broker} (broker)`} ms CPU per order${ratio?.cpuRatio ? `, ${ratio.cpuRatio}× its bare chain` : ""}`
        : "";
      return `${wait}${cpu}`;
    }
    case "capacity":
      return `sustained ${sustainedRateText(r)} orders/s${ratio?.capacityRatio ? ` (${ratio.capacityRatio} of its bare chain)` : ""}${r.rssMiBPeak ? `; largest service peaked at ${Math.max(...Object.values(r.rssMiBPeak))} MiB` : ""}`;
    case "traces": {
      const w = r.waterfalls?.[0];
      const shape = w ? `median order ${w.rows.length} spans over ${ms(w.totalMs)}, client waited ${ms(w.clientWaitMs)}; ` : "";
      return `${shape}tracing every order cost ${f("tracingCostMsPerOrder")} ms CPU per order (${f("tracingCostShare")})`;
    }
    case "cluster":
      return `3 replicas cost ${f("cpuMsPerOrderThreeReplicas")} vs ${f("cpuMsPerOrderOneServer")} ms CPU per order (${f("replicationCostShare")}); accept p50 ${ms(Number(r.figures.acceptP50ThreeReplicas))} vs ${ms(Number(r.figures.acceptP50OneServer))}; sustained ${f("capacityThreeReplicas")} vs ${f("capacityOneServer")} orders/s`;
    case "scale-out":
      return `${f("completedPerSecBefore")} → ${f("completedPerSecAfter")} completed/s; billing-2 took traffic after ${f("replicaTookTrafficAfterMs")} ms; configuration changed: ${f("configurationChanged")}; ${f("failedWhileChanging")} failed meanwhile`;
    case "secure":
      return `secure profile cost ${f("securityCostMsPerOrder")} ms CPU per order (${f("securityCostShare")}); complete p50 ${ms(Number(r.figures.completeP50Plain))} → ${ms(Number(r.figures.completeP50Secure))}`;
    case "down":
      return mode === "grpc"
        ? `${f("failedToClient")} orders failed to the client; ${f("resentCompleted")} completed when re-sent; ${kept}`
        : `accepted ${f("acceptedDuringOutage")} of ${f("sentDuringOutage")} sent while billing was down; drained ${ms(Number(r.figures.drainAfterRestartMs))} after it came back; ${kept}`;
    case "overload":
      return r.figures.maxBacklog === undefined
        ? `shed ${f("resourceExhausted")} orders (RESOURCE_EXHAUSTED), ${f("deadlineExceeded")} past the deadline; ${kept}`
        : `took every order: at most ${f("maxConsumerAckPending")} in flight per consumer, up to ${f("maxBacklog")} waiting; ${kept}`;
    case "crash":
      return mode === "grpc"
        ? `${f("failedToClient")} calls failed to the client; ${f("resentCompleted")} completed when re-sent; ${kept}`
        : `${f("completed")} completed after the restart with nothing re-sent; ${kept}`;
    case "addresses": {
      const vars = new Set(Object.values(r.addresses ?? {}).flatMap((env) => Object.keys(env).filter((k) => k !== "GRPC_LISTEN_ADDR")));
      return mode === "grpc" ? `the order service had to be given ${[...vars].join(" and ")}` : `every service was given only the broker's address`;
    }
  }
}

/** The table that opens the report: each scenario, what each mode did. */
export function verdictRows(report: LabReport): string[][] {
  return report.scenarios.map((s) => [s.title, verdict(s, "grpc", report), verdict(s, "nats", report)]);
}
