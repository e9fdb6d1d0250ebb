// Remembered devices on the hosted UI in Chromium, JavaScript off: a pool
// that tracks devices with DeviceOnlyRememberedOnUserPrompt and requires
// SMS MFA. After the texted code, "Remember this device?"; remembered, the
// browser keeps the device cookie and its next sign-in skips MFA (after a
// sign-out: no SSO session helps); ListDevices shows the browser, and once
// AdminForgetDevice forgets it, MFA is asked again. French too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { authorizeRequest, launchBrowser, startApp, startCognate } from './harness.mjs';
import { adminClient, codeFromOutbox } from './cognito.mjs';

const PASSWORD = 'Correct-Horse-9';
const PHONE = '+12065550123';

let server;
let browser;
let app;
let pool;
let admin;

before(async () => {
  server = await startCognate();
  browser = await launchBrowser();
  app = await startApp();
  admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'hosted-devices-e2e',
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
  }));
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: UserPool.Id,
    MfaConfiguration: 'ON',
    SmsMfaConfiguration: {
      SmsAuthenticationMessage: 'Your code is {####}',
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sms' },
    },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'devices e2e',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid'],
    AllowedOAuthFlowsUserPoolClient: true,
    CallbackURLs: [app.callback],
    LogoutURLs: [app.signedOut],
  }));
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: UserPool.Id,
    Username: 'dana',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'phone_number', Value: PHONE }, { Name: 'phone_number_verified', Value: 'true' }],
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: UserPool.Id, Username: 'dana', Password: PASSWORD, Permanent: true,
  }));
  pool = { id: UserPool.Id, issuer: `${server.url}/${UserPool.Id}`, clientId: UserPoolClient.ClientId };
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.stop();
});

function authorizeUrl(lang) {
  return authorizeRequest(pool.issuer, { client_id: pool.clientId, redirect_uri: app.callback, scope: 'openid', lang }).url;
}

const onCallback = (url) => url.href.startsWith(`${app.callback}?`);

/** Signs out of the pool (the SSO session), then submits the password. */
async function passwordStep(page, lang = 'en') {
  await page.goto(`${pool.issuer}/logout?client_id=${pool.clientId}&logout_uri=${encodeURIComponent(app.signedOut)}`);
  await page.getByRole('heading', { name: 'Signed out of the app' }).waitFor();
  await page.goto(authorizeUrl(lang));
  await page.locator('input[name=username]').fill('dana');
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('button[type=submit]').first().click();
  await page.waitForLoadState();
}

async function answerMfa(page) {
  await page.locator('input[name=code]').fill(await codeFromOutbox(server, PHONE));
  await page.locator('button[type=submit]').first().click();
}

const devices = async () => (await admin.send(new AdminListDevicesCommand({ UserPoolId: pool.id, Username: 'dana' }))).Devices;

test('hosted UI: after MFA the browser is remembered on request and then skips MFA until forgotten', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    // In French: the code, then "Mémoriser cet appareil ?" — "Plus tard".
    await passwordStep(page, 'fr');
    await page.locator('input[name=code]').waitFor();
    await answerMfa(page);
    await page.getByRole('heading', { name: 'Mémoriser cet appareil ?' }).waitFor();
    await page.getByRole('button', { name: 'Plus tard' }).click();
    await page.waitForURL(onCallback);
    assert.deepEqual(await devices(), []);

    // Asked again; this time remembered.
    await passwordStep(page);
    await page.locator('input[name=code]').waitFor();
    await answerMfa(page);
    await page.getByRole('heading', { name: 'Remember this device?' }).waitFor();
    await page.getByRole('button', { name: 'Remember this device' }).click();
    await page.waitForURL(onCallback);
    const [device] = await devices();
    assert.ok(device, 'the browser is a device of the user');
    const attribute = (name) => device.DeviceAttributes.find((a) => a.Name === name)?.Value;
    assert.equal(attribute('dev:device_remembered_status'), 'remembered');
    assert.match(attribute('device_name'), /Chrome/);
    const cookie = (await context.cookies()).find((c) => c.name === `cognate_device_${pool.id}`);
    assert.ok(cookie, 'the device cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.ok(cookie.expires > Date.now() / 1000 + 300 * 24 * 3600, 'long-lived');
    assert.ok(!cookie.value.includes(device.DeviceKey), 'sealed');

    // The next sign-in goes straight to the app.
    await passwordStep(page);
    await page.waitForURL(onCallback);

    // Forgotten: MFA again.
    await admin.send(new AdminForgetDeviceCommand({ UserPoolId: pool.id, Username: 'dana', DeviceKey: device.DeviceKey }));
    await passwordStep(page);
    await page.locator('input[name=code]').waitFor();
    assert.ok(!onCallback(new URL(page.url())));
  } finally {
    await context.close();
  }
});
