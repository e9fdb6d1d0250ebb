// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain:
// ctap2, internal transport, resident keys, user verification) — a real
// browser making real credentials against a running `cognate dev` whose
// pool's relying party is `localhost` (Chromium refuses an IP address as an
// RP id; http://localhost is a secure context):
// - through the hosted UI: sign in with a password, accept the offer of a
//   passkey, sign out, sign in with the passkey, tokens for the code;
// - through the API: StartWebAuthnRegistration's options given to
//   navigator.credentials.create in a page, CompleteWebAuthnRegistration,
//   then USER_AUTH with WEB_AUTHN answered by navigator.credentials.get;
// - an assertion made for another relying party is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { authorizeRequest, launchBrowser, startApp, startCognate, withAuthenticator } from './harness.mjs';
import { adminClient, verifiedClaims } from './cognito.mjs';

const PASSWORD = 'Correct-Horse-9';

let server;
let browser;
let app;
let pool;
let admin;
let local; // the server's URL with `localhost` for its host

async function user(name) {
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: pool.id,
    Username: name,
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }, { Name: 'email_verified', Value: 'true' }],
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool.id, Username: name, Password: PASSWORD, Permanent: true,
  }));
}

before(async () => {
  server = await startCognate();
  local = server.url.replace('127.0.0.1', 'localhost');
  browser = await launchBrowser();
  app = await startApp('localhost');
  admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'passkeys-e2e',
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
  }));
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: UserPool.Id,
    WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'passkeys',
    ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO'],
    CallbackURLs: [app.callback],
    LogoutURLs: [app.signedOut],
  }));
  pool = { id: UserPool.Id, clientId: UserPoolClient.ClientId, hosted: `${local}/${UserPool.Id}` };
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.stop();
});

function authorize() {
  return authorizeRequest(pool.hosted, { client_id: pool.clientId, redirect_uri: app.callback, scope: 'openid email' });
}

const onCallback = (url) => url.href.startsWith(`${app.callback}?`);

/** The code at the callback, exchanged for tokens (RFC 6749 §4.1.3); the ID token's claims. */
async function tokensFor(page, verifier) {
  const code = new URL(page.url()).searchParams.get('code');
  assert.ok(code, 'a code at the callback');
  const response = await fetch(`${server.url}/${pool.id}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: pool.clientId, code, redirect_uri: app.callback, code_verifier: verifier,
    }),
  });
  assert.equal(response.status, 200);
  const { id_token: idToken } = await response.json();
  return verifiedClaims(server, pool.id, idToken);
}

test('hosted UI: a passkey is offered after sign-in, registered, and signs in after sign-out', async () => {
  await user('pia');
  const { context, page, credentials } = await withAuthenticator(browser);
  try {
    // The page's policy: scripts from the server only, nothing inline.
    let { url, verifier } = authorize();
    const first = await page.goto(url);
    assert.doesNotMatch(first.headers()['content-security-policy'], /unsafe-inline/);
    await page.getByLabel('Username', { exact: true }).fill('pia');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // Cognito's managed login offers a passkey to a user without one.
    await page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(onCallback);
    assert.equal((await tokensFor(page, verifier))['cognito:username'], 'pia');
    const made = await credentials();
    assert.equal(made.length, 1, 'one passkey on the authenticator');
    assert.equal(made[0].rpId, 'localhost');

    // Sign out; sign in with the passkey.
    await page.goto(`${pool.hosted}/logout?client_id=${pool.clientId}&logout_uri=${encodeURIComponent(app.signedOut)}`);
    await page.getByRole('heading', { name: 'Signed out of the app' }).waitFor();
    ({ url, verifier } = authorize());
    await page.goto(url);
    await page.getByLabel('Username', { exact: true }).fill('pia');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('heading', { name: 'Sign in with a passkey' }).waitFor();
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await page.waitForURL(onCallback);
    const claims = await tokensFor(page, verifier);
    assert.equal(claims['cognito:username'], 'pia');
    const used = await credentials();
    assert.ok(used[0].signCount > made[0].signCount, 'the sign counter moved on');
  } finally {
    await context.close();
  }
});

test('hosted UI without JavaScript: the passkey page says so and the other ways still sign in', async () => {
  await user('nojs');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    const { url } = authorize();
    await page.goto(url);
    await page.getByLabel('Username', { exact: true }).fill('nojs');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('Passkeys need JavaScript').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Use my passkey' }).isVisible(), false);
    await page.getByRole('link', { name: 'Sign in another way' }).click();
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Username', { exact: true }).fill('nojs');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The offer of a passkey needs JavaScript too; "Not now" goes on.
    await page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    await page.getByRole('button', { name: 'Not now' }).click();
    await page.waitForURL(onCallback);
  } finally {
    await context.close();
  }
});

/** Runs WebAuthn in a page at http://localhost (a secure context) with `options` from the API. */
async function inPage(page, ceremony, options, rpId) {
  return page.evaluate(async ({ ceremony, options, rpId }) => {
    const bin = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const pk = { ...options, challenge: bin(options.challenge) };
    if (ceremony === 'create') {
      pk.user = { ...options.user, id: bin(options.user.id) };
      pk.excludeCredentials = (options.excludeCredentials || []).map((c) => ({ ...c, id: bin(c.id) }));
      const c = await navigator.credentials.create({ publicKey: pk });
      return {
        id: c.id, rawId: b64(c.rawId), type: c.type, extensions: {},
        response: { clientDataJSON: b64(c.response.clientDataJSON), attestationObject: b64(c.response.attestationObject) },
      };
    }
    pk.allowCredentials = (options.allowCredentials || []).map((c) => ({ ...c, id: bin(c.id) }));
    if (rpId) pk.rpId = rpId;
    const c = await navigator.credentials.get({ publicKey: pk });
    return {
      id: c.id, rawId: b64(c.rawId), type: c.type, extensions: {},
      response: {
        clientDataJSON: b64(c.response.clientDataJSON),
        authenticatorData: b64(c.response.authenticatorData),
        signature: b64(c.response.signature),
        userHandle: c.response.userHandle ? b64(c.response.userHandle) : undefined,
      },
    };
  }, { ceremony, options, rpId });
}

test('API: StartWebAuthnRegistration in the browser, CompleteWebAuthnRegistration, USER_AUTH with WEB_AUTHN; another RP id refused', async () => {
  await user('api');
  const { context, page } = await withAuthenticator(browser);
  try {
    // A page of the app, on localhost: where the browser runs the ceremonies.
    await page.goto(`${app.base}/`);
    const signedIn = await admin.send(new InitiateAuthCommand({
      ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'api', PASSWORD },
    }));
    const accessToken = signedIn.AuthenticationResult.AccessToken;
    const started = await admin.send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }));
    assert.equal(started.CredentialCreationOptions.rp.id, 'localhost');
    const created = await inPage(page, 'create', started.CredentialCreationOptions);
    await admin.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: created }));
    const listed = await admin.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }));
    assert.equal(listed.Credentials.length, 1);

    const challenge = async () => {
      const out = await admin.send(new InitiateAuthCommand({
        ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'api', PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      }));
      assert.equal(out.ChallengeName, 'WEB_AUTHN');
      return { options: JSON.parse(out.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS), session: out.Session };
    };
    const answer = (session, credential) => admin.send(new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'WEB_AUTHN',
      Session: session,
      ChallengeResponses: { USERNAME: 'api', CREDENTIAL: JSON.stringify(credential) },
    }));

    // Another relying party: Chromium will not make an assertion for an RP
    // id this page cannot claim, and an assertion whose client data names
    // another origin is refused by the server, nothing signed in. (Rust's
    // user_auth_passkeys.rs also sends one signed for another RP id:
    // WebAuthnRelyingPartyMismatchException.)
    const other = await challenge();
    const forged = { ...other.options, rpId: 'example.com' };
    const refusedByBrowser = await inPage(page, 'get', forged).then(() => false, () => true);
    assert.ok(refusedByBrowser, 'Chromium refuses an RP id the page cannot claim');
    const real = await inPage(page, 'get', other.options);
    const clientData = JSON.parse(Buffer.from(real.response.clientDataJSON, 'base64url'));
    clientData.origin = 'https://evil.example';
    const tampered = {
      ...real,
      response: { ...real.response, clientDataJSON: Buffer.from(JSON.stringify(clientData)).toString('base64url') },
    };
    await assert.rejects(answer(other.session, tampered), (e) => e.name === 'WebAuthnOriginNotAllowedException');

    const { options, session } = await challenge();
    const assertion = await inPage(page, 'get', options);
    const out = await answer(session, assertion);
    const claims = await verifiedClaims(server, pool.id, out.AuthenticationResult.IdToken);
    assert.equal(claims['cognito:username'], 'api');
  } finally {
    await context.close();
  }
});
