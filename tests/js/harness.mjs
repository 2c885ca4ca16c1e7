// Test harness for the nats.js integration tests: starts the server binary on an ephemeral
// loopback port, stops it by pid, and gives every wait in a test a bounded deadline.
//
// The binary is $GNATSD_BINARY (CTest sets it to the built gnatsd); without it the tests run
// against the reference nats-server (Debian installs it in /usr/sbin), which is how they were
// calibrated.

import { execFile, spawn } from "node:child_process";
import net from "node:net";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BINARY =
  process.env.GNATSD_BINARY ||
  ["/usr/bin/nats-server", "/usr/sbin/nats-server"].find((p) => existsSync(p)) ||
  "nats-server";

const LISTEN_RE = /Listening for client connections on 127\.0\.0\.1:(\d+)/;
const WS_LISTEN_RE = /Listening for websocket clients on (wss?):\/\/(\[[^\]]+\]|[^\s:]+):(\d+)/;
const READY_TIMEOUT_MS = 10_000;
const TERM_TIMEOUT_MS = 5_000;
const KILL_TIMEOUT_MS = 5_000;
const LOG_TAIL_CHARS = 16_000;

// Servers still running when node exits (a test crashed past its hooks) are killed by pid.
const running = new Set();
process.on("exit", () => {
  for (const server of running) {
    try {
      process.kill(server.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Resolves `promise`, or rejects after `ms` with an error naming `what` (text or function). */
export function within(promise, ms, what = "operation") {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const name = typeof what === "function" ? what() : what;
      reject(new Error(`timed out after ${ms} ms waiting for ${name}`));
    }, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Polls `predicate` every `intervalMs` until it is true; throws after `ms`. */
export async function waitFor(predicate, ms, what = "condition", intervalMs = 10) {
  const end = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// nats.js iterators (subscriptions, status) may be iterated only once ("already yielding"),
// so the one iterator of each iterable is kept here and shared by take() and ended().
const iterators = new WeakMap();
function iteratorOf(iterable) {
  let it = iterators.get(iterable);
  if (!it) {
    it = iterable[Symbol.asyncIterator]();
    iterators.set(iterable, it);
  }
  return it;
}

/** Reads exactly `count` items from a subscription (or any async iterable), each within `ms`. */
export async function take(iterable, count, ms = 5_000, what = "message") {
  const it = iteratorOf(iterable);
  const out = [];
  while (out.length < count) {
    const r = await within(it.next(), ms, `${what} #${out.length + 1} of ${count}`);
    if (r.done) throw new Error(`iterator ended after ${out.length} of ${count} ${what}s`);
    out.push(r.value);
  }
  return out;
}

/** Resolves once the iterable ends within `ms`; fails if it yields another item first. */
export async function ended(iterable, ms = 5_000, what = "iterator") {
  const r = await within(iteratorOf(iterable).next(), ms, `${what} to end`);
  if (!r.done) throw new Error(`${what} yielded another item instead of ending`);
}

/** Reads items until `predicate(item)` holds, each within `ms`; returns the items read. */
export async function until(iterable, predicate, ms = 5_000, what = "item") {
  const it = iteratorOf(iterable);
  const out = [];
  for (;;) {
    const r = await within(it.next(), ms, `${what} after ${out.length} others`);
    if (r.done) throw new Error(`iterator ended before ${what} (saw ${out.length} others)`);
    out.push(r.value);
    if (predicate(r.value)) return out;
  }
}

/** Writes `text` to a fresh temp config file; returns its path and a cleanup function. */
export async function writeTempConfig(text, name = "server.conf") {
  const dir = await mkdtemp(join(tmpdir(), "gnatsd-js-"));
  const path = join(dir, name);
  await writeFile(path, text);
  return { path, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const CERTS_SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "support",
  "make-test-certs.sh",
);

/**
 * A throwaway PKI (fresh keys, made by tests/support/make-test-certs.sh with the openssl CLI):
 * ca.pem, server-cert.pem/-key.pem, client-cert.pem/-key.pem, rogue-ca.pem,
 * rogue-cert.pem/-key.pem. Returns `path(file)` and a cleanup function that deletes them.
 */
export async function makeTestCerts() {
  const dir = await mkdtemp(join(tmpdir(), "gnatsd-js-pki-"));
  await within(
    new Promise((resolve, reject) =>
      execFile("sh", [CERTS_SCRIPT, dir], (err) => (err ? reject(err) : resolve())),
    ),
    30_000,
    "test certificates",
  );
  return {
    dir,
    path: (file) => join(dir, file),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One server process. Use `startServer()`; always `stop()` it in a finally/after hook. */
export class ServerProcess {
  constructor(binary, extraArgs) {
    this.binary = binary;
    this.extraArgs = extraArgs;
    this.port = undefined;
    this.pid = undefined;
    this.child = undefined;
    this.log = "";
    this.exited = undefined; // promise resolving with {code, signal}
  }

  get url() {
    return `127.0.0.1:${this.port}`;
  }

  get hostport() {
    return { hostname: "127.0.0.1", port: this.port };
  }

  get running() {
    const c = this.child;
    return c !== undefined && c.pid !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Starts the binary on `port` (-1: ephemeral) and resolves once it is listening. */
  async start(port = -1) {
    if (this.running) throw new Error("server already running");
    const args = ["-a", "127.0.0.1", "-p", String(port), ...this.extraArgs];
    // As the C++ harness: under make test-tsan the server gets its own TSAN_OPTIONS (no
    // suppressions), whatever the test process was given.
    const env = { ...process.env };
    if (env.GNATSD_SERVER_TSAN_OPTIONS !== undefined) {
      env.TSAN_OPTIONS = env.GNATSD_SERVER_TSAN_OPTIONS;
    }
    const child = spawn(this.binary, args, { stdio: ["ignore", "pipe", "pipe"], env });
    this.child = child;
    this.pid = child.pid;
    this.log = "";
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        running.delete(this);
        resolve({ code, signal });
      });
      // A failed spawn (e.g. ENOENT) emits 'error' and never 'exit'.
      child.once("error", (error) => {
        if (child.pid === undefined) {
          running.delete(this);
          resolve({ code: null, signal: null, error });
        }
      });
    });
    running.add(this);

    // Keep draining both pipes for the whole life of the process: a full pipe would block the
    // server's logging. Only a tail is kept, for error messages.
    const append = (chunk) => {
      this.log = (this.log + chunk.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout.on("data", append);

    const listening = new Promise((resolve, reject) => {
      let seen = "";
      child.stderr.on("data", (chunk) => {
        append(chunk);
        if (seen !== null) {
          seen += chunk.toString();
          const m = LISTEN_RE.exec(seen);
          if (m) {
            seen = null;
            resolve(Number(m[1]));
          }
        }
      });
      this.exited.then(({ code, signal, error }) =>
        reject(
          error
            ? new Error(`cannot start "${this.binary}": ${error.message}`)
            : new Error(`server exited before listening (code ${code}, signal ${signal})`),
        ),
      );
    });

    try {
      this.port = await within(listening, READY_TIMEOUT_MS, `"${this.binary}" to listen`);
    } catch (err) {
      await this.stop();
      err.message += `\n--- server log ---\n${this.log}`;
      throw err;
    }
    return this;
  }

  /** SIGTERM, wait for exit; SIGKILL if it outlives the bound. Safe to call twice. */
  async stop() {
    const child = this.child;
    if (!child || !this.running) return this.exited;
    child.kill("SIGTERM");
    try {
      return await within(this.exited, TERM_TIMEOUT_MS, `pid ${this.pid} to exit on SIGTERM`);
    } catch {
      child.kill("SIGKILL");
      return within(this.exited, KILL_TIMEOUT_MS, `pid ${this.pid} to exit on SIGKILL`);
    }
  }

  /**
   * Waits (bounded) until this run's log matches `re` and returns the match. The log is the
   * server's output since its last start (a tail of it), so after a restart only the new run's
   * lines match.
   */
  async logMatch(re, ms = 5_000, what = String(re)) {
    let m = null;
    await waitFor(() => (m = re.exec(this.log)) !== null, ms, `${what} in the server log`);
    return m;
  }

  /**
   * The WebSocket listener of this run, from the line `Listening for websocket clients on
   * ws://HOST:PORT` (wss:// with TLS): `{ scheme, host, port, url }`, url as `ws://HOST:PORT`.
   */
  async websocket(ms = 5_000) {
    const m = await this.logMatch(WS_LISTEN_RE, ms, "the websocket listening line");
    return { scheme: m[1], host: m[2], port: Number(m[3]), url: `${m[1]}://${m[2]}:${m[3]}` };
  }

  /** Stops the server and starts it again on the same port with the same arguments. */
  async restart() {
    const port = this.port;
    await this.stop();
    return this.start(port);
  }
}

/** Starts a server with `-a 127.0.0.1 -p -1` plus `args`. */
export function startServer(args = [], binary = BINARY) {
  return new ServerProcess(binary, args).start();
}

/**
 * A bare TCP connection, for the few checks a stock client won't let us make (it refuses to
 * send what the server must reject). `read(re, ms)` waits until the text received so far
 * matches `re`; `closed` resolves when the server closes the socket.
 */
export async function rawConnect(port, ms = 5_000) {
  const socket = new net.Socket();
  let text = "";
  const waiters = new Set();
  const wake = () => waiters.forEach((w) => w());
  socket.on("data", (d) => {
    text += d.toString("latin1");
    wake();
  });
  socket.on("error", () => {}); // a reset shows up as `closed`
  let isClosed = false;
  const closed = new Promise((resolve) =>
    socket.once("close", () => {
      isClosed = true;
      resolve();
      wake();
    }),
  );
  await within(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
      socket.connect(port, "127.0.0.1");
    }),
    ms,
    `TCP connect to port ${port}`,
  );
  return {
    socket,
    closed,
    get text() {
      return text;
    },
    write: (s) => socket.write(s),
    read(re, timeoutMs = 5_000) {
      return within(
        new Promise((resolve, reject) => {
          const check = () => {
            const m = re.exec(text);
            if (m) {
              waiters.delete(check);
              resolve(m);
            } else if (isClosed) {
              waiters.delete(check);
              reject(new Error(`closed before ${re} matched; got ${JSON.stringify(text)}`));
            }
          };
          waiters.add(check);
          check();
        }),
        timeoutMs,
        () => `${re} from the server (got ${JSON.stringify(text.slice(-300))})`,
      );
    },
    destroy: () => socket.destroy(),
  };
}
