// Starts a real `cognate dev` on a random port with its own data directory,
// and Debian's Chromium through playwright-core. Never downloads a browser.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const artifacts = join(repoRoot, 'end2end', 'test-results');
mkdirSync(artifacts, { recursive: true });

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Starts the server; resolves with { url, stop }. */
export async function startCognate(extraArgs = []) {
  const bin = process.env.COGNATE_BIN || join(repoRoot, 'target', 'debug', 'cognate');
  if (!existsSync(bin)) throw new Error(`cognate binary not found at ${bin}: run cargo build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'cognate-e2e-'));
  const child = spawn(bin, ['dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COGNATE_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`cognate did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`cognate exited (${code}): ${stderr}`)); });
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, stop, dataDir };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A browser context whose page has a CDP virtual platform authenticator
 * (ctap2, internal, resident keys) that verifies its user:
 * { context, page, credentials() } — the passkeys it holds.
 */
export async function withAuthenticator(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { context, page, credentials };
}

/**
 * The app a hosted sign-in returns to, on `host` (`localhost` where the
 * page must be a secure context): its callback ("Back at the app") and its
 * signed-out page ("Signed out of the app"). { base, callback, signedOut, close }.
 */
export function startApp(host = '127.0.0.1') {
  const http = createServer((req, res) => {
    const url = new URL(req.url, `http://${host}`);
    const title = url.pathname === '/callback' ? 'Back at the app' : 'Signed out of the app';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><link rel="icon" href="data:,"><title>${title}</title><h1>${title}</h1>`);
  });
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => {
      const base = `http://${host}:${http.address().port}`;
      resolve({ base, callback: `${base}/callback`, signedOut: `${base}/signed-out`, close: () => new Promise((r) => http.close(r)) });
    });
  });
}

/**
 * An authorization request of the code flow to `issuer` with PKCE S256 and
 * a random state, `params` added (client_id, redirect_uri, scope, …):
 * { url, verifier }.
 */
export function authorizeRequest(issuer, params) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${issuer}/oauth2/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  })) url.searchParams.set(k, v);
  return { url: url.href, verifier };
}
