// A cluster as nats.js sees it: a client given only one server learns the others from INFO
// connect_urls, fails over to one of them when its server goes away, keeps its subscriptions,
// and exchanges messages across the route with a client of the other server.

import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, Events, StringCodec } from "nats";
import { startServer, take, until, waitFor } from "./harness.mjs";

const sc = StringCodec();
const ROUTE_RE = /Listening for route connections on 127\.0\.0\.1:(\d+)/;

async function routePort(server) {
  await waitFor(() => ROUTE_RE.test(server.log), 10_000, "the route listener");
  return Number(ROUTE_RE.exec(server.log)[1]);
}

describe("cluster", () => {
  let servers;
  let conns;

  beforeEach(() => {
    servers = [];
    conns = [];
  });
  afterEach(async () => {
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  async function startCluster() {
    const a = await startServer(["--cluster", "nats://127.0.0.1:-1", "--cluster_name", "JS"]);
    servers.push(a);
    const seed = `nats://127.0.0.1:${await routePort(a)}`;
    const b = await startServer([
      "--cluster", "nats://127.0.0.1:-1", "--cluster_name", "JS", "--routes", seed,
    ]);
    servers.push(b);
    return [a, b];
  }

  test("messages cross the route between clients of different servers", async () => {
    const [a, b] = await startCluster();
    const onA = await connect({ servers: a.url });
    const onB = await connect({ servers: b.url });
    conns.push(onA, onB);
    const sub = onB.subscribe("greet.*");
    await onB.flush();
    // Interest reaches A asynchronously: publish until one arrives.
    await waitFor(async () => {
      onA.publish("greet.js", sc.encode("hello"));
      await onA.flush();
      return sub.getReceived() > 0;
    }, 10_000, "a message from A at B");
    const [m] = await take(sub, 1);
    assert.equal(m.subject, "greet.js");
    assert.equal(sc.decode(m.data), "hello");
  });

  test("request/reply and a queue-group service across the route", async () => {
    const [a, b] = await startCluster();
    const requester = await connect({ servers: a.url });
    const service = await connect({ servers: b.url });
    conns.push(requester, service);
    service.subscribe("svc.echo", {
      queue: "workers",
      callback: (_err, m) => m.respond(sc.encode(`echo ${sc.decode(m.data)}`)),
    });
    await service.flush();
    // Until the service's interest reached A, requests get no responders: retry, bounded.
    let reply;
    await waitFor(async () => {
      reply = await requester.request("svc.echo", sc.encode("hi"), { timeout: 500 })
        .catch(() => undefined);
      return reply !== undefined;
    }, 10_000, "the service across the route");
    assert.equal(sc.decode(reply.data), "echo hi");
    for (let i = 0; i < 20; i++) {
      const r = await requester.request("svc.echo", sc.encode(String(i)), { timeout: 2_000 });
      assert.equal(sc.decode(r.data), `echo ${i}`);
    }
  });

  test("a client learns the other server and fails over to it", async () => {
    const [a, b] = await startCluster();
    const nc = await connect({
      servers: a.url, // only A: B must come from connect_urls
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      reconnectJitter: 0,
    });
    conns.push(nc);
    await waitFor(() => (nc.info?.connect_urls ?? []).includes(b.url), 10_000,
      "B in connect_urls");

    const onB = await connect({ servers: b.url });
    conns.push(onB);
    const sub = nc.subscribe("after.failover");
    await nc.flush();

    const status = nc.status();
    await a.stop();
    const seen = await until(status, (s) => s.type === Events.Reconnect, 10_000, "the reconnect");
    assert.equal(seen.at(-1).data, b.url);

    // The subscription came along: a message published on B reaches it, now locally.
    await waitFor(async () => {
      onB.publish("after.failover", sc.encode("hello"));
      await onB.flush();
      return sub.getReceived() > 0;
    }, 10_000, "a message after failover");
    assert.equal(sc.decode((await take(sub, 1))[0].data), "hello");
  });
});
