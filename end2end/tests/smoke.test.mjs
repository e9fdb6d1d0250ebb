// The smoke test: a real server renders its home page in a real browser,
// styled by the embedded CSS, with no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCognate, launchBrowser, artifacts } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startCognate();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('home page renders in Chromium with the sample pool', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const response = await page.goto(server.url + '/');
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('h1').innerText(), 'Cognate');
  assert.match(await page.locator('#pools').innerText(), /cognate-dev/);
  const css = await page.request.get(server.url + '/static/cognate.css');
  assert.equal(css.status(), 200);
  assert.match(css.headers()['content-type'], /text\/css/);
  await page.screenshot({ path: join(artifacts, 'home.png') });
  assert.deepEqual(errors, []);
});

test('health answers ok', async () => {
  const page = await browser.newPage();
  const response = await page.goto(server.url + '/health');
  assert.equal(response.status(), 200);
  assert.equal((await response.json()).status, 'ok');
});
