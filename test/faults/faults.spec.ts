import { describeFaultDrills } from "./fault-drills.contract.js";

describeFaultDrills({ mode: "grpc", hasBroker: false });
describeFaultDrills({ mode: "nats", hasBroker: true });
