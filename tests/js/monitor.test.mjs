// Monitoring seen by HTTP clients (node's fetch) while nats.js makes traffic: /metrics parsed by
// a Prometheus text-format parser (npm parse-prometheus-text-format) and equal to /varz,
// /healthz, JSONP, and /connz naming the nats.js connection. Against nats-server (GNATSD_BINARY
// unset) the /metrics suite is skipped: nats-server has no built-in Prometheus endpoint.

import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { connect, StringCodec } from "nats";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startServer, take, within } from "./harness.mjs";

const MONITOR_RE = /Starting http monitor on 127\.0\.0\.1:(\d+)/;
const gnatsd = Boolean(process.env.GNATSD_BINARY);

async function get(port, path) {
  const res = await within(fetch(`http://127.0.0.1:${port}${path}`), 5_000, `GET ${path}`);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

async function getJson(port, path) {
  const r = await get(port, path);
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  assert.equal(r.type, "application/json");
  return JSON.parse(r.body);
}

describe("monitoring over HTTP", () => {
  let server;
  let http;
  let nc;
  const sc = StringCodec();

  before(async () => {
    server = await startServer(["-m", "-1"]);
    http = Number(MONITOR_RE.exec(server.log)[1]);
    nc = await connect({ servers: server.url, name: "js-monitor" });
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  test("nats.js traffic moves /varz by exactly what was sent", async () => {
    const sub = nc.subscribe("metered");
    await nc.flush();
    const before = await getJson(http, "/varz");
    for (let i = 0; i < 100; i++) nc.publish("metered", sc.encode("0123456789"));
    await take(sub, 100);
    const after = await getJson(http, "/varz");
    assert.equal(after.in_msgs - before.in_msgs, 100);
    assert.equal(after.out_msgs - before.out_msgs, 100);
    assert.equal(after.in_bytes - before.in_bytes, 1000);
    assert.equal(after.out_bytes - before.out_bytes, 1000);
    sub.unsubscribe();
    await nc.flush();
  });

  test("/connz names the nats.js connection", async () => {
    const connz = await getJson(http, "/connz?subs=1");
    const mine = connz.connections.find((c) => c.name === "js-monitor");
    assert.ok(mine, JSON.stringify(connz));
    assert.equal(mine.lang, "nats.js");
    assert.equal(typeof mine.version, "string");
    assert.equal(mine.kind, "Client");
    assert.match(mine.rtt, /^[0-9.]+(ns|µs|ms|s)$/);
  });

  test("/healthz answers ok", async () => {
    const r = await get(http, "/healthz");
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { status: "ok" });
  });

  test("JSONP wraps a JSON endpoint", async () => {
    const r = await get(http, "/varz?callback=show");
    assert.equal(r.type, "application/javascript");
    assert.ok(r.body.startsWith("show(") && r.body.endsWith(")"));
    assert.equal(JSON.parse(r.body.slice(5, -1)).server_id.length, 56);
  });

  test("unknown paths are 404", async () => {
    const r = await get(http, "/nothing-here");
    assert.equal(r.status, 404);
    assert.equal(r.body, "404 page not found\n");
  });

  test("/metrics parses as Prometheus text and equals /varz", { skip: !gnatsd }, async () => {
    // Quiet server: take /varz, then /metrics; only the request counters may move between.
    const varz = await getJson(http, "/varz");
    const r = await get(http, "/metrics");
    assert.equal(r.status, 200);
    assert.equal(r.type, "text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheusTextFormat(r.body);
    const byName = new Map(families.map((f) => [f.name, f]));

    const counters = ["in_msgs", "out_msgs", "in_bytes", "out_bytes", "slow_consumers",
      "total_connections"];
    const gauges = ["connections", "subscriptions", "routes", "remotes", "max_connections",
      "max_payload", "max_pending", "max_control_line", "ping_interval", "ping_max",
      "write_deadline", "cores", "gomaxprocs"];
    for (const field of [...counters, ...gauges]) {
      const family = byName.get(`gnatsd_varz_${field}`);
      assert.ok(family, `gnatsd_varz_${field} missing`);
      assert.equal(family.type, counters.includes(field) ? "COUNTER" : "GAUGE", field);
      assert.ok(family.help.length > 0, field);
      assert.equal(family.metrics.length, 1, field);
      assert.deepEqual(family.metrics[0].labels, { server_id: varz.server_id }, field);
      assert.equal(Number(family.metrics[0].value), varz[field], field);
    }
    // These move by themselves; present and plausible is what can be asserted.
    assert.ok(Number(byName.get("gnatsd_varz_mem").metrics[0].value) > 0);
    assert.ok(Number(byName.get("gnatsd_varz_cpu").metrics[0].value) >= 0);
    // One sample per endpoint served, this /metrics included.
    const reqs = byName.get("gnatsd_varz_http_req_stats");
    assert.equal(reqs.type, "COUNTER");
    const byPath = Object.fromEntries(reqs.metrics.map((m) => [m.labels.path, Number(m.value)]));
    assert.equal(byPath["/metrics"], 1);
    assert.equal(byPath["/varz"], varz.http_req_stats["/varz"]);
  });
});
