import { SERVICE_NAMES, type ServiceName } from "../../services/common/config.js";
import type { ManagedNatsServer } from "../nats-server.js";
import type { ServiceControl } from "./stack.js";

/**
 * Service control for services inside this process: a service is stopped in order (its shutdown
 * runs) and started again; it cannot be killed or paused, which only a process of its own allows.
 * Broker nodes are processes of their own even then: each can be stopped, killed, paused, resumed.
 */
export function inProcessControl(
  services: { start(name: ServiceName): Promise<void>; stop(name: ServiceName): Promise<void> },
  nodes = new Map<string, ManagedNatsServer>(),
): ServiceControl {
  const service = (name: string): ServiceName => {
    if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
    throw new Error(`no service or broker node named ${name}; this stack has ${[...SERVICE_NAMES, ...nodes.keys()].join(", ")}`);
  };
  const pid = (name: string): number => {
    const node = nodes.get(name);
    if (!node) throw new Error(`${service(name)} runs inside this process and cannot be paused; start the stack with where: "processes"`);
    const p = node.pid();
    if (p === undefined) throw new Error(`broker node ${name} is not running`);
    return p;
  };
  return {
    names: () => [...SERVICE_NAMES, ...nodes.keys()],
    start: (name) => nodes.get(name)?.start() ?? services.start(service(name)),
    async stop(name, signal = "SIGTERM") {
      const node = nodes.get(name);
      if (node) return signal === "SIGKILL" ? node.kill() : node.stop();
      if (signal !== "SIGTERM")
        throw new Error(
          `${service(name)} runs inside this process: it stops in order (SIGTERM) only; start the stack with where: "processes" to send ${signal}`,
        );
      await services.stop(service(name));
    },
    pause: async (name) => {
      process.kill(pid(name), "SIGSTOP");
      await Promise.resolve();
    },
    resume: async (name) => {
      process.kill(pid(name), "SIGCONT");
      await Promise.resolve();
    },
  };
}
