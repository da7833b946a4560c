/**
 * How a client on this host names a server here: over TLS by the name the certificates carry, since
 * a TLS client given an IP address sends it as the server name, which Node warns against (DEP0123).
 */
export function loopbackHost(secure: boolean): string {
  return secure ? "localhost" : "127.0.0.1";
}
