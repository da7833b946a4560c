import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJsonTraces, decodeProtobufTraces, type ReceivedSpan } from "./otlp-decode.js";

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT (spans arrive at /v1/traces). */
  endpoint: string;
  readonly spans: readonly ReceivedSpan[];
  /** The Content-Types the exports came with, e.g. to check which protocol a service used. */
  readonly contentTypes: ReadonlySet<string>;
  /** Forgets the spans received so far. */
  clear(): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A minimal OTLP/HTTP traces receiver on 127.0.0.1: what the lab and the tests
 * give the services as their collector, keeping every span in memory. It takes
 * both encodings (http/protobuf and http/json) and answers as a collector does.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string>();
  const server = createServer((req, res) => {
    void (async () => {
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      try {
        const raw = await body(req);
        if (type === "application/json") spans.push(...decodeJsonTraces(raw.toString("utf8")));
        else if (type === "application/x-protobuf") spans.push(...decodeProtobufTraces(raw));
        else {
          res.writeHead(415).end(`unsupported content type ${type}`);
          return;
        }
        contentTypes.add(type);
        // An empty ExportTraceServiceResponse: "{}" in JSON, no bytes in protobuf.
        res.writeHead(200, { "content-type": type }).end(type === "application/json" ? "{}" : undefined);
      } catch (err) {
        res.writeHead(400).end(`undecodable export: ${(err as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    clear: () => void spans.splice(0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
