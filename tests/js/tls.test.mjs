// TLS through nats.js: the client upgrades after INFO and publishes/subscribes (TLS 1.3 and 1.2,
// 1 MB payloads); with --tlsverify only a certificate from the CA gets in; a plaintext client
// and one that never starts the handshake are dropped. Certificates are made fresh per run.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, StringCodec } from "nats";
import {
  makeTestCerts,
  rawConnect,
  startServer,
  take,
  waitFor,
  within,
  writeTempConfig,
} from "./harness.mjs";

const sc = StringCodec();
const MB = 1024 * 1024;
const isReference = (server) => server.binary.includes("nats-server");

function tlsFlags(pki, verify = false) {
  return verify
    ? ["--tlsverify", "--tlscert", pki.path("server-cert.pem"), "--tlskey",
       pki.path("server-key.pem"), "--tlscacert", pki.path("ca.pem")]
    : ["--tls", "--tlscert", pki.path("server-cert.pem"), "--tlskey", pki.path("server-key.pem")];
}

describe("TLS required (--tls)", () => {
  let pki;
  let server;
  const conns = [];
  async function dial(tls = {}) {
    const nc = await connect({
      servers: server.url,
      timeout: 5_000,
      reconnect: false,
      tls: { caFile: pki.path("ca.pem"), ...tls },
    });
    conns.push(nc);
    return nc;
  }

  before(async () => {
    pki = await makeTestCerts();
    server = await startServer(tlsFlags(pki));
  });
  after(async () => {
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await server?.stop();
    await pki?.cleanup();
  });

  test("INFO requires TLS and the client upgrades; pub/sub works", async () => {
    const nc = await dial();
    assert.equal(nc.info.tls_required, true);
    const sub = nc.subscribe("tls.hello");
    nc.publish("tls.hello", sc.encode("over TLS"));
    const [m] = await take(sub, 1);
    assert.equal(sc.decode(m.data), "over TLS");
  });

  test("a TLS 1.2 client works too", async () => {
    const nc = await dial({ maxVersion: "TLSv1.2" });
    const sub = nc.subscribe("tls.v12");
    nc.publish("tls.v12", sc.encode("1.2"));
    const [m] = await take(sub, 1);
    assert.equal(sc.decode(m.data), "1.2");
  });

  test("a TLS 1.1 client is refused", async () => {
    const legacy = { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" };
    await assert.rejects(within(dial(legacy), 10_000, "refusal"));
    // Refused by the server, not by the client's own TLS library.
    await waitFor(() => /client offered only unsupported versions/.test(server.log), 5_000,
      "the server's handshake error");
  });

  test("1 MB payload round-trips intact between two TLS connections", async () => {
    const sub = await dial();
    const pub = await dial();
    const s = sub.subscribe("tls.big");
    await sub.flush();
    const data = randomBytes(MB);
    pub.publish("tls.big", data);
    const [m] = await take(s, 1, 10_000);
    assert.ok(Buffer.from(m.data).equals(data), "payload intact");
  });

  test("a plaintext client is refused and closed", async () => {
    const c = await rawConnect(server.port);
    try {
      await c.read(/^INFO \{.*"tls_required":true.*\} \r\n/);
      c.write('CONNECT {"verbose":false}\r\nPING\r\n');
      await within(c.closed, 5_000, "the server to close the plaintext client");
      if (!isReference(server)) {
        // nats-server 2.9.10 closes without a word; the issue asks for the -ERR.
        assert.match(c.text, /-ERR 'Secure Connection - TLS Required'\r\n$/);
      }
      assert.doesNotMatch(c.text, /PONG/);
    } finally {
      c.destroy();
    }
  });
});

describe("TLS with client verification (--tlsverify)", () => {
  let pki;
  let server;
  const conns = [];
  async function dial(cert) {
    const tls = { caFile: pki.path("ca.pem") };
    if (cert) {
      tls.certFile = pki.path(`${cert}-cert.pem`);
      tls.keyFile = pki.path(`${cert}-key.pem`);
    }
    const nc = await connect({ servers: server.url, timeout: 5_000, reconnect: false, tls });
    conns.push(nc);
    return nc;
  }

  before(async () => {
    pki = await makeTestCerts();
    server = await startServer(tlsFlags(pki, true));
  });
  after(async () => {
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await server?.stop();
    await pki?.cleanup();
  });

  test("a certificate from the CA gets in", async () => {
    const nc = await dial("client");
    assert.equal(nc.info.tls_verify, true);
    const sub = nc.subscribe("v");
    nc.publish("v", sc.encode("verified"));
    const [m] = await take(sub, 1);
    assert.equal(sc.decode(m.data), "verified");
  });

  test("no certificate is refused", async () => {
    await assert.rejects(within(dial(), 10_000, "refusal"));
  });

  test("a certificate from another CA is refused", async () => {
    await assert.rejects(within(dial("rogue"), 10_000, "refusal"));
  });
});

describe("TLS handshake timeout", () => {
  let pki;
  let conf;
  let server;

  before(async () => {
    pki = await makeTestCerts();
    conf = await writeTempConfig(
      `tls {\n  cert_file: "${pki.path("server-cert.pem")}"\n` +
        `  key_file: "${pki.path("server-key.pem")}"\n  timeout: 0.5\n}\n`,
    );
    server = await startServer(["-c", conf.path]);
  });
  after(async () => {
    await server?.stop();
    await conf?.cleanup();
    await pki?.cleanup();
  });

  test("a client that never starts TLS is closed after the timeout", async () => {
    const c = await rawConnect(server.port);
    try {
      await c.read(/^INFO .*\r\n/);
      const start = Date.now();
      await within(c.closed, 5_000, "the server to close the silent client");
      const waited = Date.now() - start;
      assert.ok(waited >= 400 && waited <= 2_000, `closed after ${waited} ms`);
    } finally {
      c.destroy();
    }
  });
});
