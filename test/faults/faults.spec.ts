import { describeFaultDrills } from "./fault-drills.contract.js";

describeFaultDrills({ mode: "grpc", clientSeesFailures: true, hasBroker: false });
describeFaultDrills({ mode: "nats", clientSeesFailures: false, hasBroker: true });
