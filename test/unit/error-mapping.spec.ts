import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { expect } from "chai";
import type { Msg } from "nats";
import { createLogger } from "../../services/common/logger.js";
import {
  DeadlineError,
  DependencyUnavailableError,
  IdempotencyConflictError,
  InvalidOrderError,
  NotFoundError,
  OverloadedError,
  RemoteInternalError,
  describeError,
  type DomainError,
} from "../../services/domain/errors.js";
import * as grpc from "../../services/grpc/error-mapping.js";
import * as nats from "../../services/nats/error-mapping.js";

const log = createLogger("test", "error");
const quiet = { ...log, error: () => undefined };

/** A status as grpc-js hands it to a caller, built from what a server handler answered. */
function asReceived(sent: ReturnType<typeof grpc.toWireError>): ServiceError {
  return Object.assign(new Error(sent.details), { code: sent.code!, details: sent.details!, metadata: sent.metadata ?? new Metadata() });
}

const DOMAIN_ERRORS: DomainError[] = [
  new InvalidOrderError([
    { field: "items[0].quantity", rule: "must be at least 1" },
    { field: "customer.email", rule: 'must be an e-mail address; got "a; b"' },
  ]),
  NotFoundError.of("order", "o-1"),
  IdempotencyConflictError.of("o-1"),
  new DependencyUnavailableError("billing", "connection refused"),
  new DeadlineError("billing"),
  new OverloadedError("order service overloaded: at its limit"),
];

describe("error mapping, the same shape in both adapters", () => {
  for (const [adapter, roundTrip] of [
    [
      "gRPC",
      (err: unknown) => {
        const wire = asReceived(grpc.toWireError(err, log));
        return { got: grpc.fromWireError(wire, "billing"), wire };
      },
    ],
    [
      "NATS",
      (err: unknown) => {
        const wire = nats.toWireError(err, log);
        return { got: nats.fromWireError(wire, "billing"), wire: { code: wire.code, message: `billing answered ${wire.code}: ${wire.description}` } };
      },
    ],
  ] as const) {
    describe(adapter, () => {
      for (const sent of DOMAIN_ERRORS) {
        it(`brings a ${sent.name} back as the same kind of domain error, with the wire error as its cause`, () => {
          const { got, wire } = roundTrip(sent);
          expect(got).to.be.instanceOf(sent.constructor);
          expect((got as DomainError).kind).to.equal(sent.kind);
          // The cause is what came over the wire: its code and its text, not a copy of the domain error.
          const cause = got.cause as { code?: unknown; message?: string };
          expect({ code: cause?.code, message: cause?.message }, "the transport's error kept as the cause").to.deep.equal({
            code: wire.code,
            message: wire.message,
          });
        });
      }

      it("carries field violations as structured details, whatever their text holds", () => {
        const sent = DOMAIN_ERRORS[0] as InvalidOrderError;
        const got = roundTrip(sent).got as InvalidOrderError;
        expect(got.violations).to.deep.equal(sent.violations);
      });

      it("answers an unexpected error as internal with a reference, leaking nothing, and the caller sees a RemoteInternalError", () => {
        const got = (() => {
          const secret = new Error("SQLITE_CORRUPT at /var/lib/secret.db");
          return adapter === "gRPC"
            ? grpc.fromWireError(asReceived(grpc.toWireError(secret, quiet)), "billing")
            : nats.fromWireError(nats.toWireError(secret, quiet), "billing");
        })();
        expect(got).to.be.instanceOf(RemoteInternalError);
        expect(got.message).to.match(/internal error \(ref [0-9a-f]{8}\)/);
        expect(got.message).not.to.include("secret");
      });
    });
  }

  it("gRPC: a status without details still becomes one violation with the status text", () => {
    const bare = Object.assign(new Error("bad"), { code: status.INVALID_ARGUMENT, details: "order: is required", metadata: new Metadata() });
    expect((grpc.fromWireError(bare, "order service") as InvalidOrderError).violations).to.deep.equal([{ field: "", rule: "order: is required" }]);
  });

  it("keeps a NATS service error reply whole as the cause: its code, its description and the reply message", () => {
    const reply = { subject: "_INBOX.test", data: new Uint8Array() } as unknown as Msg;
    const err = nats.fromWireError({ code: 404, description: 'order "x" not found', body: new Uint8Array() }, "order service", reply);
    expect(err).to.be.instanceOf(NotFoundError);
    const cause = err.cause as nats.ServiceErrorReply;
    expect(cause).to.be.instanceOf(nats.ServiceErrorReply);
    expect(cause).to.include({ code: 404, dependency: "order service", description: 'order "x" not found' });
    expect(cause.reply).to.equal(reply);
  });

  it("describes an error with its stack and every cause", () => {
    const root = new Error("connection refused");
    const text = describeError(new DependencyUnavailableError("billing", "down", { cause: root }));
    expect(text).to.match(/^DependencyUnavailableError: billing unavailable: down\n\s+at /);
    expect(text).to.include("caused by: Error: connection refused");
  });
});
