import { describeFaultDrills } from "./fault-drills.contract.js";

describeFaultDrills("grpc");
describeFaultDrills("nats");
