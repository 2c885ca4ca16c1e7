// Reconnect through nats.js: the server is stopped and started again on the same port; the
// client's status iterator reports disconnect and reconnect and its subscriptions are
// restored. (nats.js 2.x discards what is published while disconnected: every dial attempt
// resets its outbound buffer, so no test relies on that being delivered.)

import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, Events, StringCodec } from "nats";
import { startServer, take, until, within } from "./harness.mjs";

const sc = StringCodec();

// Fast, jitter-free retries; attempts unbounded so only our deadlines bound the waits.
const RECONNECT = {
  reconnect: true,
  maxReconnectAttempts: -1,
  reconnectTimeWait: 100,
  reconnectJitter: 0,
  timeout: 5_000,
};

const isType = (type) => (s) => s.type === type;

describe("reconnect", () => {
  let server;
  let conns;
  async function dial(opts = {}) {
    const nc = await connect({ servers: server.url, ...RECONNECT, ...opts });
    conns.push(nc);
    return nc;
  }

  beforeEach(async () => {
    conns = [];
    server = await startServer();
  });
  afterEach(async () => {
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await server?.stop();
  });

  test("stop, start on the same port: disconnect, reconnect, pub/sub works again", async () => {
    const nc = await dial();
    const status = nc.status();
    const sub = nc.subscribe("rc.x");
    nc.publish("rc.x", sc.encode("before"));
    assert.equal(sc.decode((await take(sub, 1))[0].data), "before");
    const firstId = nc.info.server_id;
    const port = server.port;

    await server.stop();
    const seen = await until(status, isType(Events.Disconnect), 5_000, "disconnect status");
    assert.equal(seen.at(-1).data, server.url);

    await server.start(port);
    assert.equal(server.port, port);
    const events = await until(status, isType(Events.Reconnect), 15_000, "reconnect status");
    assert.ok(
      events.every((s) => s.type !== Events.Disconnect),
      `no second disconnect: ${JSON.stringify(events)}`,
    );

    nc.publish("rc.x", sc.encode("after"));
    assert.equal(sc.decode((await take(sub, 1))[0].data), "after");
    await within(nc.flush(), 5_000, "flush after reconnect");
    assert.notEqual(nc.info.server_id, firstId, "a new server process has a new server_id");
    assert.equal(nc.isClosed(), false);
  });

  test("restart(): two clients find each other again, request/reply included", async () => {
    const a = await dial();
    const b = await dial();
    const statusA = a.status();
    const statusB = b.status();
    const sub = a.subscribe("rc.ab");
    a.subscribe("rc.svc", { callback: (_e, m) => m.respond(m.data) });
    await a.flush();

    for (let round = 1; round <= 2; round++) {
      await server.restart();
      await until(statusA, isType(Events.Reconnect), 15_000, `a reconnect, round ${round}`);
      await until(statusB, isType(Events.Reconnect), 15_000, `b reconnect, round ${round}`);
      await a.flush(); // a's re-sent SUBs are registered before b publishes

      b.publish("rc.ab", sc.encode(`round ${round}`));
      const [m] = await take(sub, 1, 5_000);
      assert.equal(sc.decode(m.data), `round ${round}`);
      const r = await b.request("rc.svc", sc.encode(`req ${round}`), { timeout: 5_000 });
      assert.equal(sc.decode(r.data), `req ${round}`);
    }
  });

  test("reconnect gives up after maxReconnectAttempts and the client closes", async () => {
    const nc = await dial({ maxReconnectAttempts: 2, reconnectTimeWait: 50 });
    const status = nc.status();
    await server.stop();
    await until(status, isType(Events.Disconnect), 5_000, "disconnect status");
    await within(nc.closed(), 10_000, "client to give up and close");
    assert.equal(nc.isClosed(), true);
  });
});
