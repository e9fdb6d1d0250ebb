// The hosted UI in a real browser: an app client sends Chromium to the
// pool's authorization endpoint (code flow, PKCE S256, state, nonce); the
// user signs up, confirms with the code from the outbox, signs in, resets a
// forgotten password, comes back through the SSO session and signs out.
// The "application" is a small HTTP server on 127.0.0.1:0 that records the
// callback's query; the test then plays the app's back end and exchanges the
// code at the token endpoint. Screenshots of the sign-in page under each
// theme go to end2end/test-results/.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  SetUICustomizationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { artifacts, launchBrowser, startCognate } from './harness.mjs';
import { adminClient, codeFromOutbox, verifiedClaims } from './cognito.mjs';

const PASSWORD = 'Correct-Horse-9';
const NEW_PASSWORD = 'Battery-Staple-7';
const SCOPES = 'openid email profile';

let server;
let browser;
let admin;
/** The relying party's HTTP server: its callback and sign-out pages. */
let app;
/** The pool: { id, issuer, authorize, token, clientId }. */
let pool;

/**
 * The application's side: `/callback` and `/signed-out` answer a small page
 * and record what they were called with.
 */
function startApp() {
  const visits = [];
  const http = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname !== '/callback' && url.pathname !== '/signed-out') {
      res.writeHead(404).end();
      return;
    }
    visits.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const title = url.pathname === '/callback' ? 'Back at the app' : 'Signed out of the app';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    // (An empty icon, so the browser asks for no /favicon.ico.)
    res.end(`<!DOCTYPE html><link rel="icon" href="data:,"><title>${title}</title><h1>${title}</h1>`);
  });
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => {
      const base = `http://127.0.0.1:${http.address().port}`;
      resolve({
        base,
        callback: `${base}/callback`,
        signedOut: `${base}/signed-out`,
        visits,
        close: () => new Promise((r) => http.close(r)),
      });
    });
  });
}

/** An app client of `poolId` that signs users in through the hosted UI. */
async function createWebClient(poolId, name) {
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: name,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO'],
    CallbackURLs: [app.callback],
    LogoutURLs: [app.signedOut],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  assert.equal(UserPoolClient.ClientSecret, undefined, 'a public client has no secret');
  return UserPoolClient.ClientId;
}

before(async () => {
  server = await startCognate();
  browser = await launchBrowser();
  admin = adminClient(server);
  app = await startApp();
  // Users sign in with their email address, verified by the code they get.
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'hosted-ui-e2e',
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
  }));
  // Cognito API: SetUICustomization needs a domain on the pool.
  await admin.send(new CreateUserPoolDomainCommand({ UserPoolId: UserPool.Id, Domain: 'hosted-e2e' }));
  const clientId = await createWebClient(UserPool.Id, 'Hosted UI e2e');
  // What any OIDC client starts from: the discovery document.
  const discovery = await (await fetch(`${server.url}/${UserPool.Id}/.well-known/openid-configuration`)).json();
  assert.equal(discovery.issuer, `${server.url}/${UserPool.Id}`);
  assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
  pool = {
    id: UserPool.Id,
    issuer: discovery.issuer,
    authorize: discovery.authorization_endpoint,
    token: discovery.token_endpoint,
    clientId,
  };
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.stop();
});

/** RFC 7636 §4.1–4.2: a verifier and its S256 challenge. */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/**
 * What an application does before sending the browser off: a fresh state,
 * nonce and PKCE pair, kept for the callback, and the authorization URL.
 */
function authorization({ clientId = pool.clientId, prompt } = {}) {
  const request = {
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    ...pkce(),
  };
  const url = new URL(pool.authorize);
  const params = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: app.callback,
    scope: SCOPES,
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { ...request, url: url.href };
}

const onCallback = (url) => url.href.startsWith(`${app.callback}?`);

/** The query the app's callback last received. */
function lastCallback() {
  const visit = app.visits.filter((v) => v.path === '/callback').at(-1);
  assert.ok(visit, 'the app received a callback');
  return visit.query;
}

/**
 * The browser is at the app's callback: RFC 6749 §4.1.2 — a code and the
 * same state — and RFC 9207's iss; the app server saw the same query.
 */
async function assertCallback(page, request) {
  await page.waitForURL(onCallback);
  await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
  const query = Object.fromEntries(new URL(page.url()).searchParams);
  assert.deepEqual(lastCallback(), query, 'the app server saw the query the browser was sent with');
  assert.equal(query.error, undefined, `no error: ${query.error_description}`);
  assert.equal(query.state, request.state, 'the state comes back unchanged');
  assert.equal(query.iss, pool.issuer, 'RFC 9207: the issuer names itself');
  assert.match(query.code ?? '', /\S/, 'a code');
  return query.code;
}

/** The app's back end: code + PKCE verifier for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5). */
async function exchange(code, request, clientId = pool.clientId) {
  const response = await fetch(pool.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: app.callback,
      code_verifier: request.verifier,
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, `token endpoint: ${JSON.stringify(body)}`);
  assert.equal(body.token_type, 'Bearer');
  assert.ok(body.access_token && body.refresh_token && body.id_token, 'access, refresh and ID tokens');
  return body;
}

/**
 * The ID token: signed with a key of the pool's JWKS, for this client, by
 * this issuer, naming `email`, carrying the request's nonce and the access
 * token's at_hash (OpenID Connect Core §3.1.3.6, §3.1.3.7).
 */
async function assertIdToken(tokens, request, email, clientId = pool.clientId) {
  const claims = await verifiedClaims(server, pool.id, tokens.id_token);
  assert.equal(claims.iss, pool.issuer);
  assert.equal(claims.aud, clientId);
  assert.equal(claims.token_use, 'id');
  assert.equal(claims.email, email);
  assert.equal(claims.email_verified, true);
  assert.equal(claims.nonce, request.nonce, 'the nonce of the authorization request');
  const digest = createHash('sha256').update(tokens.access_token).digest();
  assert.equal(claims.at_hash, digest.subarray(0, 16).toString('base64url'));
  return claims;
}

/** The sign-in page is showing (and not the callback). */
async function atSignIn(page) {
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  assert.ok(page.url().startsWith(`${pool.issuer}/`), page.url());
}

/** Fills in and submits the sign-in form. */
async function submitSignIn(page, email, password) {
  await atSignIn(page);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** AdminCreateUser with a verified email (no invitation) and a permanent password. */
async function confirmedUser(email, password = PASSWORD) {
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: pool.id,
    Username: email,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: email },
      { Name: 'email_verified', Value: 'true' },
    ],
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool.id, Username: email, Password: password, Permanent: true,
  }));
}

/** How many messages the dev outbox holds for `recipient`. */
async function messagesTo(recipient) {
  const response = await fetch(`${server.url}/_dev/outbox`, { headers: { Accept: 'application/json' } });
  return (await response.json()).filter((m) => m.recipient === recipient).length;
}

/** Page errors and console errors (CSP violations are reported there). */
function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  return errors;
}

/**
 * From the app's sign-in link to its callback, as a new user: the sign-up
 * form, the code from the outbox, then the password once more. Returns the
 * ID token's claims.
 */
async function signUpConfirmSignIn(context, email, { resend = false } = {}) {
  const page = await context.newPage();
  const errors = collectErrors(page);
  const request = authorization();
  const response = await page.goto(request.url);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers['content-security-policy'], /default-src 'none'/);
  assert.equal(headers['cache-control'], 'no-store');
  assert.doesNotMatch(await response.text(), /<script/i, 'no script on the page');
  await atSignIn(page);

  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  // The password policy is shown before the user types.
  await page.getByText('Your password must contain:').waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();

  await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
  await page.locator('#code-sent').getByText('We sent a code by email to').waitFor();
  if (resend) {
    assert.equal(await messagesTo(email), 1);
    // The same page comes back: wait for its document, not for its heading.
    const [resent] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Send a new code' }).click(),
    ]);
    assert.equal(resent.status(), 200);
    await page.waitForLoadState();
    await page.locator('#code-sent').getByText('We sent a code by email to').waitFor();
    assert.equal(await messagesTo(email), 2, 'a second code in the outbox');
  }
  const code = await codeFromOutbox(server, email);
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Confirm account' }).click();

  // Confirmed: the sign-in form, with the email already filled in.
  await atSignIn(page);
  assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  const callbackCode = await assertCallback(page, request);
  const claims = await assertIdToken(await exchange(callbackCode, request), request, email);
  assert.deepEqual(errors, [], 'no page or console errors');
  await page.close();
  return claims;
}

describe('code flow with PKCE through the hosted UI', () => {
  test('sign up, resend and confirm with the emailed code, sign in: the callback gets a code that PKCE exchanges for an ID token with the email and nonce', async () => {
    const context = await browser.newContext();
    try {
      const claims = await signUpConfirmSignIn(context, 'ann@example.com', { resend: true });
      assert.match(claims['cognito:username'], /\S/);
    } finally {
      await context.close();
    }
  });

  test('every page of sign-up and sign-in works with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      await signUpConfirmSignIn(context, 'noscript@example.com');
    } finally {
      await context.close();
    }
  });

  test('the code is single use: a second exchange is invalid_grant', async () => {
    const email = 'twice@example.com';
    await confirmedUser(email);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const request = authorization();
      await page.goto(request.url);
      await submitSignIn(page, email, PASSWORD);
      const code = await assertCallback(page, request);
      await exchange(code, request);
      const again = await fetch(pool.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: pool.clientId,
          code,
          redirect_uri: app.callback,
          code_verifier: request.verifier,
        }),
      });
      assert.equal(again.status, 400);
      assert.equal((await again.json()).error, 'invalid_grant');
    } finally {
      await context.close();
    }
  });
});

test('forgot password: a code from the outbox, a new password, and the new password signs in', async () => {
  const email = 'forgetful@example.com';
  await confirmedUser(email);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = collectErrors(page);
    const request = authorization();
    await page.goto(request.url);
    await atSignIn(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();

    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const code = await codeFromOutbox(server, email);
    await page.getByLabel('Verification code').fill(code);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();

    // The old password no longer works; the new one does.
    await submitSignIn(page, email, PASSWORD);
    await page.getByRole('alert').getByText('Incorrect username or password.').waitFor();
    await submitSignIn(page, email, NEW_PASSWORD);
    const callbackCode = await assertCallback(page, request);
    await assertIdToken(await exchange(callbackCode, request), request, email);
    // The one failed load is the form shown again after the wrong password (400).
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /status of 400 .*\/login\)$/);
  } finally {
    await context.close();
  }
});

test('SSO: a second authorize in the same browser skips the form; after /logout the form is back', async () => {
  const email = 'sso@example.com';
  await confirmedUser(email);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const first = authorization();
    await page.goto(first.url);
    await submitSignIn(page, email, PASSWORD);
    const firstClaims = await assertIdToken(
      await exchange(await assertCallback(page, first), first), first, email);

    // The documents the browser loads: the authorize answers 303 straight
    // to the callback — no sign-in page in between.
    const documents = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest()) documents.push({ url: r.url(), status: r.status() });
    });
    const second = authorization();
    const response = await page.goto(second.url);
    const code = await assertCallback(page, second);
    assert.deepEqual(
      documents.map((d) => [d.url.split('?')[0], d.status]),
      [[pool.authorize, 303], [app.callback, 200]],
    );
    assert.equal(response.request().redirectedFrom()?.url(), second.url);
    const secondClaims = await assertIdToken(await exchange(code, second), second, email);
    // The same sign-in: OpenID Connect Core §2, auth_time is when the user authenticated.
    assert.equal(secondClaims.auth_time, firstClaims.auth_time);
    assert.equal(secondClaims.sub, firstClaims.sub);

    // Cognito's logout endpoint: ends the session, back to a registered sign-out URL.
    const logout = new URL(`${pool.issuer}/logout`);
    logout.searchParams.set('client_id', pool.clientId);
    logout.searchParams.set('logout_uri', app.signedOut);
    await page.goto(logout.href);
    await page.waitForURL(app.signedOut);
    await page.getByRole('heading', { name: 'Signed out of the app' }).waitFor();
    assert.equal(app.visits.at(-1).path, '/signed-out');

    // prompt=none now has no session to use (OpenID Connect Core §3.1.2.6)…
    const silent = authorization({ prompt: 'none' });
    await page.goto(silent.url);
    await page.waitForURL(onCallback);
    assert.equal(lastCallback().error, 'login_required');
    assert.equal(lastCallback().state, silent.state);
    // …and a plain authorize shows the form again.
    const third = authorization();
    const shown = await page.goto(third.url);
    assert.equal(shown.status(), 200);
    await atSignIn(page);
    await submitSignIn(page, email, PASSWORD);
    const thirdClaims = await assertIdToken(
      await exchange(await assertCallback(page, third), third), third, email);
    assert.ok(thirdClaims.auth_time >= firstClaims.auth_time);
  } finally {
    await context.close();
  }
});

test('logout with redirect_uri and response_type ends the session and starts a new sign-in (PKCE and nonce carried)', async () => {
  const email = 'again@example.com';
  await confirmedUser(email);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const first = authorization();
    await page.goto(first.url);
    await submitSignIn(page, email, PASSWORD);
    const firstClaims = await assertIdToken(
      await exchange(await assertCallback(page, first), first), first, email);

    // Cognito's logout endpoint, second form: sign out, then sign in again.
    const again = authorization();
    const logout = new URL(`${pool.issuer}/logout`);
    for (const [k, v] of new URL(again.url).searchParams) logout.searchParams.set(k, v);
    await page.goto(logout.href);
    await atSignIn(page);
    assert.equal(new URL(page.url()).pathname, `/${pool.id}/login`);
    await submitSignIn(page, email, PASSWORD);
    const claims = await assertIdToken(
      await exchange(await assertCallback(page, again), again), again, email);
    assert.equal(claims.sub, firstClaims.sub);
    assert.notEqual(claims.origin_jti, firstClaims.origin_jti, 'a new sign-in, not the old session');
  } finally {
    await context.close();
  }
});

describe('themes: screenshots of the sign-in page', () => {
  /** Opens the sign-in page of `clientId`; checks the theme and takes its screenshot. */
  async function screenshot(clientId, theme, file) {
    const context = await browser.newContext({ viewport: { width: 480, height: 760 } });
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);
      const stylesheets = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'stylesheet') stylesheets.push({ url: r.url(), status: r.status() });
      });
      await page.goto(authorization({ clientId }).url);
      await atSignIn(page);
      await page.waitForLoadState('load');
      assert.equal(await page.locator('html').getAttribute('data-theme'), theme);
      for (const s of stylesheets) assert.equal(s.status, 200, `stylesheet ${s.url}`);
      await page.screenshot({ path: join(artifacts, file), fullPage: true });
      assert.deepEqual(errors, [], 'no console errors (a CSP violation would be one)');
      return { page, context, stylesheets };
    } catch (e) {
      await context.close();
      throw e;
    }
  }

  const background = (page, selector) =>
    page.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor);

  test('light, the built-in default', async () => {
    const { page, context, stylesheets } = await screenshot(pool.clientId, 'light', 'hosted-sign-in-light.png');
    try {
      assert.deepEqual(stylesheets.map((s) => new URL(s.url).pathname), ['/static/cognate.css']);
      // style/input.css, [data-theme="light"]: --bg #f7f7f8.
      assert.equal(await background(page, 'body'), 'rgb(247, 247, 248)');
    } finally {
      await context.close();
    }
  });

  test('dark, chosen by an app client whose custom CSS declares color-scheme: dark', async () => {
    const clientId = await createWebClient(pool.id, 'Dark e2e');
    await admin.send(new SetUICustomizationCommand({
      UserPoolId: pool.id,
      ClientId: clientId,
      CSS: ':root { color-scheme: dark; }',
    }));
    const { page, context } = await screenshot(clientId, 'dark', 'hosted-sign-in-dark.png');
    try {
      // style/input.css, [data-theme="dark"]: --bg #0d1117.
      assert.equal(await background(page, 'body'), 'rgb(13, 17, 23)');
    } finally {
      await context.close();
    }
  });

  test('custom CSS set with SetUICustomization is served to the page and applied', async () => {
    const clientId = await createWebClient(pool.id, 'Custom e2e');
    const css = [
      '[data-theme] { --bg: #fdf2e9; --accent: #8a2be2; --accent-fg: #ffffff; --radius: 0px; }',
      '.app-name { letter-spacing: 0.1em; text-transform: uppercase; }',
    ].join('\n');
    await admin.send(new SetUICustomizationCommand({ UserPoolId: pool.id, ClientId: clientId, CSS: css }));
    const { page, context, stylesheets } = await screenshot(clientId, 'light', 'hosted-sign-in-custom.png');
    try {
      const theme = stylesheets.find((s) => new URL(s.url).pathname === `/${pool.id}/ui/theme/${clientId}.css`);
      assert.ok(theme, `the client's stylesheet is linked: ${JSON.stringify(stylesheets)}`);
      assert.equal(await background(page, 'body'), 'rgb(253, 242, 233)');
      const button = page.getByRole('button', { name: 'Sign in', exact: true });
      assert.equal(await button.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(138, 43, 226)');
      assert.equal(await button.evaluate((el) => getComputedStyle(el).borderTopLeftRadius), '0px');
      assert.equal(await page.locator('.app-name').evaluate((el) => getComputedStyle(el).textTransform), 'uppercase');
    } finally {
      await context.close();
    }
  });
});
