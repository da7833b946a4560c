import type { Context } from "mocha";
import { labNetUnavailable } from "../../testbed/net/lab-net.js";

/** Skips the suite, saying why, where this process cannot make a lab network (not root, no ip or iptables). */
export function needsLabNet(ctx: Context): void {
  const why = labNetUnavailable();
  if (why) {
    console.log(`      skipped: ${why}`);
    ctx.skip();
  }
}
