// login-front in a real browser: the demo app (target/debug/login-front-demo)
// signs Chromium in through Cognate's hosted UI — with the sample pool and
// app client of `cognate dev`, found by the demo in the data directory — and,
// to prove it follows the specifications rather than Cognate's habits,
// through panva's oidc-provider. Each flow: protected page → provider's
// sign-in → back signed in → the access token refreshed → sign out → the
// protected page asks to sign in again. Also: the session cookie carries no
// token or claim, a tampered cookie is an anonymous session, and the return
// path cannot lead off the app's origin.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, startCognate } from './harness.mjs';
import { adminClient } from './cognito.mjs';
import { startDemo } from './support/demo.mjs';
import { freePort, OIDC_USER, startOidcProvider } from './support/oidc-provider.mjs';

const EMAIL = 'demo.user@example.com';
const PASSWORD = 'Correct-Horse-9';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Page errors and console errors (CSP violations are reported there). */
function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

async function statusText(page) {
  return (await page.locator('#status').textContent()).trim();
}

/** The protected page is showing: who is signed in and the token's fingerprint. */
async function atProtected(page, demo, name) {
  await page.waitForURL(`${demo.url}/protected`);
  assert.equal(await statusText(page), `Signed in as ${name}`);
  const fingerprint = (await page.locator('#token-fingerprint').textContent()).trim();
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
  return fingerprint;
}

/**
 * Two views of the protected page show two different access tokens: each
 * took one the demo counts as expiring, so login-front refreshed it with
 * the refresh token, and the user stayed signed in.
 */
async function assertRefreshes(page, demo, name, first) {
  await page.reload();
  const second = await atProtected(page, demo, name);
  assert.notEqual(second, first, 'a refreshed access token');
  await page.reload();
  const third = await atProtected(page, demo, name);
  assert.notEqual(third, second, 'refreshed again');
}

/**
 * The demo's session cookie. (Cookies ignore ports: Cognate's own, on the
 * same 127.0.0.1, shows up beside it.)
 */
async function sessionCookie(context, demo) {
  const cookies = (await context.cookies(demo.url)).filter((c) => c.name === 'login_front');
  assert.equal(cookies.length, 1, 'one login_front cookie');
  return cookies[0];
}

/** The session cookie: private, HttpOnly, SameSite=Lax, and nothing readable in it. */
async function assertOpaqueCookie(context, demo, secrets) {
  const cookie = await sessionCookie(context, demo);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.secure, false, 'plain http on 127.0.0.1');
  const value = decodeURIComponent(cookie.value);
  assert.doesNotMatch(value, /eyJ/, 'no JWT (header or payload) in the cookie');
  let decoded = '';
  try { decoded = Buffer.from(value, 'base64').toString('latin1'); } catch { /* not base64 */ }
  for (const secret of secrets) {
    assert.ok(!value.includes(secret) && !decoded.includes(secret), `the cookie does not carry ${secret}`);
  }
  return cookie;
}

describe('the demo against Cognate (cognate dev and its sample pool)', () => {
  let server;
  let demo;
  let sample;

  before(async () => {
    server = await startCognate();
    const admin = adminClient(server);
    sample = JSON.parse(readFileSync(join(server.dataDir, 'dev-sample.json'), 'utf8'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // The sample client registers http://localhost:3000; this run's demo
    // listens elsewhere, so its addresses are registered too.
    await admin.send(new UpdateUserPoolClientCommand({
      UserPoolId: sample.user_pool_id,
      ClientId: sample.client_id,
      ClientName: 'cognate-dev-client',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: ['http://localhost:3000/callback', `${base}/callback`],
      LogoutURLs: ['http://localhost:3000/', `${base}/`],
    }));
    await admin.send(new AdminCreateUserCommand({
      UserPoolId: sample.user_pool_id,
      Username: 'demo-user',
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: EMAIL }, { Name: 'email_verified', Value: 'true' }],
    }));
    await admin.send(new AdminSetUserPasswordCommand({
      UserPoolId: sample.user_pool_id, Username: 'demo-user', Password: PASSWORD, Permanent: true,
    }));
    // The demo finds the pool and client in the data directory, as it does
    // next to `cargo run -- dev`; a refresh leeway longer than the access
    // token's hour makes every use of the token refresh it.
    demo = await startDemo(port, {
      DEMO_COGNATE_DIR: server.dataDir,
      DEMO_COGNATE_URL: server.url,
      DEMO_REFRESH_LEEWAY_SECONDS: '86400',
    });
  });

  after(async () => {
    await demo?.stop();
    await server?.stop();
  });

  const issuer = () => `${server.url}/${sample.user_pool_id}`;

  /** Cognate's hosted sign-in page is showing; fill it in. */
  async function signInAtCognate(page) {
    await page.locator('input[name="username"]').waitFor();
    assert.ok(page.url().startsWith(`${issuer()}/`), `at the hosted UI: ${page.url()}`);
    await page.locator('input[name="username"]').fill(EMAIL);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('form button[type="submit"]').click();
  }

  test('protected page → hosted UI → back signed in → refreshed access token → sign out → sign-in asked again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);

    await page.goto(`${demo.url}/`);
    assert.equal(await statusText(page), 'You are not signed in');

    await page.goto(`${demo.url}/protected`);
    await signInAtCognate(page);
    const first = await atProtected(page, demo, EMAIL);

    await page.goto(`${demo.url}/`);
    assert.equal(await statusText(page), `Signed in as ${EMAIL}`);
    const claims = page.locator('table');
    assert.match(await claims.textContent(), new RegExp(issuer().replace(/[.]/g, '\\.')), 'the iss claim is shown');
    const sub = (await page.locator('tr', { has: page.locator('th', { hasText: /^sub$/ }) }).locator('td').textContent()).trim();
    assert.match(sub, /^[0-9a-f-]{36}$/);

    await page.goto(`${demo.url}/protected`);
    await assertRefreshes(page, demo, EMAIL, await atProtected(page, demo, EMAIL));
    assert.ok(first);

    await assertOpaqueCookie(context, demo, [EMAIL, sub, 'demo-user', sample.user_pool_id]);

    // Sign out: the local session ends and Cognate's /logout ends its own
    // session, then returns to the demo's registered logout URL.
    await page.click('#sign-out');
    await page.waitForURL(`${demo.url}/`);
    assert.equal(await statusText(page), 'You are not signed in');

    // Signed out everywhere: the protected page leads to the sign-in form,
    // not silently back in through the provider's session.
    await page.goto(`${demo.url}/protected`);
    await page.locator('input[name="username"]').waitFor();
    assert.ok(page.url().startsWith(`${issuer()}/`), page.url());

    assert.deepEqual(errors, [], 'no script errors or CSP violations');
    await context.close();
  });

  test('a tampered session cookie is an anonymous session; another site cannot sign the user out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.url}/login`);
    await signInAtCognate(page);
    await page.waitForURL(`${demo.url}/`);
    assert.equal(await statusText(page), `Signed in as ${EMAIL}`);

    const cookie = await sessionCookie(context, demo);
    // One character changed in the middle of the sealed value.
    const i = Math.floor(cookie.value.length / 2);
    const flipped = cookie.value[i] === 'A' ? 'B' : 'A';
    const tampered = cookie.value.slice(0, i) + flipped + cookie.value.slice(i + 1);
    await context.addCookies([{ ...cookie, value: tampered }]);

    const response = await page.goto(`${demo.url}/`);
    assert.equal(response.status(), 200);
    assert.equal(await statusText(page), 'You are not signed in');

    // The real cookie still works: the tampering ended nothing server-side
    // that an attacker could use, and proves the check above can fail.
    await context.addCookies([cookie]);
    await page.goto(`${demo.url}/`);
    assert.equal(await statusText(page), `Signed in as ${EMAIL}`);

    // Another site's page cannot sign the user out: its form POST to
    // /logout is refused (403) and the session stays.
    await page.goto(`${issuer()}/.well-known/jwks.json`);
    const refused = page.waitForResponse((r) => r.url() === `${demo.url}/logout`);
    await page.evaluate((action) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      document.body.appendChild(form);
      form.submit();
    }, `${demo.url}/logout`);
    assert.equal((await refused).status(), 403);
    await page.waitForURL(`${demo.url}/logout`); // the refusal page, loaded
    await page.goto(`${demo.url}/`);
    assert.equal(await statusText(page), `Signed in as ${EMAIL}`);
    await context.close();
  });

  test('the return path never leaves the app (no open redirect)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Signed in once; Cognate's session then answers /authorize at once.
    await page.goto(`${demo.url}/login?return_to=${encodeURIComponent('/protected')}`);
    await signInAtCognate(page);
    await atProtected(page, demo, EMAIL);

    for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'http:evil.example']) {
      await page.goto(`${demo.url}/login?return_to=${encodeURIComponent(target)}`);
      await page.waitForURL((u) => u.origin === demo.url);
      assert.equal(new URL(page.url()).origin, demo.url, `${target} stays on the app`);
      assert.equal(await statusText(page), `Signed in as ${EMAIL}`);
    }
    await context.close();
  });
});

describe('the demo against oidc-provider (panva), an OpenID provider no one here wrote', () => {
  let op;
  let demo;

  before(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const client = {
      clientId: 'login-front-demo',
      clientSecret: 'a-client-secret-of-the-confidential-demo-client',
      redirectUri: `${base}/callback`,
      postLogoutRedirectUri: `${base}/`,
    };
    // Access tokens live 5 s: less than login-front's refresh leeway, so
    // each use of one refreshes it, as one past its expiry would be.
    op = await startOidcProvider({ client, accessTokenTtl: 5 });
    demo = await startDemo(port, {
      DEMO_ISSUER: op.issuer,
      DEMO_CLIENT_ID: client.clientId,
      DEMO_CLIENT_SECRET: client.clientSecret,
      DEMO_LOGOUT: 'oidc',
    });
  });

  after(async () => {
    await demo?.stop();
    await op?.stop();
  });

  /** oidc-provider's development sign-in and consent pages. */
  async function signInAtProvider(page) {
    await page.locator('input[name="login"]').waitFor();
    assert.ok(page.url().startsWith(`${op.issuer}/`), page.url());
    await page.locator('input[name="login"]').fill(OIDC_USER.sub);
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    // Consent to the scopes the demo asks for.
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  test('protected page → provider → back signed in → refreshed access token → RP-initiated logout → sign-in asked again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.url}/protected`);
    await signInAtProvider(page);
    const first = await atProtected(page, demo, OIDC_USER.email);
    await assertRefreshes(page, demo, OIDC_USER.email, first);

    await page.goto(`${demo.url}/`);
    assert.equal(await statusText(page), `Signed in as ${OIDC_USER.email}`);
    assert.match(await page.locator('table').textContent(), /Alice Example/, 'the profile scope\'s name claim');
    await assertOpaqueCookie(context, demo, [OIDC_USER.email, 'Alice', 'alice']);

    // RP-initiated logout: the provider asks, then returns to the demo.
    await page.click('#sign-out');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${demo.url}/`);
    assert.equal(await statusText(page), 'You are not signed in');

    await page.goto(`${demo.url}/protected`);
    await page.locator('input[name="login"]').waitFor();
    assert.ok(page.url().startsWith(`${op.issuer}/`), page.url());
    await context.close();
  });
});
