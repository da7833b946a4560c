// npm run nats:status [-- --json] [--tls-ca F --tls-cert F --tls-key F --nkey-seed F]: streams, consumers,
// dead letters and services of the NATS mode. In the secure profile it reads as admin (NATS_NKEY_SEED_FILE, TLS_*).
import { connect } from "nats";
import { parseArgs } from "node:util";
import { credentialOptions } from "../services/nats/connection.js";
import { readDeadLetters } from "../services/nats/inspect.js";
import { CONSUMERS, STREAMS } from "../services/nats/topology.js";
import { CLIENT_FLAGS, clientSettings } from "../testbed/client-settings.js";
import { recordedMonitorUrl, recordedNatsUrl } from "../testbed/nats-url-file.js";

function table(rows: Array<Array<string | number>>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (typeof c === "number" ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR ?? "./data/nats";
  const url = process.env.NATS_URL ?? recordedNatsUrl(dataDir);
  if (!url) throw new Error("set NATS_URL, or run `npm run start:nats` first (it records its managed server's URL under DATA_DIR)");
  // The secure profile: an identity that may read everything (admin), as NATS_NKEY_SEED_FILE and TLS_* (or the flags).
  const { values } = parseArgs({ options: { json: { type: "boolean", default: false }, ...CLIENT_FLAGS } });
  const { seedFile, tls } = clientSettings(values, process.env);
  const credentials = credentialOptions({ identity: "admin", seedFile, tls });
  const nc = await connect({ servers: url.split(","), name: "nats-status", timeout: 3_000, ...credentials });
  try {
    const jsm = await nc.jetstreamManager();
    const streams = [];
    for (const name of Object.values(STREAMS)) {
      const info = await jsm.streams.info(name).catch(() => undefined);
      if (info)
        streams.push({
          name,
          subjects: info.config.subjects ?? [],
          messages: info.state.messages,
          bytes: info.state.bytes,
          firstSeq: info.state.first_seq,
          lastSeq: info.state.last_seq,
          replicas: info.config.num_replicas,
          // In a cluster: which server leads the stream, and how far each replica is behind.
          leader: info.cluster?.leader ?? "",
          followers: (info.cluster?.replicas ?? []).map((r) => ({ name: r.name, current: r.current, lag: r.lag ?? 0 })),
        });
    }
    const consumers = [];
    for (const c of Object.values(CONSUMERS)) {
      const info = await jsm.consumers.info(c.stream, c.durable).catch(() => undefined);
      if (info)
        consumers.push({
          stream: c.stream,
          durable: c.durable,
          owner: c.owner,
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          redelivered: info.num_redelivered,
          waiting: info.num_waiting,
          delivered: info.delivered.stream_seq,
          ackFloor: info.ack_floor.stream_seq,
          maxAckPending: info.config.max_ack_pending ?? 0,
        });
    }
    const deadLetters = await readDeadLetters(jsm, 50);
    const services = [];
    try {
      for await (const s of await nc.services.client().info())
        services.push({ name: s.name, id: s.id, version: s.version, endpoints: s.endpoints.map((e) => e.subject) });
    } catch {
      // No service answered: none is running.
    }
    const monitorUrl = process.env.NATS_MONITOR_URL ?? recordedMonitorUrl(dataDir);
    const health = monitorUrl
      ? await fetch(`${monitorUrl}/healthz?js-enabled-only=true`).then(
          async (r) => `${r.status} ${((await r.json()) as { status?: string }).status ?? ""}`.trim(),
          (err: unknown) => `unreachable (${(err as Error).message})`,
        )
      : undefined;
    const report = { server: nc.info?.version, url, monitorUrl, health, streams, consumers, deadLetters, services };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(`nats-server v${report.server} (${nc.info?.server_name ?? "unnamed"}) at ${url}`);
    console.log(
      monitorUrl
        ? `Monitoring: ${monitorUrl}/varz (server), ${monitorUrl}/jsz (JetStream), ${monitorUrl}/healthz: ${health}\n`
        : "Monitoring: not known (run nats-server with -m PORT and set NATS_MONITOR_URL)\n",
    );
    console.log("Streams (work-queue streams: messages = backlog not yet acknowledged)");
    console.log(
      table([
        ["stream", "subjects", "messages", "bytes", "first", "last", "replicas", "leader", "followers (current, lag)"],
        ...streams.map((s) => [
          s.name,
          s.subjects.join(","),
          s.messages,
          s.bytes,
          s.firstSeq,
          s.lastSeq,
          s.replicas,
          s.leader || "–",
          s.followers.map((f) => `${f.name} ${f.current ? "current" : "behind"} ${f.lag}`).join("; ") || "–",
        ]),
      ]),
    );
    console.log("\nConsumers");
    console.log(
      table([
        ["stream/consumer", "service", "pending", "ack-pending", "max-ack-pending", "redelivered", "waiting pulls"],
        ...consumers.map((c) => [`${c.stream}/${c.durable}`, c.owner, c.pending, c.ackPending, c.maxAckPending, c.redelivered, c.waiting]),
      ]),
    );
    console.log(`\nDead letters (${deadLetters.length}${deadLetters.length === 50 ? ", newest 50" : ""})`);
    if (deadLetters.length > 0)
      console.log(
        table([
          ["seq", "time", "from", "stream/seq", "deliveries", "reason"],
          ...deadLetters.map((d) => [d.seq, d.at, d.originalSubject, `${d.originalStream}/${d.originalSequence}`, d.deliveries, d.reason]),
        ]),
      );
    console.log(`\nServices ($SRV): ${services.length === 0 ? "none answering" : ""}`);
    for (const s of services) console.log(`  ${s.name} ${s.version} ${s.id}  ${s.endpoints.join(", ")}`);
  } finally {
    await nc.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`nats:status: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
