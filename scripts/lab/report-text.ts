import type { Mode } from "../../services/common/config.js";
import { runOf, sustainedRateText, type LabReport } from "./lab-report.js";
import type { ScenarioId, ScenarioResult } from "./scenarios.js";
import { show } from "./show.js";

/** The lesson's claim each scenario puts to the test. */
export const CLAIMS: Record<ScenarioId, string> = {
  baseline: "Synchronous: the client waits for the server's answer. Asynchronous: the client does not wait; the broker takes the request.",
  capacity: "Too many requests can overload a server; with a broker the server decides how much it takes.",
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
      if (g && x)
        parts.push(
          `CPU per order: ${fig(s, "grpc", "servicesCpuMsPerOrder")} ms in the gRPC services; ${fig(s, "nats", "servicesCpuMsPerOrder")} ms in the NATS services plus ${fig(s, "nats", "brokerCpuMsPerOrder")} ms in the broker.`,
        );
      break;
    case "capacity": {
      const ratio = (m: Mode) => report.ratios[m]?.capacityRatio;
      parts.push(`Each step offered its rate for ${report.settings.capacityStepMs / 1000} s.`);
      if (g)
        parts.push(
          `gRPC sustained ${sustainedRateText(g)} orders/s with completion p99 under ${report.settings.p99BoundMs} ms${ratio("grpc") ? ` (${ratio("grpc")} of its bare grpc-js chain)` : ""}.`,
        );
      if (x)
        parts.push(
          `NATS sustained ${sustainedRateText(x)} orders/s by the same bound${ratio("nats") ? ` (${ratio("nats")} of its bare JetStream chain)` : ""}.`,
        );
      for (const m of ["grpc", "nats"] as const) {
        const steps = runOf(s, m)?.steps ?? [];
        const broke = steps.find((st) => st.rate > Number(runOf(s, m)?.figures.highestSustainedRate ?? 0));
        if (broke) {
          const errors = Object.values(broke.errors).reduce((a, b) => a + b, 0);
          parts.push(
            `At ${broke.rate}/s ${m === "grpc" ? "gRPC" : "NATS"} broke the bound: p99 ${ms(broke.complete.p99)}, ${broke.completed} of ${broke.sent} completed, ${errors} errors.`,
          );
        }
      }
      break;
    }
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
