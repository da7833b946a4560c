import type { Mode } from "../services/common/config.js";
import type { CertificateSet } from "../testbed/certs.js";
import type { LabNet } from "../testbed/net/lab-net.js";
import type { LabSettings } from "./settings.js";
import type { NoiseProbe } from "./measure/noise-probe.js";
import type { RoundShare } from "./measure/round-budget.js";

/** What every scenario runs with: the settings, where its output goes, and the modes it compares. */
export interface LabContext {
  settings: LabSettings;
  outDir: string;
  modes: Mode[];
  log(line: string): void;
  /** --secure: every scenario runs the secure profile (mutual TLS; NATS NKeys with least privilege). */
  secure?: boolean;
  /**
   * --net: the lab network (root). Every process of a mode's stack runs on a host of its own; the
   * client, the bare chains and the work floor stay on the main host.
   */
  net?: LabNet;
  /**
   * --nats-server PATH: a nats-server the broker-versions scenario prices against the default one
   * (default: Debian 13's 2.10, fetched into .tools/ when it can be).
   */
  otherNatsServer?: string;
  /** The lab's development certificates, made once per run when a secure run needs them. */
  certificates?(): CertificateSet;
  /** The machine's noise, probed at every measured round. */
  probes: NoiseProbe[];
  /** The running scenario's share of the run's budget for rounds past a comparison's cap (none when absent). */
  roundShare?: RoundShare;
}
