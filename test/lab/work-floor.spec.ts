import { expect } from "chai";
import { readdirSync } from "node:fs";
import { dataPaths } from "../../services/common/data-paths.js";
import { labOrder } from "../../testbed/load/lab-order.js";
import { startWorkFloor, type WorkFloor } from "../../lab/systems/work-floor.js";

describe("the work floor (npm run floor)", () => {
  let floor: WorkFloor;
  beforeEach(async () => (floor = await startWorkFloor()));
  afterEach(() => floor.stop());

  it("does each order's real work: a row per database, an invoice document and an e-mail", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => floor.target.place(labOrder("floor", i))));
    const paths = dataPaths(floor.dataDir);
    expect(readdirSync(paths.invoicesDir).filter((f) => f.endsWith(".html"))).to.have.length(20);
    expect(readdirSync(paths.outboxDir).filter((f) => f.endsWith(".eml"))).to.have.length(20);
  });

  it("charges each core only its own work, even for orders sent in one tick", async () => {
    const from = process.cpuUsage();
    await Promise.all(Array.from({ length: 20 }, (_, i) => floor.target.place(labOrder("floor", i))));
    const used = process.cpuUsage(from);
    const window = (used.user + used.system) / 1000;
    const { order, billing, notification } = floor.cpu();
    for (const share of [order, billing, notification]) expect(share).to.be.greaterThan(0);
    // Windows that overlapped would count one order's work under another's too, and add up to more than the process used.
    expect(order + billing + notification).to.be.at.most(window);
  });
});
