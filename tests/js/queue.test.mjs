// Queue groups through nats.js: each message goes to exactly one member of a group, while
// plain subscribers on the same subject still get every message.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, StringCodec } from "nats";
import { startServer, waitFor } from "./harness.mjs";

const sc = StringCodec();
const MEMBERS = 5;
const MESSAGES = 200;

describe("queue groups", () => {
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
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await server?.stop();
  });

  // Members on separate connections, as separate service instances would be.
  async function groupOnConnections(subject, queue, received) {
    const members = [];
    for (let i = 0; i < MEMBERS; i++) {
      const nc = await dial();
      received.push([]);
      nc.subscribe(subject, { queue, callback: (_err, m) => received[i].push(sc.decode(m.data)) });
      await nc.flush();
      members.push(nc);
    }
    return members;
  }

  test(`${MEMBERS} members, ${MESSAGES} messages: each delivered once to the group`, async () => {
    const perMember = [];
    const members = await groupOnConnections("q.work", "workers", perMember);
    const watcher = await dial();
    const plain = [];
    watcher.subscribe("q.work", { callback: (_err, m) => plain.push(sc.decode(m.data)) });
    await watcher.flush();

    const pub = await dial();
    const sent = Array.from({ length: MESSAGES }, (_, i) => `m${i}`);
    for (const s of sent) pub.publish("q.work", sc.encode(s));
    await pub.flush();

    const total = () => perMember.reduce((n, r) => n + r.length, 0);
    await waitFor(() => total() >= MESSAGES && plain.length >= MESSAGES, 10_000, "all deliveries");
    // Nothing more is on its way: flush every receiver after the publisher's flush.
    await Promise.all([...members, watcher].map((nc) => nc.flush()));

    const delivered = perMember.flat();
    assert.equal(delivered.length, MESSAGES, "exactly one delivery per message to the group");
    assert.deepEqual([...delivered].sort(), [...sent].sort(), "every message, none twice");
    assert.deepEqual(plain, sent, "the plain subscriber gets all, in publish order");
    // Distribution is random; with 200 messages over 5 members, all going to one is ~1e-139.
    const busy = perMember.filter((r) => r.length > 0).length;
    assert.ok(busy >= 2, `messages spread over members (${perMember.map((r) => r.length)})`);
    // Each member sees its share in publish order (per-publisher ordering).
    for (const r of perMember) {
      const idx = r.map((s) => Number(s.slice(1)));
      assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
    }
  });

  test("two groups on one subject each get every message once", async () => {
    const nc = await dial();
    const counts = { a: [0, 0, 0], b: [0, 0] };
    for (const [group, arr] of Object.entries(counts)) {
      arr.forEach((_, i) =>
        nc.subscribe("q.multi", { queue: group, callback: () => (arr[i] += 1) }),
      );
    }
    for (let i = 0; i < 50; i++) nc.publish("q.multi", sc.encode(String(i)));
    await nc.flush(); // same connection: all MSGs precede the PONG
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    assert.equal(sum(counts.a), 50);
    assert.equal(sum(counts.b), 50);
    assert.equal(nc.stats().inMsgs, 100);
  });

  test("queue subscription with a wildcard subject", async () => {
    const nc = await dial();
    const got = [[], []];
    for (const i of [0, 1]) {
      nc.subscribe("q.wild.*", { queue: "g", callback: (_e, m) => got[i].push(m.subject) });
    }
    const subjects = ["q.wild.a", "q.wild.b", "q.wild.c", "q.wild.a.b", "q.other"];
    for (const s of subjects) nc.publish(s, sc.encode(s));
    await nc.flush();
    assert.deepEqual(got.flat().sort(), ["q.wild.a", "q.wild.b", "q.wild.c"]);
  });

  test("a member that unsubscribes leaves the rest of the group serving", async () => {
    const nc = await dial();
    let left = 0;
    let stayed = 0;
    const leaving = nc.subscribe("q.leave", { queue: "g", callback: () => (left += 1) });
    nc.subscribe("q.leave", { queue: "g", callback: () => (stayed += 1) });
    await nc.flush();
    leaving.unsubscribe();
    for (let i = 0; i < 20; i++) nc.publish("q.leave", sc.encode(String(i)));
    await nc.flush();
    assert.equal(left, 0);
    assert.equal(stayed, 20);
  });
});
