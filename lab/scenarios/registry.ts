import { addresses } from "./addresses.js";
import { baseline } from "./baseline.js";
import { brokerVersions } from "./broker-versions.js";
import { capacity } from "./capacity.js";
import { capacityEstimators } from "./capacity-estimators.js";
import { chaos } from "./chaos.js";
import { cluster } from "./cluster.js";
import { crash } from "./crash.js";
import { cutLink } from "./cut-link.js";
import { serverDown } from "./down.js";
import { durability } from "./durability.js";
import { latency } from "./latency.js";
import { overload } from "./overload.js";
import { partition } from "./partition.js";
import { scaleOut } from "./scale-out.js";
import type { Scenario } from "./scenario.js";
import { secure } from "./secure.js";
import { traces } from "./traces.js";

/** Every lab scenario, in the order `npm run compare` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  baseline,
  capacity,
  capacityEstimators,
  traces,
  secure,
  durability,
  brokerVersions,
  latency,
  scaleOut,
  cluster,
  serverDown,
  overload,
  crash,
  cutLink,
  partition,
  chaos,
  addresses,
];

export const SCENARIO_IDS: readonly string[] = SCENARIOS.map((s) => s.id);

/**
 * What a run without --scenarios runs: every scenario but those only asked for by name. The
 * partition scenario is one: it needs root, and it cuts a cluster apart for half a minute; so is
 * broker-versions, four NATS systems on two servers for several rounds.
 */
export const DEFAULT_SCENARIO_IDS: readonly string[] = SCENARIOS.filter((s) => !s.onlyByName).map((s) => s.id);
