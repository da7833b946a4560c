// npm run net:clean: removes what a lab network left behind (namespaces gvn-*, their processes, the
// bridge gvnbr0 and its FORWARD rule), e.g. after a run was killed. Root only.
import { cleanLabNet, labNetUnavailable } from "../testbed/net/lab-net.js";

const why = labNetUnavailable();
if (why) {
  process.stderr.write(`net:clean: ${why}\n`);
  process.exit(2);
}
const removed = cleanLabNet();
console.log(removed.length > 0 ? `removed: ${removed.join(", ")}` : "nothing to remove");
