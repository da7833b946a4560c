import { expect } from "chai";
import { ConfigError } from "../../services/common/config-error.js";
import { tracingSettings } from "../../services/common/tracing-config.js";

describe("tracing settings from OTEL_* variables", () => {
  it("is off unless an endpoint or an exporter is named, and off when disabled", () => {
    expect(tracingSettings({}, "order")).to.equal(undefined);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, "order")).to.equal(undefined);
    expect(tracingSettings({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, "order")).to.equal(undefined);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: "otlp" }, "order")?.url).to.equal("http://localhost:4318/v1/traces");
  });

  it("appends /v1/traces to the generic endpoint and takes the traces endpoint as given", () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318/" }, "order")?.url).to.equal("http://jaeger:4318/v1/traces");
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:9999/custom" };
    expect(tracingSettings(both, "order")?.url).to.equal("http://b:9999/custom");
  });

  it("picks the protocol, traces-specific first, http/protobuf by default", () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(tracingSettings(base, "order")?.protocol).to.equal("http/protobuf");
    expect(tracingSettings({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }, "order")?.protocol).to.equal("http/json");
    expect(
      tracingSettings({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" }, "order")?.protocol,
    ).to.equal("http/protobuf");
  });

  it("names the service after itself unless OTEL_SERVICE_NAME or the resource attributes say otherwise", () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(tracingSettings(base, "billing")?.serviceName).to.equal("billing");
    expect(tracingSettings({ ...base, OTEL_RESOURCE_ATTRIBUTES: "service.name=bill%20ing,deployment.environment=dev" }, "billing")).to.include({
      serviceName: "bill ing",
    });
    expect(tracingSettings({ ...base, OTEL_SERVICE_NAME: "shop-billing", OTEL_RESOURCE_ATTRIBUTES: "service.name=x" }, "billing")?.serviceName).to.equal(
      "shop-billing",
    );
  });

  it("refuses what it cannot honour, naming the variable", () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...base, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" }, /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" is not supported/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }, /^OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" is not a URL/],
      [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://c/v1/traces" }, /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: .* must be an http/],
      [{ OTEL_TRACES_EXPORTER: "zipkin" }, /^OTEL_TRACES_EXPORTER: "zipkin" is not supported/],
      [{ ...base, OTEL_TRACES_SAMPLER: "sometimes" }, /^OTEL_TRACES_SAMPLER: "sometimes"/],
      [{ ...base, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" }, /^OTEL_TRACES_SAMPLER_ARG: "2" must be a ratio/],
      [{ ...base, OTEL_BSP_SCHEDULE_DELAY: "soon" }, /^OTEL_BSP_SCHEDULE_DELAY: "soon"/],
      [{ ...base, OTEL_RESOURCE_ATTRIBUTES: "novalue" }, /^OTEL_RESOURCE_ATTRIBUTES: "novalue" is not key=value/],
    ];
    for (const [env, message] of cases) expect(() => tracingSettings(env, "order"), JSON.stringify(env)).to.throw(ConfigError, message);
  });
});
