import { connectivityState, type Client } from "@grpc/grpc-js";
import type { Logger } from "../common/logger.js";

/**
 * Logs when a downstream service becomes unreachable (its channel loses its connection, or cannot
 * make one) and when it is reachable again. A silent peer (a cut network: no answer, no reset) is
 * noticed by the channel's keepalive (channelOptions: within 8 s), which closes the connection;
 * a peer that went away, by the reset. The log line is what operators (and the cut-link drill)
 * read; calls fail on their deadlines either way.
 */
export function watchReachability(client: Client, peer: string, log: Logger): void {
  const channel = client.getChannel();
  // Unknown until the first connection; going idle (no calls for a while) says nothing either way.
  let reachable: boolean | undefined;
  const watch = (state: connectivityState) => {
    try {
      channel.watchConnectivityState(state, Infinity, (err) => {
        if (err) return;
        const now = channel.getConnectivityState(false);
        if (now === connectivityState.SHUTDOWN) return;
        if (now === connectivityState.READY) {
          if (reachable === false) log.info(`${peer} reachable again`, { peer, target: channel.getTarget() });
          reachable = true;
        } else if ((now === connectivityState.CONNECTING && reachable === true) || now === connectivityState.TRANSIENT_FAILURE) {
          if (reachable !== false) log.warn(`${peer} unreachable`, { peer, target: channel.getTarget(), state: connectivityState[now] });
          reachable = false;
        }
        watch(now);
      });
    } catch {
      // The channel was closed: the service is shutting down.
    }
  };
  watch(channel.getConnectivityState(false));
}
