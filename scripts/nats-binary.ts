// npm run nats:binary [-- --suite sid|trixie] [--or-skip] [-- COMMAND ...]: which nats-server the project runs.
// Without --suite: the default (NATS_SERVER_BIN, else the newest there is, fetched from Debian unstable
// when missing). With --suite: that Debian suite's package in .tools/, fetched when missing (root with
// apt). Prints the binary's path on stdout and a line naming it and its version on stderr; given a
// COMMAND, runs it with NATS_SERVER_BIN set to that binary instead and exits with its status.
// --or-skip: when the binary cannot be had, say why and exit 0 (the suite's 2.10 drills in npm test).
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { describeNatsServer, ensureNatsServer, ensureSuiteNatsServer, NATS_SUITES, type NatsSuite } from "../testbed/nats-server.js";

const { values, positionals } = parseArgs({
  options: { suite: { type: "string" }, "or-skip": { type: "boolean", default: false } },
  allowPositionals: true,
});
const suite = values.suite;
if (suite !== undefined && !(NATS_SUITES as readonly string[]).includes(suite)) {
  process.stderr.write(`nats:binary: --suite ${JSON.stringify(suite)} must be one of ${NATS_SUITES.join(", ")}\n`);
  process.exit(2);
}

let binary: string;
try {
  binary = suite ? ensureSuiteNatsServer(suite as NatsSuite) : ensureNatsServer();
} catch (err) {
  const why = `nats:binary: ${(err as Error).message}`;
  if (!values["or-skip"]) {
    process.stderr.write(`${why}\n`);
    process.exit(1);
  }
  process.stderr.write(`${why}; skipped${positionals.length > 0 ? `: ${positionals.join(" ")}` : ""}\n`);
  process.exit(0);
}
process.stderr.write(`${describeNatsServer(binary)}\n`);
if (positionals.length === 0) {
  process.stdout.write(`${binary}\n`);
} else {
  const [command, ...args] = positionals;
  const run = spawnSync(command!, args, { stdio: "inherit", env: { ...process.env, NATS_SERVER_BIN: binary } });
  if (run.error) {
    process.stderr.write(`nats:binary: ${command}: ${run.error.message}\n`);
    process.exit(1);
  }
  process.exit(run.status ?? 1);
}
