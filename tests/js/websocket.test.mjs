// WebSocket clients through nats.ws (npm nats.ws, with npm ws as the WebSocket of Node): the
// `websocket {}` listener carries the client protocol in binary frames. Pub/sub, request/reply,
// headers and queue groups between WebSocket clients and with a plain TCP nats.js client; wss://
// with a throwaway CA; permessage-deflate (`compression: true`); reconnect after a restart on
// the same ports; the listener's own `authorization {}`; the HTTP handshake's refusals.
//
// Barrier used throughout, as in core.test.mjs: after a publisher's flush() and then a
// subscriber's flush(), everything the publisher sent has been delivered to the subscriber.
// nats-server keeps that order on WebSocket connections too (one outbound stream per client).

import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import WebSocket from "ws";
import * as natsWs from "nats.ws";
import * as natsTcp from "nats";
import {
  makeTestCerts,
  rawConnect,
  startServer,
  take,
  until,
  waitFor,
  within,
  writeTempConfig,
} from "./harness.mjs";

// nats.ws opens `new WebSocket(url)`: in Node that global is npm ws's client.
globalThis.WebSocket = WebSocket;

const sc = natsWs.StringCodec(); // the codecs of both libraries are plain TextEncoder/Decoder
const KB = 1024;
const MB = 1024 * KB;

const wsConf = (extra = "", port = -1) =>
  `websocket {\n  host: "127.0.0.1"\n  port: ${port}\n${extra}}\n`;
const NO_TLS = "  no_tls: true\n";

/**
 * A server with `websocket {}` from `conf` (a temp file). Returns {server, ws, conf, stop};
 * ws is the listener read from the log ({scheme, host, port, url}).
 */
async function startWs(conf) {
  const file = await writeTempConfig(conf);
  let server;
  try {
    server = await startServer(["-c", file.path]);
    const ws = await server.websocket();
    return {
      server,
      ws,
      conf: file,
      stop: async () => {
        await server.stop();
        await file.cleanup();
      },
    };
  } catch (err) {
    await server?.stop();
    await file.cleanup();
    throw err;
  }
}

/** Connections of one describe block, all closed in its after hook. */
function connections() {
  const conns = [];
  return {
    conns,
    async ws(url, opts = {}) {
      const nc = await natsWs.connect({ servers: url, timeout: 5_000, reconnect: false, ...opts });
      conns.push(nc);
      return nc;
    },
    async tcp(server, opts = {}) {
      const nc = await natsTcp.connect({
        servers: server.url,
        timeout: 5_000,
        reconnect: false,
        ...opts,
      });
      conns.push(nc);
      return nc;
    },
    closeAll: () => Promise.allSettled(conns.map((nc) => nc.close())),
  };
}

/**
 * nats.ws's `wsFactory` hook: opens the WebSocket with npm ws options (e.g. the CA to trust)
 * and records each socket with its HTTP upgrade response, whose `socket` counts the bytes
 * really on the wire and whose headers show what the server negotiated.
 */
function recordingFactory(wsOptions = {}) {
  const opened = [];
  const factory = (url) => {
    const socket = new WebSocket(url, wsOptions);
    const entry = { socket, upgrade: undefined };
    socket.once("upgrade", (res) => (entry.upgrade = res));
    opened.push(entry);
    return { socket, encrypted: url.startsWith("wss://") };
  };
  return { factory, opened };
}

describe("websocket (no_tls)", () => {
  let srv;
  const c = connections();

  before(async () => {
    srv = await startWs(wsConf(NO_TLS));
  });
  after(async () => {
    await c.closeAll();
    await srv?.stop();
  });

  test("the listener is logged as ws://127.0.0.1:PORT and nats.ws connects to it", async () => {
    const { server, ws } = srv;
    assert.equal(ws.scheme, "ws");
    assert.equal(ws.host, "127.0.0.1");
    assert.notEqual(ws.port, server.port, "its own port, not the client port");
    const nc = await c.ws(ws.url);
    const info = nc.info;
    assert.match(info.server_id, /^N[A-Z2-7]{55}$/);
    assert.equal(info.proto, 1);
    assert.equal(info.headers, true);
    assert.equal(info.max_payload, MB);
    // nats-server 2.9.10 gives a WebSocket client the INFO of a TCP client: `port` is the
    // client port, and neither tls_required nor auth_required is set here.
    assert.equal(info.port, server.port);
    assert.ok(!info.tls_required, "no tls_required with no_tls");
    assert.ok(!info.auth_required, "no auth_required");
    assert.equal(nc.getServer(), `${ws.host}:${ws.port}`);
    await within(nc.flush(), 5_000, "flush over WebSocket");
    const rtt = await within(nc.rtt(), 5_000, "rtt over WebSocket");
    assert.ok(rtt >= 0 && rtt < 5_000, `rtt ${rtt} ms`);
  });

  test("pub/sub between two WebSocket clients, wildcards included", async () => {
    const sub = await c.ws(srv.ws.url);
    const pub = await c.ws(srv.ws.url);
    const exact = sub.subscribe("ws.ps.a");
    const star = sub.subscribe("ws.ps.*");
    const full = sub.subscribe("ws.>");
    await sub.flush();
    const texts = ["hello", "", "ünïcödé ✓", "x".repeat(64 * KB)];
    for (const t of texts) pub.publish("ws.ps.a", sc.encode(t));
    pub.publish("ws.ps.b.c", sc.encode("deep"));
    await pub.flush();
    await sub.flush();

    assert.equal(exact.getReceived(), texts.length);
    assert.equal(star.getReceived(), texts.length, "ws.ps.* does not match ws.ps.b.c");
    assert.equal(full.getReceived(), texts.length + 1);
    const got = await take(exact, texts.length);
    assert.deepEqual(got.map((m) => sc.decode(m.data)), texts, "in order, intact");
    for (const m of got) assert.equal(m.subject, "ws.ps.a");
    const all = await take(full, texts.length + 1);
    assert.equal(all.at(-1).subject, "ws.ps.b.c");
    assert.equal(sc.decode(all.at(-1).data), "deep");
  });

  test("a 1 MB (max_payload) random payload round-trips between WebSocket clients", async () => {
    const sub = await c.ws(srv.ws.url);
    const pub = await c.ws(srv.ws.url);
    const s = sub.subscribe("ws.big");
    await sub.flush();
    const data = randomBytes(MB);
    pub.publish("ws.big", data);
    const [m] = await take(s, 1, 10_000);
    assert.equal(m.data.length, MB);
    assert.ok(Buffer.from(m.data).equals(data), "payload intact");
  });

  test("request/reply between WebSocket clients; no responders is a 503", async () => {
    const svc = await c.ws(srv.ws.url);
    svc.subscribe("ws.svc.upper", {
      callback: (_err, m) => m.respond(sc.encode(sc.decode(m.data).toUpperCase())),
    });
    await svc.flush();
    const client = await c.ws(srv.ws.url);
    const replies = await within(
      Promise.all(["a", "bc", "déf"].map((t) => client.request("ws.svc.upper", sc.encode(t), {
        timeout: 5_000,
      }))),
      10_000,
      "3 replies",
    );
    assert.deepEqual(replies.map((m) => sc.decode(m.data)), ["A", "BC", "DÉF"]);

    await assert.rejects(
      within(client.request("nobody.listens", sc.encode("?"), { timeout: 5_000 }), 10_000,
        "no-responders"),
      (err) => err.code === natsWs.ErrorCode.NoResponders,
    );
  });

  test("headers round trip (HPUB/HMSG) between WebSocket clients", async () => {
    const nc = await c.ws(srv.ws.url);
    const sub = nc.subscribe("ws.hdr");
    const h = natsWs.headers();
    h.set("X-Single", "value one");
    h.append("X-Multi", "a");
    h.append("X-Multi", "b");
    nc.publish("ws.hdr", sc.encode("with headers"), { headers: h });
    const only = natsWs.headers();
    only.set("Only", "headers");
    nc.publish("ws.hdr", natsWs.Empty, { headers: only });

    const [m1, m2] = await take(sub, 2);
    assert.equal(sc.decode(m1.data), "with headers");
    assert.equal(m1.headers.get("X-Single"), "value one");
    assert.deepEqual(m1.headers.values("X-Multi"), ["a", "b"]);
    assert.equal(m1.headers.hasError, false);
    assert.equal(m2.data.length, 0);
    assert.equal(m2.headers.get("Only"), "headers");
  });

  test("queue group of 3 WebSocket subscribers: each message to exactly one", async () => {
    const MEMBERS = 3;
    const MESSAGES = 90;
    const perMember = [];
    const members = [];
    for (let i = 0; i < MEMBERS; i++) {
      const nc = await c.ws(srv.ws.url);
      perMember.push([]);
      nc.subscribe("ws.q", { queue: "workers", callback: (_e, m) => perMember[i].push(sc.decode(m.data)) });
      await nc.flush();
      members.push(nc);
    }
    const watcher = await c.ws(srv.ws.url);
    const plain = [];
    watcher.subscribe("ws.q", { callback: (_e, m) => plain.push(sc.decode(m.data)) });
    await watcher.flush();

    const pub = await c.tcp(srv.server);
    const sent = Array.from({ length: MESSAGES }, (_, i) => `m${i}`);
    for (const s of sent) pub.publish("ws.q", sc.encode(s));
    await pub.flush();
    await Promise.all([...members, watcher].map((nc) => within(nc.flush(), 5_000, "flush")));

    const all = perMember.flat();
    assert.equal(all.length, MESSAGES, `deliveries to the group: ${perMember.map((r) => r.length)}`);
    assert.deepEqual([...all].sort(), [...sent].sort(), "every message exactly once");
    // Random choice among members; 90 messages all missing one of 3 is a 1e-15 chance.
    for (const [i, r] of perMember.entries()) assert.ok(r.length > 0, `member ${i} got none`);
    assert.deepEqual(plain, sent, "a plain subscriber gets every message, in order");
  });

  test("a WebSocket client and a TCP nats.js client exchange messages both ways", async () => {
    const wsc = await c.ws(srv.ws.url);
    const tcp = await c.tcp(srv.server);
    const atWs = wsc.subscribe("mix.to.ws");
    const atTcp = tcp.subscribe("mix.to.tcp");
    await wsc.flush();
    await tcp.flush();

    const th = natsTcp.headers();
    th.set("From", "tcp");
    tcp.publish("mix.to.ws", sc.encode("tcp → ws"), { headers: th });
    const wh = natsWs.headers();
    wh.set("From", "ws");
    wsc.publish("mix.to.tcp", sc.encode("ws → tcp"), { headers: wh });
    const [a] = await take(atWs, 1);
    const [b] = await take(atTcp, 1);
    assert.equal(sc.decode(a.data), "tcp → ws");
    assert.equal(a.headers.get("From"), "tcp");
    assert.equal(sc.decode(b.data), "ws → tcp");
    assert.equal(b.headers.get("From"), "ws");

    // 256 KB random both ways.
    const big = randomBytes(256 * KB);
    tcp.publish("mix.to.ws", big);
    wsc.publish("mix.to.tcp", big);
    const [bigAtWs] = await take(atWs, 1);
    const [bigAtTcp] = await take(atTcp, 1);
    assert.ok(Buffer.from(bigAtWs.data).equals(big), "TCP → WS intact");
    assert.ok(Buffer.from(bigAtTcp.data).equals(big), "WS → TCP intact");

    // Request/reply across: a TCP service for a WS requester and the reverse.
    tcp.subscribe("mix.svc.tcp", { callback: (_e, m) => m.respond(sc.encode(`tcp:${sc.decode(m.data)}`)) });
    wsc.subscribe("mix.svc.ws", { callback: (_e, m) => m.respond(sc.encode(`ws:${sc.decode(m.data)}`)) });
    await tcp.flush();
    await wsc.flush();
    const r1 = await within(wsc.request("mix.svc.tcp", sc.encode("1"), { timeout: 5_000 }), 10_000, "WS → TCP request");
    const r2 = await within(tcp.request("mix.svc.ws", sc.encode("2"), { timeout: 5_000 }), 10_000, "TCP → WS request");
    assert.equal(sc.decode(r1.data), "tcp:1");
    assert.equal(sc.decode(r2.data), "ws:2");
  });

  test("the HTTP handshake: 101 with Sec-WebSocket-Accept on any path, 400/405 otherwise", async () => {
    const { ws } = srv;
    const upgrade = (method, path, version = "13", key = "dGhlIHNhbXBsZSBub25jZQ==") =>
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${ws.port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\n${key ? `Sec-WebSocket-Key: ${key}\r\n` : ""}` +
      `Sec-WebSocket-Version: ${version}\r\n\r\n`;
    async function ask(request, re) {
      const raw = await rawConnect(ws.port);
      try {
        raw.write(request);
        return await raw.read(re);
      } finally {
        raw.destroy();
      }
    }
    // RFC 6455's sample key and its accept value; the first frame is the INFO, unmasked binary.
    await ask(upgrade("GET", "/any/path?x=1"),
      /^HTTP\/1\.1 101 Switching Protocols\r\n(?=[^]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n)[^]*?\r\n\r\n\x82[^]{1,9}INFO \{/i);
    await ask(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, /^HTTP\/1\.1 400 /);
    await ask(upgrade("POST", "/"), /^HTTP\/1\.1 405 /);
    await ask(upgrade("GET", "/", "12"), /^HTTP\/1\.1 400 /);
    await ask(upgrade("GET", "/", "13", ""), /^HTTP\/1\.1 400 /);
    // Each refusal is logged as a handshake error with its reason.
    for (const reason of [
      "invalid value for header 'Upgrade'",
      "request method must be GET",
      "invalid version",
      "key missing",
    ]) {
      await srv.server.logMatch(new RegExp(`websocket handshake error: ${reason}`), 5_000);
    }
  });
});

describe("websocket over TLS (wss)", () => {
  let pki;
  let srv;
  const c = connections();

  before(async () => {
    pki = await makeTestCerts();
    srv = await startWs(
      wsConf(
        `  tls {\n    cert_file: "${pki.path("server-cert.pem")}"\n` +
          `    key_file: "${pki.path("server-key.pem")}"\n  }\n`,
      ),
    );
  });
  after(async () => {
    await c.closeAll();
    await srv?.stop();
    await pki?.cleanup();
  });

  test("the listener is logged as wss:// and a client trusting the CA gets in", async () => {
    assert.equal(srv.ws.scheme, "wss");
    const ca = await readFile(pki.path("ca.pem"));
    const { factory, opened } = recordingFactory({ ca });
    const nc = await c.ws(srv.ws.url, { wsFactory: factory });
    assert.equal(opened.length, 1);
    const tlsSocket = opened[0].upgrade.socket;
    assert.equal(tlsSocket.encrypted, true);
    assert.equal(tlsSocket.authorized, true, "the server's certificate chains to the CA");
    assert.match(tlsSocket.getProtocol(), /^TLSv1\.[23]$/);
    // nats-server 2.9.10 sets no tls_required in the INFO of a wss:// client: TLS is below it.
    assert.ok(!nc.info.tls_required, "tls_required not set");

    const sub = nc.subscribe("wss.x");
    nc.publish("wss.x", sc.encode("over wss"));
    const [m] = await take(sub, 1);
    assert.equal(sc.decode(m.data), "over wss");
  });

  test("wss:// and plain TCP clients of the same server exchange messages", async () => {
    const ca = await readFile(pki.path("ca.pem"));
    const wsc = await c.ws(srv.ws.url, { wsFactory: recordingFactory({ ca }).factory });
    const tcp = await c.tcp(srv.server);
    const atWs = wsc.subscribe("wss.mix.ws");
    const atTcp = tcp.subscribe("wss.mix.tcp");
    await wsc.flush();
    await tcp.flush();
    const data = randomBytes(256 * KB);
    tcp.publish("wss.mix.ws", data);
    wsc.publish("wss.mix.tcp", data);
    const [a] = await take(atWs, 1);
    const [b] = await take(atTcp, 1);
    assert.ok(Buffer.from(a.data).equals(data), "TCP → wss intact");
    assert.ok(Buffer.from(b.data).equals(data), "wss → TCP intact");
  });

  test("a client that does not trust the CA, or speaks ws:// to it, is refused", async () => {
    // No CA: Node's default trust store does not know the throwaway CA.
    await assert.rejects(
      within(c.ws(srv.ws.url), 10_000, "refusal (untrusted)"),
      /unable to verify the first certificate/,
    );
    // Plaintext WebSocket to the TLS port (nats-server's Go TLS stack answers a plaintext
    // HTTP request with a 400; only the refusal is asserted).
    await assert.rejects(
      within(c.ws(srv.ws.url.replace(/^wss:/, "ws:")), 10_000, "refusal (plaintext)"),
    );
  });
});

describe("websocket without TLS or no_tls", () => {
  test("the server refuses to start: websocket requires TLS configuration", async () => {
    await assert.rejects(startWs(wsConf()), /websocket requires TLS configuration/);
  });
});

describe("websocket compression (permessage-deflate)", () => {
  let on;
  let off;
  const c = connections();

  before(async () => {
    on = await startWs(wsConf(`${NO_TLS}  compression: true\n`));
    off = await startWs(wsConf(NO_TLS));
  });
  after(async () => {
    await c.closeAll();
    await on?.stop();
    await off?.stop();
  });

  // ~10 KB of JSON-ish text: compressible, different in every message.
  const payload = (i) =>
    JSON.stringify(
      Array.from({ length: 220 }, (_, k) => ({ msg: i, item: k, text: "compressible text" })),
    );

  test("compression: true accepts the offer; 10 KB messages arrive intact every way", async () => {
    const { factory, opened } = recordingFactory();
    const a = await c.ws(on.ws.url, { wsFactory: factory });
    const b = await c.ws(on.ws.url, { wsFactory: factory });
    const tcp = await c.tcp(on.server);
    for (const { socket, upgrade } of opened) {
      assert.equal(socket.extensions, "permessage-deflate", "the server accepted the offer");
      assert.match(upgrade.headers["sec-websocket-extensions"], /^permessage-deflate\b/);
    }
    const atB = b.subscribe("z.b");
    const atTcp = tcp.subscribe("z.tcp");
    const atA = a.subscribe("z.a");
    await b.flush();
    await tcp.flush();
    await a.flush();

    const N = 20;
    const sent = Array.from({ length: N }, (_, i) => payload(i));
    assert.ok(sent[0].length >= 10 * KB && sent[0].length < 12 * KB, `${sent[0].length} bytes`);
    const bRead0 = opened[1].upgrade.socket.bytesRead;
    for (const p of sent) a.publish("z.b", sc.encode(p)); // WS → WS
    for (const p of sent) a.publish("z.tcp", sc.encode(p)); // WS → TCP
    for (const p of sent) tcp.publish("z.a", sc.encode(p)); // TCP → WS
    const gotB = await take(atB, N);
    const gotTcp = await take(atTcp, N);
    const gotA = await take(atA, N);
    for (const got of [gotB, gotTcp, gotA]) {
      assert.deepEqual(got.map((m) => sc.decode(m.data)), sent, "intact, in order");
    }
    // What reached b on the wire is a small fraction of the 200+ KB it received.
    const onWire = opened[1].upgrade.socket.bytesRead - bRead0;
    const plainBytes = sent.reduce((n, p) => n + p.length, 0);
    assert.ok(onWire < plainBytes / 4, `${onWire} bytes on the wire for ${plainBytes} of payload`);
  });

  test("without compression: true the offer is declined and frames are plain", async () => {
    const { factory, opened } = recordingFactory();
    const a = await c.ws(off.ws.url, { wsFactory: factory });
    const [{ socket, upgrade }] = opened;
    assert.equal(socket.extensions, "", "no extension negotiated");
    assert.equal(upgrade.headers["sec-websocket-extensions"], undefined);
    const sub = a.subscribe("plain.x");
    await a.flush();
    const read0 = upgrade.socket.bytesRead;
    const p = payload(0);
    a.publish("plain.x", sc.encode(p));
    const [m] = await take(sub, 1);
    assert.equal(sc.decode(m.data), p);
    assert.ok(upgrade.socket.bytesRead - read0 > p.length, "the payload crossed uncompressed");
  });
});

describe("websocket reconnect", () => {
  let srv;
  let c;
  const RECONNECT = {
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectJitter: 0,
  };

  beforeEach(async () => {
    c = connections();
    srv = await startWs(wsConf(NO_TLS));
    // The next runs keep this run's WebSocket port: the config now names it (restart() keeps
    // the client port by itself).
    await writeFile(srv.conf.path, wsConf(NO_TLS, srv.ws.port));
  });
  afterEach(async () => {
    await c.closeAll();
    await srv?.stop();
  });

  test("restart on the same ports: WS and TCP clients reconnect and talk again", async () => {
    const wsc = await c.ws(srv.ws.url, RECONNECT);
    const tcp = await c.tcp(srv.server, RECONNECT);
    const wsStatus = wsc.status();
    const tcpStatus = tcp.status();
    const atWs = wsc.subscribe("rc.ws");
    const atTcp = tcp.subscribe("rc.tcp");
    await wsc.flush();
    await tcp.flush();
    const firstId = wsc.info.server_id;
    const { port: wsPort } = srv.ws;
    const clientPort = srv.server.port;

    for (let round = 1; round <= 2; round++) {
      await srv.server.restart();
      assert.equal(srv.server.port, clientPort);
      assert.equal((await srv.server.websocket()).port, wsPort, "the same WebSocket port");
      const isType = (t) => (s) => s.type === t;
      await until(wsStatus, isType(natsWs.Events.Reconnect), 15_000, `WS reconnect #${round}`);
      await until(tcpStatus, isType(natsTcp.Events.Reconnect), 15_000, `TCP reconnect #${round}`);
      // Both resent their SUBs on reconnecting; a round trip each makes sure they are in.
      await within(wsc.flush(), 5_000, "WS flush after reconnect");
      await within(tcp.flush(), 5_000, "TCP flush after reconnect");

      tcp.publish("rc.ws", sc.encode(`to ws ${round}`));
      wsc.publish("rc.tcp", sc.encode(`to tcp ${round}`));
      assert.equal(sc.decode((await take(atWs, 1))[0].data), `to ws ${round}`);
      assert.equal(sc.decode((await take(atTcp, 1))[0].data), `to tcp ${round}`);
      assert.notEqual(wsc.info.server_id, firstId, "a new server process");
    }
  });
});

describe("websocket authorization override", () => {
  let srv;
  const c = connections();

  before(async () => {
    srv = await startWs(
      wsConf(`${NO_TLS}  authorization {\n    user: "wsuser"\n    password: "wspass"\n  }\n`),
    );
  });
  after(async () => {
    await c.closeAll();
    await srv?.stop();
  });

  const isAuthError = (err) => err.code === natsWs.ErrorCode.AuthorizationViolation;

  test("a WebSocket client needs the listener's user and password", async () => {
    await assert.rejects(within(c.ws(srv.ws.url), 10_000, "refusal (no creds)"), isAuthError);
    await assert.rejects(
      within(c.ws(srv.ws.url, { user: "wsuser", pass: "wrong" }), 10_000, "refusal (bad pass)"),
      isAuthError,
    );
    // Logged with the `wid:` tag nats-server gives WebSocket clients (TCP ones have `cid:`).
    await srv.server.logMatch(/ - wid:\d+ - .*authentication error/, 5_000);
    const nc = await c.ws(srv.ws.url, { user: "wsuser", pass: "wspass" });
    assert.equal(nc.info.auth_required, true, "the WebSocket INFO asks for auth");
    await within(nc.flush(), 5_000, "flush with creds");
  });

  test("a TCP client needs none, and talks to the authenticated WebSocket client", async () => {
    const tcp = await c.tcp(srv.server);
    assert.ok(!tcp.info.auth_required, "the TCP INFO does not ask for auth");
    const wsc = await c.ws(srv.ws.url, { user: "wsuser", pass: "wspass" });
    const atTcp = tcp.subscribe("auth.tcp");
    const atWs = wsc.subscribe("auth.ws");
    await tcp.flush();
    await wsc.flush();
    wsc.publish("auth.tcp", sc.encode("from ws"));
    tcp.publish("auth.ws", sc.encode("from tcp"));
    assert.equal(sc.decode((await take(atTcp, 1))[0].data), "from ws");
    assert.equal(sc.decode((await take(atWs, 1))[0].data), "from tcp");
  });
});

describe("websocket allowed_origins", () => {
  let srv;
  const c = connections();

  before(async () => {
    srv = await startWs(wsConf(`${NO_TLS}  allowed_origins: ["http://good.example"]\n`));
  });
  after(async () => {
    await c.closeAll();
    await srv?.stop();
  });

  const withOrigin = (origin) => recordingFactory(origin ? { origin } : {}).factory;

  test("a listed Origin gets in, another gets 403, none at all gets in", async () => {
    const nc = await c.ws(srv.ws.url, { wsFactory: withOrigin("http://good.example") });
    await within(nc.flush(), 5_000, "flush (listed origin)");
    await assert.rejects(
      within(c.ws(srv.ws.url, { wsFactory: withOrigin("http://evil.example") }), 10_000,
        "refusal (other origin)"),
      /Unexpected server response: 403/,
    );
    await srv.server.logMatch(/websocket handshake error: origin not allowed/, 5_000);
    // Not a browser: no Origin header, no origin check.
    const bare = await c.ws(srv.ws.url);
    await within(bare.flush(), 5_000, "flush (no origin)");
  });
});
