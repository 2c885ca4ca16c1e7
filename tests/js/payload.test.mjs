// Payload size limits: a payload up to max_payload round-trips intact; nats.js refuses a
// bigger one before sending (it reads max_payload from INFO); the server itself rejects an
// oversized PUB with -ERR 'Maximum Payload Violation' and closes the connection.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, ErrorCode, headers } from "nats";
import { rawConnect, startServer, take, writeTempConfig } from "./harness.mjs";

const MB = 1024 * 1024;

describe("payload limits, default max_payload (1 MB)", () => {
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

  test("1 MB minus a margin round-trips byte for byte", async () => {
    const sub = await dial();
    const pub = await dial();
    const s = sub.subscribe("big.x");
    await sub.flush();
    const data = randomBytes(MB - 1024);
    pub.publish("big.x", data);
    const [m] = await take(s, 1, 10_000);
    assert.equal(m.data.length, data.length);
    assert.ok(Buffer.from(m.data).equals(data), "payload intact");
  });

  test("exactly max_payload is accepted (the limit is inclusive)", async () => {
    const nc = await dial();
    const s = nc.subscribe("big.exact");
    const data = randomBytes(nc.info.max_payload);
    nc.publish("big.exact", data);
    const [m] = await take(s, 1, 10_000);
    assert.ok(Buffer.from(m.data).equals(data));
  });

  test("several large messages back to back arrive intact and in order", async () => {
    const nc = await dial();
    const s = nc.subscribe("big.many");
    const sent = Array.from({ length: 8 }, (_, i) => randomBytes(256 * 1024 + i));
    for (const d of sent) nc.publish("big.many", d);
    const got = await take(s, sent.length, 10_000);
    got.forEach((m, i) => assert.ok(Buffer.from(m.data).equals(sent[i]), `message ${i}`));
  });

  test("a large request and reply", async () => {
    const nc = await dial();
    nc.subscribe("big.req", { callback: (_err, m) => m.respond(Buffer.from(m.data).reverse()) });
    const data = randomBytes(MB - 4096);
    const r = await nc.request("big.req", data, { timeout: 10_000 });
    assert.ok(Buffer.from(r.data).equals(Buffer.from(data).reverse()));
  });

  test("nats.js refuses max_payload + 1 client-side; the connection stays usable", async () => {
    const nc = await dial();
    assert.throws(
      () => nc.publish("big.over", new Uint8Array(nc.info.max_payload + 1)),
      (err) => err.code === ErrorCode.MaxPayloadExceeded,
    );
    // Headers count towards the limit too.
    const h = headers();
    h.set("K", "v");
    assert.throws(
      () => nc.publish("big.over", new Uint8Array(nc.info.max_payload), { headers: h }),
      (err) => err.code === ErrorCode.MaxPayloadExceeded,
    );
    await nc.flush();
    assert.equal(nc.isClosed(), false);
  });

  test("server rejects an oversized PUB with -ERR and closes the connection", async () => {
    const c = await rawConnect(server.port);
    try {
      const [, infoJson] = await c.read(/^INFO (\{.*\}) ?\r\n/);
      const max = JSON.parse(infoJson).max_payload;
      assert.equal(max, MB);
      c.write('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n');
      await c.read(/PONG\r\n/);
      // Only the header line is needed: the server checks the size before reading the body.
      c.write(`PUB big.raw ${max + 1}\r\n`);
      await c.read(/-ERR 'Maximum Payload Violation'\r\n/);
      await c.closed;
    } finally {
      c.destroy();
    }
  });
});

describe("payload limits, max_payload from a config file", () => {
  let server;
  let config;
  const LIMIT = 2048;

  before(async () => {
    config = await writeTempConfig(`# small payload limit\nmax_payload: ${LIMIT}\n`);
    server = await startServer(["-c", config.path]);
  });
  after(async () => {
    await server?.stop();
    await config?.cleanup();
  });

  test("INFO advertises the configured limit and both sides enforce it", async () => {
    const nc = await connect({ servers: server.url, timeout: 5_000 });
    try {
      assert.equal(nc.info.max_payload, LIMIT);
      const s = nc.subscribe("cfg.x");
      nc.publish("cfg.x", new Uint8Array(LIMIT));
      const [m] = await take(s, 1);
      assert.equal(m.data.length, LIMIT);
      assert.throws(
        () => nc.publish("cfg.x", new Uint8Array(LIMIT + 1)),
        (err) => err.code === ErrorCode.MaxPayloadExceeded,
      );
    } finally {
      await nc.close();
    }
    const c = await rawConnect(server.port);
    try {
      await c.read(/^INFO .*"max_payload":2048[,}].*\r\n/);
      c.write(`CONNECT {"verbose":false}\r\nPUB cfg.raw ${LIMIT + 1}\r\n`);
      await c.read(/-ERR 'Maximum Payload Violation'\r\n/);
      await c.closed;
    } finally {
      c.destroy();
    }
  });
});

describe("payload limits, invalid configuration", () => {
  test("max_payload above max_pending: the server refuses to start", async () => {
    const config = await writeTempConfig("max_pending: 262144\nmax_payload: 1048576\n");
    try {
      await assert.rejects(startServer(["-c", config.path]), (err) => {
        assert.match(err.message, /exited before listening \(code 1,/);
        assert.match(
          err.message,
          /max_payload \(1048576\) cannot be higher than max_pending \(262144\)/,
        );
        return true;
      });
    } finally {
      await config.cleanup();
    }
  });
});
