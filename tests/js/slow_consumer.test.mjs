// Slow consumer: a subscriber that stops reading is cut off by the server (max_pending
// exceeded or write_deadline expired), while the publisher (nats.js) and the server carry on.
//
// The subscriber is a bare TCP socket that subscribes and then stops reading (nats.js always
// reads). How the cut-off is observed without reading that socket: it is the only subscriber
// of its subject, so a nats.js request to that subject times out while it is alive and fails
// at once with no-responders (503) after the server has dropped it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, Empty, ErrorCode } from "nats";
import { rawConnect, startServer, take, within, writeTempConfig } from "./harness.mjs";

const MAX_PENDING = 256 * 1024;
const CHUNK = 32 * 1024;
const PROBE_EVERY = 4 * 1024 * 1024; // bytes published between two liveness probes
const PUBLISH_CAP = 512 * 1024 * 1024; // far beyond any socket buffering; bounds the loop
const DEADLINE_MS = 30_000;

/** true once the subject has no subscriber left (503), false while one holds it (timeout). */
async function hasNoResponders(nc, subject) {
  try {
    await nc.request(subject, Empty, { timeout: 200 });
    throw new Error("the stalled subscriber cannot reply");
  } catch (err) {
    if (err.code === ErrorCode.NoResponders) return true;
    if (err.code === ErrorCode.Timeout) return false;
    throw err;
  }
}

describe("slow consumer", () => {
  let server;
  let config;

  before(async () => {
    // max_payload may not exceed max_pending (the server refuses to start otherwise).
    // nats-server 2.9 flags the client as soon as max_pending is exceeded, but only drops it
    // (and its subscription) once its blocked write hits write_deadline (default 10 s): a
    // short deadline keeps the test fast. On loopback the deadline usually fires first.
    config = await writeTempConfig(
      `max_pending: ${MAX_PENDING}\nwrite_deadline: "1s"\nmax_payload: ${CHUNK}\n`,
    );
    server = await startServer(["-c", config.path]);
  });
  after(async () => {
    await server?.stop();
    await config?.cleanup();
  });

  test("a subscriber that stops reading is disconnected; others are unaffected", async () => {
    const pub = await connect({ servers: server.url, timeout: 5_000 });
    const slow = await rawConnect(server.port);
    try {
      await slow.read(/^INFO .*\r\n/);
      slow.write('CONNECT {"verbose":false}\r\nSUB slow.x 1\r\nPING\r\n');
      await slow.read(/PONG\r\n/);
      slow.socket.pause(); // from here on nothing is read from this socket

      // A healthy subscriber of the same traffic on another subject, to show it keeps up.
      const healthy = await connect({ servers: server.url, timeout: 5_000 });
      const hsub = healthy.subscribe("fast.x");
      await healthy.flush();

      assert.equal(await hasNoResponders(pub, "slow.x"), false, "stalled subscriber present");

      const chunk = new Uint8Array(CHUNK);
      const started = Date.now();
      let published = 0;
      let cut = false;
      while (!cut) {
        for (let n = 0; n < PROBE_EVERY; n += CHUNK) pub.publish("slow.x", chunk);
        published += PROBE_EVERY;
        await within(pub.flush(), 10_000, "publisher flush");
        cut = await hasNoResponders(pub, "slow.x");
        assert.ok(
          cut || (published < PUBLISH_CAP && Date.now() - started < DEADLINE_MS),
          `slow consumer not cut off after ${published} bytes, ${Date.now() - started} ms`,
        );
      }

      // Reading again: the socket holds at most what was in flight, then the server's close.
      slow.socket.resume();
      await within(slow.closed, 10_000, "server to have closed the slow consumer");
      assert.ok(
        slow.socket.bytesRead < published,
        `read ${slow.socket.bytesRead} of ${published} published bytes`,
      );

      // Publisher and server carry on.
      assert.equal(pub.isClosed(), false);
      pub.publish("fast.x", chunk);
      const [m] = await take(hsub, 1);
      assert.equal(m.data.length, CHUNK);
      await healthy.close();
    } finally {
      slow.destroy();
      await pub.close();
    }
  });
});
