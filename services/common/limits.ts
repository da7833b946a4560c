/** The largest request or message either mode accepts; a valid order is far smaller (tens of KiB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * V8 heap budget of every service process, given to node by whatever starts a service (the
 * start scripts, the lab, the image's entry point). Left to itself, V8 sizes its heap to the
 * machine's memory and lets garbage pile up: under overload an order service reached 190 MiB
 * resident with about 20 MiB of it live. With these limits it stayed near 120 MiB and did the
 * same work; the lab's capacity scenario reports the resident peak and the CPU it costs.
 */
export const SERVICE_NODE_FLAGS = ["--max-old-space-size=96", "--max-semi-space-size=8"] as const;
