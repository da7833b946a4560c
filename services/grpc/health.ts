import type { ServerUnaryCall, ServerWritableStream, sendUnaryData } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import {
  HealthCheckResponse_ServingStatus as Serving,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from "../gen/grpc/health/v1/health.js";

export { Serving };

/** grpc.health.v1 Check and Watch over a status per service name ("" is the whole server). */
export class HealthRegistry {
  readonly #statuses = new Map<string, Serving>();
  readonly #watchers = new Map<string, Set<ServerWritableStream<HealthCheckRequest, HealthCheckResponse>>>();

  constructor(serviceNames: readonly string[]) {
    for (const name of ["", ...serviceNames]) this.#statuses.set(name, Serving.SERVING);
  }

  setAll(value: Serving): void {
    for (const name of this.#statuses.keys()) this.set(name, value);
  }

  set(service: string, value: Serving): void {
    this.#statuses.set(service, value);
    for (const w of this.#watchers.get(service) ?? []) w.write({ status: value });
  }

  /** Ends every Watch stream, so that a graceful shutdown is not held open by watchers. */
  endWatches(): void {
    for (const set of this.#watchers.values()) for (const w of set) w.end();
    this.#watchers.clear();
  }

  readonly server: HealthServer = {
    check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
      const value = this.#statuses.get(call.request.service);
      if (value === undefined) callback({ code: status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
      else callback(null, { status: value });
    },
    watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      const service = call.request.service;
      call.write({ status: this.#statuses.get(service) ?? Serving.SERVICE_UNKNOWN });
      let set = this.#watchers.get(service);
      if (!set) this.#watchers.set(service, (set = new Set()));
      set.add(call);
      call.on("cancelled", () => set.delete(call));
    },
  };
}
