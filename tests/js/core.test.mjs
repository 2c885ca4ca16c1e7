// The nats.js client (npm `nats`) against the server: pub/sub, wildcards, queue groups,
// request/reply, headers, no_responders, auto-unsubscribe, flush/RTT, no-echo, reconnect.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connect, ErrorCode, headers, StringCodec } from "nats";

import { startServer, take, waitFor, within } from "./harness.mjs";

const sc = StringCodec();
let server;
const open = [];

async function client(options = {}) {
  const nc = await connect({ servers: server.url, ...options });
  open.push(nc);
  return nc;
}

before(async () => {
  server = await startServer();
});

after(async () => {
  for (const nc of open) await nc.close().catch(() => {});
  await server?.stop();
});

test("INFO fields the client reads", async () => {
  const nc = await client();
  assert.equal(nc.info.proto, 1);
  assert.equal(nc.info.headers, true);
  assert.equal(nc.info.max_payload, 1048576);
  assert.match(nc.info.server_id, /^N[A-Z2-7]{55}$/);
  assert.equal(typeof nc.info.version, "string");
});

test("publish/subscribe with literal and wildcard subjects", async () => {
  const nc = await client();
  const literal = nc.subscribe("orders.eu.new");
  const star = nc.subscribe("orders.*.new");
  const gt = nc.subscribe("orders.>");
  const other = nc.subscribe("orders.*.old");
  await nc.flush();
  nc.publish("orders.eu.new", sc.encode("one"));
  nc.publish("orders.us.new", sc.encode("two"));
  nc.publish("orders.us.new.late", sc.encode("three"));
  nc.publish("elsewhere", sc.encode("none"));
  assert.deepEqual((await take(literal, 1)).map((m) => sc.decode(m.data)), ["one"]);
  assert.deepEqual((await take(star, 2)).map((m) => sc.decode(m.data)), ["one", "two"]);
  assert.deepEqual(
    (await take(gt, 3)).map((m) => [m.subject, sc.decode(m.data)]),
    [
      ["orders.eu.new", "one"],
      ["orders.us.new", "two"],
      ["orders.us.new.late", "three"],
    ],
  );
  await nc.flush();
  assert.equal(other.getReceived(), 0);
});

test("queue group: each message to exactly one of 5 members; a plain subscriber gets all", async () => {
  const nc = await client();
  const members = Array.from({ length: 5 }, () => nc.subscribe("jobs", { queue: "workers" }));
  const plain = nc.subscribe("jobs");
  await nc.flush();
  const total = 200;
  for (let i = 0; i < total; i++) nc.publish("jobs", sc.encode(String(i)));
  await nc.flush();
  await waitFor(() => members.reduce((n, s) => n + s.getReceived(), 0) >= total, 5000, "deliveries");
  await nc.flush();
  const seen = new Set();
  for (const s of members) {
    s.unsubscribe();
    for await (const m of s) seen.add(sc.decode(m.data));
  }
  assert.equal(members.reduce((n, s) => n + s.getReceived(), 0), total);
  assert.equal(seen.size, total);
  assert.ok(members.filter((s) => s.getReceived() > 0).length >= 2, "load spread over members");
  assert.equal((await take(plain, total)).length, total);
});

test("request/reply, including many in flight", async () => {
  const responder = await client();
  const requester = await client();
  const svc = responder.subscribe("math.double");
  (async () => {
    for await (const m of svc) m.respond(sc.encode(String(2 * Number(sc.decode(m.data)))));
  })();
  await responder.flush();
  const one = await requester.request("math.double", sc.encode("21"), { timeout: 5000 });
  assert.equal(sc.decode(one.data), "42");
  const replies = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      requester.request("math.double", sc.encode(String(i)), { timeout: 5000 }),
    ),
  );
  assert.deepEqual(
    replies.map((r) => Number(sc.decode(r.data))),
    Array.from({ length: 100 }, (_, i) => 2 * i),
  );
});

test("headers round trip", async () => {
  const nc = await client();
  const sub = nc.subscribe("with.headers");
  await nc.flush();
  const h = headers();
  h.set("X-Trace", "abc-123");
  h.append("X-Multi", "a");
  h.append("X-Multi", "b");
  nc.publish("with.headers", sc.encode("payload"), { headers: h });
  const [m] = await take(sub, 1);
  assert.equal(sc.decode(m.data), "payload");
  assert.equal(m.headers.get("X-Trace"), "abc-123");
  assert.deepEqual(m.headers.values("X-Multi"), ["a", "b"]);
});

test("no responders: a request nobody can answer fails fast with 503", async () => {
  const nc = await client();
  const started = Date.now();
  await assert.rejects(
    nc.request("nobody.home", sc.encode("?"), { timeout: 10_000 }),
    (err) => err.code === ErrorCode.NoResponders,
  );
  assert.ok(Date.now() - started < 5000, "answered by the server, not by the timeout");
});

test("auto-unsubscribe after max messages", async () => {
  const nc = await client();
  const sub = nc.subscribe("limited", { max: 3 });
  await nc.flush();
  for (let i = 0; i < 5; i++) nc.publish("limited", sc.encode(String(i)));
  const got = [];
  await within(
    (async () => {
      for await (const m of sub) got.push(sc.decode(m.data));
    })(),
    5000,
    "subscription to end after 3 messages",
  );
  assert.deepEqual(got, ["0", "1", "2"]);
});

test("flush and rtt round trips", async () => {
  const nc = await client();
  for (let i = 0; i < 20; i++) await within(nc.flush(), 5000, "flush");
  const rtt = await within(nc.rtt(), 5000, "rtt");
  assert.ok(rtt >= 0 && rtt < 5000);
});

test("noEcho: a client does not get its own messages", async () => {
  const quiet = await client({ noEcho: true });
  const listener = await client();
  const own = quiet.subscribe("echo.test");
  const theirs = listener.subscribe("echo.test");
  await quiet.flush();
  await listener.flush();
  quiet.publish("echo.test", sc.encode("hello"));
  assert.equal(sc.decode((await take(theirs, 1))[0].data), "hello");
  await quiet.flush();
  assert.equal(own.getReceived(), 0);
});

test("a large payload round trips intact", async () => {
  const nc = await client();
  const sub = nc.subscribe("big");
  await nc.flush();
  const payload = new Uint8Array(1024 * 1024 - 1024).map((_, i) => i % 251);
  nc.publish("big", payload);
  const [m] = await take(sub, 1, 10_000);
  assert.equal(m.data.length, payload.length);
  assert.deepEqual(m.data, payload);
});

test("reconnects after the server restarts on the same port", async () => {
  const restartable = await startServer();
  const nc = await connect({
    servers: restartable.url,
    reconnectTimeWait: 50,
    maxReconnectAttempts: -1,
  });
  try {
    const events = [];
    (async () => {
      for await (const s of nc.status()) events.push(s.type);
    })();
    await restartable.stop();
    await restartable.start(restartable.port);
    await waitFor(() => events.includes("reconnect"), 10_000, "reconnect event");
    const sub = nc.subscribe("after.restart");
    await nc.flush();
    nc.publish("after.restart", sc.encode("back"));
    assert.equal(sc.decode((await take(sub, 1))[0].data), "back");
  } finally {
    await nc.close().catch(() => {});
    await restartable.stop();
  }
});
