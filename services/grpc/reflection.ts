import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { fileURLToPath } from "node:url";

export const PROTO_ROOT = fileURLToPath(new URL("../../proto/", import.meta.url));

const FILES = ["shop/v1/order.proto", "shop/v1/billing.proto", "shop/v1/notification.proto", "grpc/health/v1/health.proto"];

/**
 * Server reflection (v1 and v1alpha) for the given services, read from the
 * same .proto files the code is generated from. The health proto is the
 * project's own copy, which has no map fields (see health.proto).
 */
export function reflectionFor(serviceNames: readonly string[]): ReflectionService {
  const definition = loadSync(FILES, { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true });
  return new ReflectionService(definition, { services: [...serviceNames] });
}
