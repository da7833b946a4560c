import { credentials, ServerCredentials, type ChannelCredentials, type Server, type ServerUnaryCall } from "@grpc/grpc-js";
import type { TLSSocket } from "node:tls";
import type { ServiceName } from "../common/config.js";
import type { Logger } from "../common/logger.js";
import type { TlsConfig } from "../common/tls-config.js";

/**
 * Who may call each service, by the common name of the caller's certificate:
 * only the order service calls billing and notification; customers' clients
 * (and an operator) call the order service. Health and reflection are not
 * listed: any authenticated caller may use them.
 */
export const ALLOWED_CALLERS: Record<ServiceName, readonly string[]> = {
  order: ["client", "admin"],
  billing: ["order"],
  notification: ["order"],
};

/** Mutual TLS with the configured CA (every client must present a certificate it signed), or plaintext. */
export function serverCredentials(tls: TlsConfig | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/** The client side: present our certificate, verify the server's against the CA. */
export function channelCredentials(tls: Pick<TlsConfig, "ca" | "cert" | "key"> | undefined): ChannelCredentials {
  return tls ? credentials.createSsl(tls.ca, tls.key, tls.cert) : credentials.createInsecure();
}

/** The authenticated caller of a call: its certificate's common name; undefined without TLS. */
export function callerIdentity(call: ServerUnaryCall<unknown, unknown>): string | undefined {
  const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
  return typeof cn === "string" ? cn : undefined;
}

/** Why a call is refused, or undefined when its caller may make it. */
export function refusal(allowed: readonly string[] | undefined, caller: string | undefined, path: string): string | undefined {
  if (!allowed || caller === undefined) return undefined;
  return allowed.includes(caller) ? undefined : `caller "${caller}" may not call ${path.replace(/^\//, "")}`;
}

interface Http2Servers {
  http2Servers?: Map<{ on(event: "tlsClientError", listener: (err: Error, socket: TLSSocket) => void): void }, unknown>;
}

/**
 * Logs every refused TLS handshake (no certificate, another CA, expired)
 * with the peer and the reason. grpc-js refuses them itself and serves on,
 * but says nothing; its HTTP/2 servers are not public, so this reaches them
 * through the Server's own field, and logs nothing if a grpc-js release renames it.
 */
export function logRefusedHandshakes(server: Server, log: Logger): void {
  const servers = (server as unknown as Http2Servers).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const http2 of servers.keys())
    http2.on("tlsClientError", (err, socket) =>
      // A client certificate that failed verification ends the handshake with the verifier's code
      // (e.g. CERT_HAS_EXPIRED) on authorizationError; the error itself only says the socket hung up.
      // The socket is closed by then when the certificate was refused, and no longer knows its peer.
      log.warn("TLS handshake refused", {
        peer: socket.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`,
        reason: String(socket.authorizationError ?? err.message).trim(),
      }),
    );
}
