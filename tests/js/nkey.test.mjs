// NKey users through nats.js: nkeyAuthenticator signs INFO's nonce with the user's seed; a
// wrong seed is refused, and the user's permissions apply.
//
// The keys are fixed test keys (Ed25519 seeds 0x00..0x1f and 0x01..0x20), the same as in the
// C++ tests (tests/support/nkey_test_keys.hpp).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, nkeyAuthenticator, StringCodec } from "nats";
import { startServer, take, within, writeTempConfig } from "./harness.mjs";

const sc = StringCodec();
const KEY_A = {
  public: "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK",
  seed: "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y",
};
const KEY_B = {
  public: "UB43KVROR7TFJ6KAPCYRF2FJROTZAH4FHLTJLPWX4DRZCC5NASLGJBFE",
  seed: "SUAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IC5CQ",
};

describe("nkey users", () => {
  let server;
  let config;
  const conns = [];
  async function dial(seed) {
    const nc = await connect({
      servers: server.url,
      timeout: 5_000,
      reconnect: false,
      authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    });
    conns.push(nc);
    return nc;
  }

  before(async () => {
    // Key a may only publish to foo.>; key b is unrestricted.
    config = await writeTempConfig(`authorization {
  users = [
    { nkey: ${KEY_A.public}, permissions: { publish: "foo.>" } }
    { nkey: ${KEY_B.public} }
  ]
}
`);
    server = await startServer(["-c", config.path]);
  });
  after(async () => {
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await server?.stop();
    await config?.cleanup();
  });

  test("INFO carries a nonce and the seed's signature authenticates", async () => {
    const nc = await dial(KEY_B.seed);
    assert.match(nc.info.nonce, /^[A-Za-z0-9_-]{15}$/);
    const sub = nc.subscribe("nk.check", { max: 1 });
    nc.publish("nk.check", sc.encode("ok"));
    const [m] = await take(sub, 1);
    assert.equal(sc.decode(m.data), "ok");
  });

  test("a seed that is not a configured user is refused", async () => {
    // A server that knows only key a.
    const other = await writeTempConfig(`authorization {
  users = [ { nkey: ${KEY_A.public} } ]
}
`);
    const strict = await startServer(["-c", other.path]);
    try {
      await assert.rejects(
        within(
          connect({
            servers: strict.url,
            timeout: 5_000,
            reconnect: false,
            authenticator: nkeyAuthenticator(new TextEncoder().encode(KEY_B.seed)),
          }),
          10_000,
          "refused connect",
        ),
        (err) => /Authorization Violation/i.test(err.message) || err.code === "AUTHORIZATION_VIOLATION",
      );
    } finally {
      await strict.stop();
      await other.cleanup();
    }
  });

  test("the nkey user's permissions apply", async () => {
    const nc = await dial(KEY_A.seed);
    const errors = (async () => {
      for await (const s of nc.status()) {
        if (s.type === "error") return s.data;
      }
      return undefined;
    })();
    const sub = nc.subscribe("foo.>");
    nc.publish("bar", sc.encode("denied"));
    nc.publish("foo.ok", sc.encode("allowed"));
    const [m] = await take(sub, 1);
    assert.equal(m.subject, "foo.ok");
    const err = await within(errors, 5_000, "permissions error status");
    // nats.js reports the -ERR as its error code.
    assert.match(String(err?.message ?? err), /PERMISSIONS_VIOLATION|Permissions Violation/);
  });
});
