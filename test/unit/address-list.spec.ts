import { expect } from "chai";
import { parseAddressList } from "../../services/common/address-list.js";
import { ConfigError } from "../../services/common/config-error.js";
import { grpcConfig } from "../../services/common/config.js";

describe("address configuration", () => {
  it("turns one IP address into a static target", () => {
    expect(parseAddressList("X", "127.0.0.1:50052").target).to.equal("ipv4:127.0.0.1:50052");
  });

  it("turns a list of IP replicas into one round-robin target", () => {
    expect(parseAddressList("X", "127.0.0.1:50052, 127.0.0.2:50062").target).to.equal("ipv4:127.0.0.1:50052,127.0.0.2:50062");
    expect(parseAddressList("X", "[::1]:1,[::1]:2").target).to.equal("ipv6:[::1]:1,[::1]:2");
  });

  it("resolves a single host name by DNS", () => {
    expect(parseAddressList("X", "billing:50052").target).to.equal("dns:billing:50052");
  });

  const bad: Array<[string, string | undefined, RegExp]> = [
    ["unset", undefined, /BILLING_SERVICE_ADDR is not set/],
    ["blank", "  ", /BILLING_SERVICE_ADDR is not set/],
    ["no port", "127.0.0.1", /BILLING_SERVICE_ADDR: "127.0.0.1" is not host:port/],
    ["port out of range", "127.0.0.1:70000", /BILLING_SERVICE_ADDR: port 70000/],
    ["a URL", "http://billing:50052", /BILLING_SERVICE_ADDR: .* is not host:port/],
    ["bad host name", "bil_ling:1", /BILLING_SERVICE_ADDR: "bil_ling" is not a valid host name/],
    ["empty list entry", "127.0.0.1:1,,127.0.0.1:2", /BILLING_SERVICE_ADDR: empty entry/],
    ["several host names", "a:1,b:2", /BILLING_SERVICE_ADDR: a list of replicas must use IP addresses/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what} with a message naming the variable`, () => {
      expect(() => parseAddressList("BILLING_SERVICE_ADDR", value)).to.throw(ConfigError, message);
    });
  }

  it("stops the order service's configuration when a downstream address is missing", () => {
    expect(() => grpcConfig("order", {}, { BILLING_SERVICE_ADDR: "127.0.0.1:1" })).to.throw(ConfigError, /NOTIFICATION_SERVICE_ADDR is not set/);
    expect(() => grpcConfig("order", { "billing-addr": "nope" }, {})).to.throw(ConfigError, /--billing-addr/);
  });

  it("needs no downstream address for billing and notification", () => {
    expect(grpcConfig("billing", {}, {}).listen).to.equal("127.0.0.1:50052");
    expect(grpcConfig("notification", {}, {}).listen).to.equal("127.0.0.1:50053");
  });
});
