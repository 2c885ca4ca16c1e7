// Drain through nats.js: a draining subscription or connection first processes every message
// the server already sent it, then ends; a queue group loses nothing while a member drains.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, ErrorCode, StringCodec } from "nats";
import { ended, startServer, take, waitFor, within } from "./harness.mjs";

const sc = StringCodec();

describe("drain", () => {
  let server;
  const conns = [];
  async function dial(opts = {}) {
    const nc = await connect({ servers: server.url, timeout: 5_000, ...opts });
    conns.push(nc);
    return nc;
  }

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await Promise.allSettled(conns.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await server?.stop();
  });

  test("connection drain delivers everything already published, then closes", async () => {
    const nc = await dial();
    const sub = nc.subscribe("drain.conn");
    const n = 100;
    // Same connection: the server handles these PUBs before the UNSUB that drain sends.
    for (let i = 0; i < n; i++) nc.publish("drain.conn", sc.encode(String(i)));
    const drained = nc.drain();
    assert.equal(nc.isDraining(), true);
    const got = await take(sub, n);
    assert.deepEqual(
      got.map((m) => sc.decode(m.data)),
      Array.from({ length: n }, (_, i) => String(i)),
    );
    await ended(sub);
    await within(drained, 5_000, "nc.drain()");
    const err = await within(nc.closed(), 5_000, "nc.closed()");
    assert.equal(err, undefined, "a drained connection closes without error");
    assert.equal(nc.isClosed(), true);
    assert.throws(
      () => nc.publish("drain.conn", sc.encode("late")),
      (e) => e.code === ErrorCode.ConnectionClosed,
    );
  });

  test("subscription drain ends the subscription; the connection stays open", async () => {
    const nc = await dial();
    const sub = nc.subscribe("drain.sub");
    for (let i = 0; i < 10; i++) nc.publish("drain.sub", sc.encode(String(i)));
    const drained = sub.drain();
    const got = await take(sub, 10);
    assert.equal(sc.decode(got[9].data), "9");
    await ended(sub);
    await within(drained, 5_000, "sub.drain()");
    assert.equal(sub.isClosed(), true);
    // The server removed the interest: later messages are not delivered.
    nc.publish("drain.sub", sc.encode("after"));
    await nc.flush();
    assert.equal(nc.stats().inMsgs, 10);
    assert.equal(nc.isClosed(), false);
  });

  test("drain on a connection without subscriptions closes it", async () => {
    const nc = await dial();
    await within(nc.drain(), 5_000, "drain");
    assert.equal(nc.isClosed(), true);
  });

  test("a queue member draining loses no messages for the group", async () => {
    const leaving = await dial();
    const staying = await dial();
    const pub = await dial();
    const got = { leaving: [], staying: [] };
    for (const [name, nc] of Object.entries({ leaving, staying })) {
      const callback = (_e, m) => got[name].push(sc.decode(m.data));
      nc.subscribe("drain.q", { queue: "g", callback });
    }
    await Promise.all([leaving.flush(), staying.flush()]);

    for (let i = 0; i < 100; i++) pub.publish("drain.q", sc.encode(String(i)));
    await pub.flush(); // all 100 are routed; some are on their way to `leaving`
    const drained = leaving.drain();
    for (let i = 100; i < 200; i++) pub.publish("drain.q", sc.encode(String(i)));
    await within(drained, 5_000, "member drain");
    await pub.flush();

    const all = () => got.leaving.length + got.staying.length;
    await waitFor(() => all() >= 200, 5_000, "200 deliveries to the group");
    await staying.flush();
    assert.equal(all(), 200, "each message exactly once");
    const seen = new Set([...got.leaving, ...got.staying]);
    assert.equal(seen.size, 200);
    // Messages published after the drain completed went to the remaining member only.
    for (let i = 0; i < 20; i++) pub.publish("drain.q", sc.encode(`post-${i}`));
    await pub.flush();
    await waitFor(() => all() >= 220, 5_000, "post-drain deliveries");
    assert.equal(got.staying.filter((s) => s.startsWith("post-")).length, 20);
  });
});
