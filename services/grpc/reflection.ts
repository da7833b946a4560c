import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { join } from "node:path";
import { projectRoot } from "../common/project-root.js";

export const PROTO_ROOT = join(projectRoot(), "proto");

const FILES = ["shop/v1/order_service.proto", "shop/v1/billing_service.proto", "shop/v1/notification_service.proto", "grpc/health/v1/health.proto"];

/**
 * Server reflection (v1 and v1alpha) for the given services, read from the
 * same .proto files the code is generated from. The health proto is the
 * project's own copy, which has no map fields (see health.proto).
 */
export function reflectionFor(serviceNames: readonly string[]): ReflectionService {
  const definition = loadSync(FILES, { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true });
  return new ReflectionService(definition, { services: [...serviceNames] });
}
