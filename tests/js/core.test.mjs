// Core client behaviour through nats.js: connect and INFO, pub/sub with codecs, wildcards,
// headers, flush/rtt, no-echo and auto-unsubscribe.
//
// Barrier used throughout: a connection's own PUBs are processed by the server in order and
// the PONG for a later PING comes after the MSGs they produced, so after `nc.flush()` every
// message nc sent to itself has been dispatched (subscription counters are up to date).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, Empty, headers, JSONCodec, StringCodec } from "nats";
import { ended, startServer, take, within } from "./harness.mjs";

const sc = StringCodec();
const jc = JSONCodec();

describe("core", () => {
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

  test("connect: INFO carries server_id, version, headers, max_payload", async () => {
    const nc = await dial();
    const info = nc.info;
    assert.ok(info, "nc.info is set once connected");
    // nats-server's server_id is a public server nkey: 'N' + 55 base32 characters.
    assert.match(info.server_id, /^N[A-Z2-7]{55}$/);
    assert.match(info.version, /^2\.\d+\.\d+/, "clients gate features on a 2.x version");
    assert.equal(info.proto, 1);
    assert.equal(info.headers, true);
    assert.equal(info.max_payload, 1024 * 1024);
    assert.equal(info.port, server.port);
    assert.equal(typeof info.client_id, "number");
    assert.equal(nc.getServer(), server.url);
    assert.equal(nc.isClosed(), false);
    await nc.close();
    assert.equal(nc.isClosed(), true);
  });

  test("flush and rtt complete round trips", async () => {
    const nc = await dial();
    await within(nc.flush(), 5_000, "flush");
    const rtt = await within(nc.rtt(), 5_000, "rtt");
    assert.equal(typeof rtt, "number");
    assert.ok(rtt >= 0 && rtt < 5_000, `rtt ${rtt} ms`);
    // Several flushes in flight resolve in order, each with its own PONG.
    await within(Promise.all([nc.flush(), nc.flush(), nc.flush()]), 5_000, "3 flushes");
  });

  test("pub/sub with StringCodec and JSONCodec between two connections", async () => {
    const sub = await dial();
    const pub = await dial();
    const strings = sub.subscribe("core.str");
    const objects = sub.subscribe("core.json");
    await sub.flush(); // SUBs are registered before pub publishes
    const texts = ["hello", "", "ünïcödé ✓", "x".repeat(10_000)];
    for (const t of texts) pub.publish("core.str", sc.encode(t));
    const obj = { a: 1, b: [true, null, "s"], c: { d: 2.5 } };
    pub.publish("core.json", jc.encode(obj));
    await pub.flush();

    const got = await take(strings, texts.length);
    assert.deepEqual(got.map((m) => sc.decode(m.data)), texts);
    for (const m of got) {
      assert.equal(m.subject, "core.str");
      assert.equal(m.reply, "");
    }
    const [m] = await take(objects, 1);
    assert.deepEqual(jc.decode(m.data), obj);
  });

  test("empty payload and reply subject are delivered as sent", async () => {
    const nc = await dial();
    const sub = nc.subscribe("core.empty");
    nc.publish("core.empty", Empty, { reply: "core.reply.to" });
    const [m] = await take(sub, 1);
    assert.equal(m.data.length, 0);
    assert.equal(m.reply, "core.reply.to");
    assert.equal(m.headers, undefined, "a plain PUB arrives as MSG, without headers");
  });

  test("wildcards: '*' matches one token, '>' one or more", async () => {
    const nc = await dial();
    const star = nc.subscribe("wc.*");
    const starMid = nc.subscribe("wc.*.end");
    const full = nc.subscribe("wc.>");
    const exact = nc.subscribe("wc.a");
    const all = nc.subscribe(">");
    const subjects = ["wc", "wc.a", "wc.b", "wc.a.end", "wc.a.b.end", "wc.a.x", "other.a"];
    for (const s of subjects) nc.publish(s, sc.encode(s));
    await nc.flush();

    const expected = new Map([
      [star, ["wc.a", "wc.b"]],
      [starMid, ["wc.a.end"]],
      [full, ["wc.a", "wc.b", "wc.a.end", "wc.a.b.end", "wc.a.x"]],
      [exact, ["wc.a"]],
      [all, subjects],
    ]);
    for (const [sub, want] of expected) {
      assert.equal(sub.getReceived(), want.length, `${sub.getSubject()} count`);
      const got = await take(sub, want.length);
      assert.deepEqual(
        got.map((m) => m.subject),
        want,
        `${sub.getSubject()} receives exactly the matching subjects, in order`,
      );
    }
  });

  test("overlapping subscriptions on one connection each get a copy", async () => {
    const nc = await dial();
    const a = nc.subscribe("ovl.x");
    const b = nc.subscribe("ovl.*");
    const c = nc.subscribe("ovl.>");
    nc.publish("ovl.x", sc.encode("1"));
    await nc.flush();
    for (const s of [a, b, c]) assert.equal(s.getReceived(), 1, s.getSubject());
    assert.equal(nc.stats().inMsgs, 3, "one MSG per matching subscription");
  });

  test("headers round trip (HPUB/HMSG), status-less", async () => {
    const nc = await dial();
    const sub = nc.subscribe("hdr.x");
    const h = headers();
    h.set("X-Single", "value one");
    h.append("X-Multi", "a");
    h.append("X-Multi", "b");
    h.set("lower-case-key", "kept as is");
    nc.publish("hdr.x", sc.encode("with headers"), { headers: h });
    const h2 = headers();
    h2.set("Only", "headers");
    nc.publish("hdr.x", Empty, { headers: h2 });

    const [m1, m2] = await take(sub, 2);
    assert.equal(sc.decode(m1.data), "with headers");
    assert.ok(m1.headers, "message has headers");
    assert.equal(m1.headers.get("X-Single"), "value one");
    assert.deepEqual(m1.headers.values("X-Multi"), ["a", "b"]);
    assert.equal(m1.headers.get("lower-case-key"), "kept as is");
    assert.deepEqual([...m1.headers.keys()].sort(), ["X-Multi", "X-Single", "lower-case-key"]);
    assert.equal(m1.headers.code, 0, "no status line");
    assert.equal(m1.headers.description, "");
    assert.equal(m1.headers.hasError, false);

    assert.equal(m2.data.length, 0);
    assert.equal(m2.headers.get("Only"), "headers");
    assert.equal(m2.headers.hasError, false);
  });

  test("noEcho: a connection does not receive its own messages", async () => {
    const quiet = await dial({ noEcho: true });
    const other = await dial();
    const own = quiet.subscribe("echo.x");
    const seen = other.subscribe("echo.x");
    await quiet.flush();
    await other.flush();
    for (let i = 0; i < 5; i++) quiet.publish("echo.x", sc.encode(String(i)));
    await quiet.flush(); // the server has routed all 5 and sent nothing back to quiet

    const got = await take(seen, 5);
    assert.deepEqual(got.map((m) => sc.decode(m.data)), ["0", "1", "2", "3", "4"]);
    // Messages from others still reach the no-echo connection.
    other.publish("echo.x", sc.encode("from other"));
    const [m] = await take(own, 1);
    assert.equal(sc.decode(m.data), "from other");
    assert.equal(own.getReceived(), 1);
    assert.equal(quiet.stats().inMsgs, 1, "none of its own 5 came back");
  });

  test("echo is on by default: a connection receives its own messages", async () => {
    const nc = await dial();
    const sub = nc.subscribe("echo.default");
    for (let i = 0; i < 3; i++) nc.publish("echo.default", sc.encode(String(i)));
    await nc.flush();
    assert.equal(sub.getReceived(), 3);
  });

  test("auto-unsubscribe with {max: N}: server stops after N", async () => {
    const nc = await dial();
    const pub = await dial();
    const sub = nc.subscribe("max.opt", { max: 3 });
    await nc.flush();
    for (let i = 0; i < 10; i++) pub.publish("max.opt", sc.encode(String(i)));
    await pub.flush();
    const got = await take(sub, 3);
    assert.deepEqual(got.map((m) => sc.decode(m.data)), ["0", "1", "2"]);
    await ended(sub); // the iterator ends by itself once max is reached
    await nc.flush();
    assert.equal(nc.stats().inMsgs, 3, "the server sent no MSG past the limit");
  });

  test("sub.unsubscribe(max) after delivery started counts messages already received", async () => {
    const nc = await dial();
    const sub = nc.subscribe("max.later");
    nc.publish("max.later", sc.encode("a"));
    nc.publish("max.later", sc.encode("b"));
    await nc.flush();
    assert.equal(sub.getReceived(), 2);
    // UNSUB <sid> 4 with 2 already delivered: the server delivers 2 more, then removes it.
    sub.unsubscribe(4);
    for (let i = 0; i < 10; i++) nc.publish("max.later", sc.encode(String(i)));
    await nc.flush();
    const got = await take(sub, 4);
    assert.deepEqual(got.map((m) => sc.decode(m.data)), ["a", "b", "0", "1"]);
    assert.equal(nc.stats().inMsgs, 4);
    await ended(sub);
  });

  test("unsubscribe stops delivery at once", async () => {
    const nc = await dial();
    const sub = nc.subscribe("unsub.now");
    nc.publish("unsub.now", sc.encode("before"));
    await nc.flush();
    sub.unsubscribe();
    nc.publish("unsub.now", sc.encode("after"));
    await nc.flush();
    assert.equal(nc.stats().inMsgs, 1);
    const got = await take(sub, 1);
    assert.equal(sc.decode(got[0].data), "before");
    await ended(sub);
  });
});
