// Request/reply through nats.js: single and concurrent requests, headers on requests and
// replies, requestMany, timeouts, and the server's no-responders status (HMSG "503").

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, Empty, ErrorCode, headers, JSONCodec, RequestStrategy, StringCodec } from "nats";
import { startServer, within } from "./harness.mjs";

const sc = StringCodec();
const jc = JSONCodec();

describe("request/reply", () => {
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

  test("request gets the responder's reply", async () => {
    const svc = await dial();
    svc.subscribe("svc.upper", {
      callback: (_err, m) => m.respond(sc.encode(sc.decode(m.data).toUpperCase())),
    });
    await svc.flush();
    const client = await dial();
    const r = await client.request("svc.upper", sc.encode("hello"), { timeout: 5_000 });
    assert.equal(sc.decode(r.data), "HELLO");
    assert.match(r.subject, /^_INBOX\./, "the reply arrives on the client's inbox");
  });

  test("JSON request and reply on one connection", async () => {
    const nc = await dial();
    nc.subscribe("svc.sum", {
      callback: (_err, m) => {
        const { a, b } = jc.decode(m.data);
        m.respond(jc.encode({ sum: a + b }));
      },
    });
    const r = await nc.request("svc.sum", jc.encode({ a: 40, b: 2 }), { timeout: 5_000 });
    assert.deepEqual(jc.decode(r.data), { sum: 42 });
  });

  test("noMux request (a fresh inbox subscription per request)", async () => {
    const nc = await dial();
    nc.subscribe("svc.echo.nomux", { callback: (_err, m) => m.respond(m.data) });
    const r = await nc.request("svc.echo.nomux", sc.encode("x"), { timeout: 5_000, noMux: true });
    assert.equal(sc.decode(r.data), "x");
  });

  test("headers on the request and on the reply", async () => {
    const nc = await dial();
    nc.subscribe("svc.hdr", {
      callback: (_err, m) => {
        const h = headers();
        h.set("Echo-Id", m.headers?.get("Req-Id") ?? "missing");
        m.respond(Empty, { headers: h });
      },
    });
    const h = headers();
    h.set("Req-Id", "r-17");
    const r = await nc.request("svc.hdr", Empty, { timeout: 5_000, headers: h });
    assert.equal(r.headers?.get("Echo-Id"), "r-17");
    assert.equal(r.headers.hasError, false);
    assert.equal(r.data.length, 0);
  });

  test("500 concurrent requests each get their own reply", async () => {
    const svc = await dial();
    svc.subscribe("svc.id", { callback: (_err, m) => m.respond(m.data) });
    await svc.flush();
    const client = await dial();
    const n = 500;
    const replies = await within(
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          client.request("svc.id", sc.encode(`req-${i}`), { timeout: 10_000 }),
        ),
      ),
      15_000,
      `${n} replies`,
    );
    replies.forEach((r, i) => assert.equal(sc.decode(r.data), `req-${i}`));
  });

  test("concurrent requests spread over a queue group of responders", async () => {
    const handled = [0, 0, 0];
    for (let i = 0; i < handled.length; i++) {
      const svc = await dial();
      svc.subscribe("svc.pool", {
        queue: "pool",
        callback: (_err, m) => {
          handled[i] += 1;
          m.respond(sc.encode(`${i}:${sc.decode(m.data)}`));
        },
      });
      await svc.flush();
    }
    const client = await dial();
    const n = 150;
    const replies = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.request("svc.pool", sc.encode(String(i)), { timeout: 10_000 }),
      ),
    );
    replies.forEach((r, i) => assert.equal(sc.decode(r.data).split(":")[1], String(i)));
    assert.equal(handled.reduce((a, b) => a + b, 0), n, "each request handled exactly once");
  });

  test("requestMany collects one reply from each of several responders", async () => {
    const nc = await dial();
    for (const name of ["a", "b", "c"]) {
      nc.subscribe("svc.many", { callback: (_err, m) => m.respond(sc.encode(name)) });
    }
    const iter = await nc.requestMany("svc.many", Empty, {
      strategy: RequestStrategy.Count,
      maxMessages: 3,
      maxWait: 5_000,
    });
    const got = [];
    for await (const m of iter) got.push(sc.decode(m.data));
    assert.deepEqual(got.sort(), ["a", "b", "c"]);
  });

  test("no responders: request rejects at once with code 503", async () => {
    const nc = await dial();
    const t0 = Date.now();
    await assert.rejects(nc.request("nobody.home", sc.encode("?"), { timeout: 10_000 }), (err) => {
      assert.equal(err.code, ErrorCode.NoResponders);
      assert.equal(err.code, "503");
      return true;
    });
    // The server answers with an HMSG status; the 10 s client timeout never comes into play.
    assert.ok(Date.now() - t0 < 5_000, `rejected after ${Date.now() - t0} ms`);
    // Same with a dedicated inbox (noMux) request.
    await assert.rejects(
      nc.request("nobody.home", Empty, { timeout: 10_000, noMux: true }),
      (err) => err.code === ErrorCode.NoResponders,
    );
    // The connection is unaffected.
    await nc.flush();
    assert.equal(nc.isClosed(), false);
  });

  test("no responders once the only responder has unsubscribed", async () => {
    const nc = await dial();
    const sub = nc.subscribe("svc.gone", { callback: (_err, m) => m.respond(m.data) });
    const ok = await nc.request("svc.gone", sc.encode("1"), { timeout: 5_000 });
    assert.equal(sc.decode(ok.data), "1");
    sub.unsubscribe();
    await assert.rejects(
      nc.request("svc.gone", sc.encode("2"), { timeout: 10_000 }),
      (err) => err.code === ErrorCode.NoResponders,
    );
  });

  test("a subscriber that never replies: the request times out, no 503", async () => {
    const nc = await dial();
    nc.subscribe("svc.silent", { callback: () => {} });
    await assert.rejects(nc.request("svc.silent", Empty, { timeout: 300 }), (err) => {
      assert.equal(err.code, ErrorCode.Timeout);
      return true;
    });
  });
});
