// A real browser on the WebSocket listener: headless Chromium (Debian's, /usr/bin/chromium;
// puppeteer-core downloads none) opens examples/web/index.html from the file system with
// ?port= the server's ephemeral WebSocket port. The page connects with its bundled nats.ws,
// shows what a TCP nats.js client publishes on demo.>, and publishes from its form to that
// client. A screenshot of the page is left in tests/js/output/ (git-ignored).
//
// The browser is driven over a pipe (no DevTools port) and stopped in the after hook: close(),
// then SIGKILL of its process group after a bound.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";
import * as natsTcp from "nats";
import { startServer, take, within, writeTempConfig } from "./harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const PAGE = join(HERE, "..", "..", "examples", "web", "index.html");
const OUTPUT = join(HERE, "output");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const sc = natsTcp.StringCodec();
const WAIT_MS = 10_000;

describe("browser: examples/web/index.html in headless Chromium", () => {
  let conf;
  let server;
  let wsPort;
  let profile;
  let browser;
  let page;
  let nc;
  const pageErrors = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: run scripts/install-deps.sh (apt chromium)`);
    }
    conf = await writeTempConfig('websocket {\n  host: "127.0.0.1"\n  port: -1\n  no_tls: true\n}\n');
    server = await startServer(["-c", conf.path]);
    wsPort = (await server.websocket()).port;
    profile = await mkdtemp(join(tmpdir(), "gnatsd-js-chromium-"));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true, // Chromium's new headless mode
      pipe: true,
      userDataDir: profile,
      // As root in a container: no sandbox; small /dev/shm: use /tmp.
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
      timeout: 30_000,
      protocolTimeout: 30_000,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on("pageerror", (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`console.error: ${m.text()}`);
    });
    nc = await natsTcp.connect({ servers: server.url, timeout: 5_000, reconnect: false });
  });

  after(async () => {
    await nc?.close().catch(() => {});
    if (browser) {
      const pid = browser.process()?.pid;
      try {
        await within(browser.close(), 10_000, "Chromium to close");
      } catch {
        try {
          process.kill(-pid, "SIGKILL"); // puppeteer starts it as a process group leader
        } catch {
          // already gone
        }
      }
    }
    if (profile) await rm(profile, { recursive: true, force: true });
    await server?.stop();
    await conf?.cleanup();
  });

  test("the page connects over WebSocket and exchanges messages with a TCP client", async (t) => {
    const url = `${pathToFileURL(PAGE).href}?port=${wsPort}`;
    t.diagnostic(`opening ${url}`);
    await page.goto(url, { waitUntil: "load", timeout: WAIT_MS });

    // connecting → connected (or error, with the page's reason).
    const state = await page.waitForFunction(
      () => {
        const s = document.getElementById("status");
        return s.dataset.state !== "connecting" && `${s.dataset.state}: ${s.textContent}`;
      },
      { timeout: WAIT_MS },
    );
    assert.equal(await state.jsonValue(), "connected: connected", pageErrors.join("\n"));
    assert.equal(await page.$eval("#server", (e) => e.textContent), `ws://localhost:${wsPort}`);

    // TCP → page: the page lists it in the DOM.
    nc.publish("demo.fromnode", sc.encode("hello from node"));
    const fromNode = await page.waitForSelector('#messages li.msg[data-subject="demo.fromnode"]');
    assert.equal(await fromNode.$eval(".data", (e) => e.textContent), "hello from node");

    // Page → TCP: fill the form and click Publish.
    const sub = nc.subscribe("demo.page");
    await nc.flush();
    await page.type('#publish input[name="message"]', "hello from the page");
    await page.click('#publish button[type="submit"]');
    const [m] = await take(sub, 1, WAIT_MS, "the page's message");
    assert.equal(sc.decode(m.data), "hello from the page");
    // The page hears its own message too (demo.> covers demo.page).
    const own = await page.waitForSelector('#messages li.msg[data-subject="demo.page"]');
    assert.equal(await own.$eval(".data", (e) => e.textContent), "hello from the page");
    assert.equal(
      await page.$eval('#publish input[name="message"]', (e) => e.value),
      "",
      "the form is cleared after publishing",
    );
    assert.deepEqual(
      await page.$$eval("#messages li.msg", (lis) => lis.map((li) => li.dataset.subject)),
      ["demo.fromnode", "demo.page"],
    );

    await mkdir(OUTPUT, { recursive: true });
    const shot = join(OUTPUT, "browser.png");
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    assert.deepEqual(pageErrors, [], "no errors in the page");
  });
});
