// Security rules of the hosted UI in a real browser (docs/security.md):
// a hosted-UI access token without aws.cognito.signin.user.admin cannot
// change the account through the Cognito API, and the browser's SSO session
// ends when the account's state says so — after a global sign-out, and
// after the user is disabled (even once enabled again).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, startApp, startCognate } from './harness.mjs';
import { REGION, adminClient } from './cognito.mjs';

const PASSWORD = 'Correct-Horse-9';
const EMAIL = 'sam@example.com';

let server;
let browser;
let admin;
let app;
let pool;

before(async () => {
  server = await startCognate();
  browser = await launchBrowser();
  admin = adminClient(server);
  app = await startApp();
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'security-e2e',
    UsernameAttributes: ['email'],
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'web',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    AllowedOAuthFlowsUserPoolClient: true,
    CallbackURLs: [app.callback],
  }));
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: UserPool.Id,
    Username: EMAIL,
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: EMAIL }, { Name: 'email_verified', Value: 'true' }],
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: UserPool.Id, Username: EMAIL, Password: PASSWORD, Permanent: true,
  }));
  const issuer = `${server.url}/${UserPool.Id}`;
  pool = { id: UserPool.Id, issuer, clientId: UserPoolClient.ClientId };
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.stop();
});

/** An authorization request (PKCE S256) and its URL. */
function authorization() {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${pool.issuer}/oauth2/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: pool.clientId,
    redirect_uri: app.callback,
    scope: 'openid email',
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) url.searchParams.set(k, v);
  return { verifier, url: url.href };
}

const atCallback = (page) => page.url().startsWith(`${app.callback}?`);

/** Opens the authorization URL; signs in if the form shows. Returns whether it did. */
async function authorize(page, request, { signIn = true } = {}) {
  await page.goto(request.url);
  if (atCallback(page)) return false;
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  if (!signIn) return true;
  await page.getByLabel('Email', { exact: true }).fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`));
  return true;
}

async function tokensFor(page, request) {
  const code = new URL(page.url()).searchParams.get('code');
  const response = await fetch(`${pool.issuer}/oauth2/token`, {
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
  assert.equal(response.status, 200);
  return response.json();
}

describe('hosted UI security', () => {
  test('a hosted-UI token without aws.cognito.signin.user.admin reads userInfo but cannot call GetUser or UpdateUserAttributes', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const request = authorization();
      assert.equal(await authorize(page, request), true, 'the sign-in form was shown');
      const tokens = await tokensFor(page, request);
      const user = new CognitoIdentityProviderClient({
        endpoint: server.url,
        region: REGION,
        credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      });
      await assert.rejects(
        user.send(new GetUserCommand({ AccessToken: tokens.access_token })),
        (e) => e.name === 'NotAuthorizedException',
      );
      await assert.rejects(
        user.send(new UpdateUserAttributesCommand({
          AccessToken: tokens.access_token,
          UserAttributes: [{ Name: 'email', Value: 'mallory@example.com' }],
        })),
        (e) => e.name === 'NotAuthorizedException',
      );
      const { UserAttributes } = await admin.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: EMAIL }));
      assert.equal(UserAttributes.find((a) => a.Name === 'email').Value, EMAIL, 'the email did not change');
      const info = await fetch(`${pool.issuer}/oauth2/userInfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(info.status, 200);
      assert.equal((await info.json()).email, EMAIL);
    } finally {
      await context.close();
    }
  });

  for (const [what, end] of [
    ['AdminUserGlobalSignOut', () => admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.id, Username: EMAIL }))],
    ['AdminDisableUser (then enabled again)', async () => {
      await admin.send(new AdminDisableUserCommand({ UserPoolId: pool.id, Username: EMAIL }));
      await admin.send(new AdminEnableUserCommand({ UserPoolId: pool.id, Username: EMAIL }));
    }],
  ]) {
    test(`the browser's SSO session ends after ${what}: the sign-in form is shown again`, async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        assert.equal(await authorize(page, authorization()), true, 'first visit signs in');
        assert.equal(await authorize(page, authorization()), false, 'the SSO session answers at once');
        await end();
        assert.equal(
          await authorize(page, authorization(), { signIn: false }),
          true,
          `after ${what} the sign-in form is shown`,
        );
      } finally {
        await context.close();
      }
    });
  }
});
