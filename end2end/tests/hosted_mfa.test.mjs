// MFA through the hosted UI in Chromium with JavaScript disabled: a pool
// that requires an authenticator app; a new user signs up, confirms, signs
// in, sets up TOTP from the QR page (the key shown beside the QR code),
// signs out, and signs in again with a code from the app. The TOTP codes
// are computed here from RFC 6238, not by the server's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { authorizeRequest, launchBrowser, startApp, startCognate } from './harness.mjs';
import { adminClient, codeFromOutbox, totp } from './cognito.mjs';

const PASSWORD = 'Correct-Horse-9';

let server;
let browser;
let app;
let pool;

test('the RFC 6238 helper matches the RFC (Appendix B, SHA-1)', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, 59), '287082');
  assert.equal(totp(secret, 1111111109), '081804');
});

before(async () => {
  server = await startCognate();
  browser = await launchBrowser();
  app = await startApp();
  const admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'hosted-mfa-e2e',
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
  }));
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: UserPool.Id,
    MfaConfiguration: 'ON',
    SoftwareTokenMfaConfiguration: { Enabled: true },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'MFA e2e',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    AllowedOAuthFlowsUserPoolClient: true,
    CallbackURLs: [app.callback],
    LogoutURLs: [app.signedOut],
  }));
  pool = { id: UserPool.Id, issuer: `${server.url}/${UserPool.Id}`, clientId: UserPoolClient.ClientId };
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.stop();
});

function authorizeUrl() {
  return authorizeRequest(pool.issuer, { client_id: pool.clientId, redirect_uri: app.callback, scope: 'openid email' }).url;
}

const onCallback = (url) => url.href.startsWith(`${app.callback}?`);

async function signIn(page, email) {
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('sign up, set up TOTP from the QR page, sign out, sign in with the app\'s code — without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = 'mfa-user@example.com';
  try {
    await page.goto(authorizeUrl());
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
    await page.getByLabel('Verification code').fill(await codeFromOutbox(server, email));
    await page.getByRole('button', { name: 'Confirm account' }).click();
    await signIn(page, email);

    // MFA is required and the user has none: the setup page, its QR code
    // drawn on the server, and the key as text.
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    assert.equal(await page.locator('svg').count() >= 1, true, 'a QR code');
    const secret = (await page.locator('#secret').textContent()).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 key');
    const now = Math.floor(Date.now() / 1000);
    await page.getByLabel('Verification code').fill(totp(secret, now));
    await page.getByRole('button', { name: 'Verify and finish' }).click();
    await page.waitForURL(onCallback);
    assert.ok(new URL(page.url()).searchParams.get('code'), 'a code at the callback');

    // Sign out, then in again: now the app's code is asked for. (The code
    // of the next 30-second step: the one used above is spent, and one step
    // of skew is accepted.)
    await page.goto(`${pool.issuer}/logout?client_id=${pool.clientId}&logout_uri=${encodeURIComponent(app.signedOut)}`);
    await page.getByRole('heading', { name: 'Signed out of the app' }).waitFor();
    await page.goto(authorizeUrl());
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByLabel('Verification code').fill('000000' === totp(secret, now + 30) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Verification code').fill(totp(secret, now + 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(onCallback);
    assert.ok(new URL(page.url()).searchParams.get('code'));
  } finally {
    await context.close();
  }
});
