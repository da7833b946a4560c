import type { Logger } from "./logger.js";

/**
 * Runs `close` once on the first SIGINT or SIGTERM; a second signal exits at
 * once, for an operator who does not want to wait for the grace period.
 */
export function closeOnSignals(close: () => Promise<void>, log: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn("second signal; exiting without waiting", { signal });
      process.exit(130);
    }
    closing = true;
    log.info("shutting down", { signal });
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("shutdown failed", { err });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
