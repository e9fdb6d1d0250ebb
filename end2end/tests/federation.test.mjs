// Federation in a real browser: panva's oidc-provider (OpenID Certified,
// written by no one here) is the upstream, once as a generic OIDC provider
// ("PanvaOP", endpoints discovered from its issuer) and as the Google,
// Login with Amazon, Facebook and Sign in with Apple presets with their
// endpoints pointed at it (COGNATE_FEDERATION_ENDPOINTS; Apple's token
// endpoint through a front that checks its client-secret JWT as Apple does).
// Chromium goes from the app to Cognate's sign-in page, presses a
// provider's button (or is sent straight there with identity_provider),
// signs in and consents at the provider, and comes back to the app with
// Cognate's code; the app exchanges it for Cognate's tokens. Also: a denied
// consent reaches the app as access_denied, a tampered state is refused
// with nothing written, and a linked identity signs in as the local user.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { createServer } from 'node:http';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminSetUserPasswordCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeIdentityProviderCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, startCognate } from './harness.mjs';
import { adminClient, verifiedClaims } from './cognito.mjs';
import { freePort, OIDC_USER, startOidcProvider } from './support/oidc-provider.mjs';

const SCOPES = 'openid email profile';
const CLIENT_SECRET = 'a-client-secret-cognate-holds-for-the-provider';

let server;
let browser;
let admin;
let op;
let app;
let pool;
let appleFront;

/** The application's callback: a small page that records its query. */
function startApp() {
  const visits = [];
  const http = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    visits.push(Object.fromEntries(url.searchParams));
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><link rel="icon" href="data:,"><title>Back at the app</title><h1>Back at the app</h1>');
  });
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => {
      const base = `http://127.0.0.1:${http.address().port}`;
      resolve({ callback: `${base}/callback`, visits, close: () => new Promise((r) => http.close(r)) });
    });
  });
}

/** Sign in with Apple's key for the pool: ES256, as Apple issues them. */
const APPLE = { teamId: 'TEAM123456', keyId: 'KEY1234567', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };

/**
 * Apple's token endpoint in front of oidc-provider: Apple takes as
 * client_secret an ES256 JWT the client signs (kid key_id, iss team_id,
 * sub client_id, aud https://appleid.apple.com, at most six months). This
 * front checks it as Apple does, then asks oidc-provider with the
 * client's real secret.
 */
function startAppleTokenFront(tokenUrl) {
  const refuse = (res, why) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_client', error_description: why }));
  };
  const http = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    const [h, p, sig] = (form.get('client_secret') ?? '').split('.');
    if (!sig) return refuse(res, 'no client secret JWT');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const signed = verify('sha256', Buffer.from(`${h}.${p}`), { key: APPLE.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(sig, 'base64url'));
    const now = Math.floor(Date.now() / 1000);
    if (!signed || header.alg !== 'ES256' || header.kid !== APPLE.keyId) return refuse(res, 'bad signature');
    if (claims.iss !== APPLE.teamId || claims.sub !== form.get('client_id')
      || claims.aud !== 'https://appleid.apple.com' || !(claims.exp > now) || claims.exp - claims.iat > 15777000) {
      return refuse(res, 'bad claims');
    }
    front.checked += 1;
    form.set('client_secret', CLIENT_SECRET);
    const upstream = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(await upstream.text());
  });
  const front = { checked: 0 };
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => resolve(Object.assign(front, {
      url: `http://127.0.0.1:${http.address().port}/token`,
      close: () => new Promise((r) => { http.closeAllConnections(); http.close(r); }),
    })));
  });
}

before(async () => {
  // The provider's port is chosen first: the Google preset's endpoints name it.
  const opPort = await freePort();
  const opIssuer = `http://127.0.0.1:${opPort}`;
  appleFront = await startAppleTokenFront(`${opIssuer}/token`);
  process.env.COGNATE_FEDERATION_ENDPOINTS = JSON.stringify({
    Google: {
      authorize_url: `${opIssuer}/auth`,
      token_url: `${opIssuer}/token`,
      attributes_url: `${opIssuer}/me`,
      oidc_issuer: opIssuer,
      jwks_uri: `${opIssuer}/jwks`,
    },
    // An OAuth 2.0 provider: no issuer, no keys; the user is read at its
    // attributes URL (here the provider's userinfo).
    LoginWithAmazon: {
      authorize_url: `${opIssuer}/auth`,
      token_url: `${opIssuer}/token`,
      attributes_url: `${opIssuer}/me`,
    },
    // Facebook's Graph `me` names the fields it is asked for
    // (`?fields=` + the mapped ones); the provider's userinfo ignores them.
    Facebook: {
      authorize_url: `${opIssuer}/auth`,
      token_url: `${opIssuer}/token`,
      attributes_url: `${opIssuer}/me?fields=`,
    },
    // Apple: its ID token from the provider's keys, its token endpoint the
    // front that checks the client-secret JWT.
    SignInWithApple: {
      authorize_url: `${opIssuer}/auth`,
      token_url: appleFront.url,
      oidc_issuer: opIssuer,
      jwks_uri: `${opIssuer}/jwks`,
    },
  });
  server = await startCognate();
  delete process.env.COGNATE_FEDERATION_ENDPOINTS;
  browser = await launchBrowser();
  admin = adminClient(server);
  app = await startApp();
  const { UserPool } = await admin.send(new CreateUserPoolCommand({ PoolName: 'federation-e2e' }));
  const issuer = `${server.url}/${UserPool.Id}`;
  op = await startOidcProvider({
    port: opPort,
    client: {
      clientId: 'cognate-federation',
      clientSecret: CLIENT_SECRET,
      redirectUri: `${issuer}/oauth2/idpresponse`,
      tokenEndpointAuthMethod: 'client_secret_post',
    },
    accessTokenTtl: 60,
  });
  assert.equal(op.issuer, opIssuer);
  const details = {
    client_id: 'cognate-federation',
    client_secret: CLIENT_SECRET,
    authorize_scopes: SCOPES,
  };
  // A generic OIDC provider: Cognate reads its discovery document.
  await admin.send(new CreateIdentityProviderCommand({
    UserPoolId: UserPool.Id,
    ProviderName: 'PanvaOP',
    ProviderType: 'OIDC',
    ProviderDetails: { ...details, oidc_issuer: op.issuer, attributes_request_method: 'GET' },
    AttributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name' },
    IdpIdentifiers: ['example.com'],
  }));
  // The Google preset, its endpoints moved to the same provider.
  await admin.send(new CreateIdentityProviderCommand({
    UserPoolId: UserPool.Id,
    ProviderName: 'Google',
    ProviderType: 'Google',
    ProviderDetails: details,
    AttributeMapping: { email: 'email', name: 'name' },
  }));
  // Amazon names its users by user_id; this provider by sub.
  await admin.send(new CreateIdentityProviderCommand({
    UserPoolId: UserPool.Id,
    ProviderName: 'LoginWithAmazon',
    ProviderType: 'LoginWithAmazon',
    ProviderDetails: details,
    AttributeMapping: { username: 'sub', email: 'email' },
  }));
  // Facebook names its users by id; this provider by sub.
  await admin.send(new CreateIdentityProviderCommand({
    UserPoolId: UserPool.Id,
    ProviderName: 'Facebook',
    ProviderType: 'Facebook',
    ProviderDetails: details,
    AttributeMapping: { username: 'sub', email: 'email' },
  }));
  await admin.send(new CreateIdentityProviderCommand({
    UserPoolId: UserPool.Id,
    ProviderName: 'SignInWithApple',
    ProviderType: 'SignInWithApple',
    ProviderDetails: {
      client_id: details.client_id,
      team_id: APPLE.teamId,
      key_id: APPLE.keyId,
      private_key: APPLE.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      authorize_scopes: 'openid email',
    },
    AttributeMapping: { email: 'email' },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'federation e2e',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO', 'PanvaOP', 'Google', 'LoginWithAmazon', 'Facebook', 'SignInWithApple'],
    CallbackURLs: [app.callback],
  }));
  pool = { id: UserPool.Id, issuer, clientId: UserPoolClient.ClientId };
});

after(async () => {
  await browser?.close();
  await op?.stop();
  await appleFront?.close();
  await app?.close();
  await server?.stop();
});

/** The app's authorization request: state, nonce and PKCE of its own. */
function authorization(extra = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const request = {
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    verifier,
  };
  const url = new URL(`${pool.issuer}/oauth2/authorize`);
  const params = {
    response_type: 'code',
    client_id: pool.clientId,
    redirect_uri: app.callback,
    scope: SCOPES,
    state: request.state,
    nonce: request.nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { ...request, url: url.href };
}

/** oidc-provider's development sign-in page, then its consent page. */
async function signInAtProvider(page, { consent = true } = {}) {
  await page.locator('input[name="login"]').waitFor();
  assert.ok(page.url().startsWith(`${op.issuer}/`), page.url());
  await page.locator('input[name="login"]').fill(OIDC_USER.sub);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  if (consent) {
    await page.getByRole('button', { name: 'Continue' }).click();
  } else {
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
  }
}

/**
 * A sign-in in a new browser context straight through `provider`
 * (identity_provider=…): the ID token's claims, the first page upstream,
 * and the provider's authorization requests as the browser sent them.
 */
async function signInThrough(provider) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const request = authorization({ identity_provider: provider });
    const asked = [];
    page.on('request', (r) => { if (r.url().startsWith(`${op.issuer}/auth?`)) asked.push(new URL(r.url())); });
    await page.goto(request.url);
    const upstream = new URL(page.url());
    await signInAtProvider(page);
    const claims = await backAtApp(page, request);
    return { claims, upstream, asked };
  } finally {
    await context.close();
  }
}

/** At the app's callback with Cognate's code: the tokens and the ID token's claims. */
async function backAtApp(page, request) {
  await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`));
  const query = Object.fromEntries(new URL(page.url()).searchParams);
  assert.equal(query.error, undefined, `no error: ${query.error_description}`);
  assert.equal(query.state, request.state);
  assert.equal(query.iss, pool.issuer);
  const response = await fetch(`${pool.issuer}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: pool.clientId,
      code: query.code,
      redirect_uri: app.callback,
      code_verifier: request.verifier,
    }),
  });
  const tokens = await response.json();
  assert.equal(response.status, 200, JSON.stringify(tokens));
  // Signed by the pool's own key, for this client, with the app's nonce.
  const claims = await verifiedClaims(server, pool.id, tokens.id_token);
  assert.equal(claims.aud, pool.clientId);
  assert.equal(claims.iss, pool.issuer);
  assert.equal(claims.nonce, request.nonce);
  return claims;
}

async function usernames() {
  const { Users } = await admin.send(new ListUsersCommand({ UserPoolId: pool.id }));
  return Users.map((u) => u.Username).sort();
}

describe('federation through the hosted UI, oidc-provider upstream', () => {
  test('DescribeIdentityProvider answers the endpoints of the discovered provider and of the moved preset', async () => {
    const oidc = await admin.send(new DescribeIdentityProviderCommand({ UserPoolId: pool.id, ProviderName: 'PanvaOP' }));
    assert.equal(oidc.IdentityProvider.ProviderDetails.authorize_url, `${op.issuer}/auth`);
    assert.equal(oidc.IdentityProvider.ProviderDetails.jwks_uri, `${op.issuer}/jwks`);
    const google = await admin.send(new DescribeIdentityProviderCommand({ UserPoolId: pool.id, ProviderName: 'Google' }));
    assert.equal(google.IdentityProvider.ProviderDetails.token_url, `${op.issuer}/token`);
    assert.equal(google.IdentityProvider.AttributeMapping.username, 'sub');
  });

  test('the sign-in page\'s button → the OIDC provider → back at the app with Cognate\'s tokens for PanvaOP_alice', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const request = authorization();
    await page.goto(request.url);
    // One button per provider the app client supports, no JavaScript.
    await page.getByRole('button', { name: 'Continue with Google' }).waitFor();
    await page.getByRole('button', { name: 'Continue with PanvaOP' }).click();
    await signInAtProvider(page);
    const claims = await backAtApp(page, request);
    assert.equal(claims['cognito:username'], 'PanvaOP_alice');
    assert.equal(claims.email, OIDC_USER.email);
    assert.equal(claims.email_verified, true, 'email_verified is mapped');
    assert.equal(claims.name, OIDC_USER.name);
    assert.equal(claims.identities[0].providerName, 'PanvaOP');
    assert.equal(claims.identities[0].userId, 'alice');
    assert.deepEqual(claims['cognito:groups'], [`${pool.id}_PanvaOP`]);
    const user = await admin.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: 'PanvaOP_alice' }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
    await context.close();
  });

  test('identity_provider=Google goes straight to the preset, its endpoints moved to oidc-provider', async () => {
    const { claims } = await signInThrough('Google');
    assert.equal(claims['cognito:username'], 'Google_alice');
    assert.equal(claims.email_verified, false, 'a mapped email is unverified unless email_verified is mapped');
    assert.equal(claims.identities[0].providerType, 'Google');
  });

  test('LoginWithAmazon, an OAuth 2.0 preset: the user is read at its attributes URL with the access token', async () => {
    const { claims, upstream } = await signInThrough('LoginWithAmazon');
    assert.equal(claims['cognito:username'], 'LoginWithAmazon_alice');
    assert.equal(claims.email, OIDC_USER.email);
    assert.equal(claims.identities[0].providerType, 'LoginWithAmazon');
    assert.ok(upstream.href.startsWith(`${op.issuer}/`), upstream.href);
  });

  test('Facebook, an OAuth 2.0 preset: the user is read at its Graph-style attributes URL naming the mapped fields', async () => {
    const { claims, upstream } = await signInThrough('Facebook');
    assert.equal(claims['cognito:username'], 'Facebook_alice');
    assert.equal(claims.email, OIDC_USER.email);
    assert.equal(claims.identities[0].providerType, 'Facebook');
    assert.equal(claims.identities[0].providerName, 'Facebook');
    assert.ok(upstream.href.startsWith(`${op.issuer}/`), upstream.href);
  });

  test('Sign in with Apple: form_post back to Cognate, the client secret an ES256 JWT the token endpoint checks', async () => {
    const checked = appleFront.checked;
    const { claims, upstream, asked } = await signInThrough('SignInWithApple');
    assert.equal(asked[0].searchParams.get('response_mode'), 'form_post');
    assert.equal(appleFront.checked, checked + 1, 'the code was redeemed with a client-secret JWT that verified');
    assert.equal(claims['cognito:username'], 'SignInWithApple_alice');
    assert.equal(claims.email, OIDC_USER.email);
    assert.equal(claims.identities[0].providerType, 'SignInWithApple');
    assert.ok(upstream.href.startsWith(`${op.issuer}/`), upstream.href);
  });

  test('a denied consent reaches the app as access_denied, nothing written', async () => {
    const before = await usernames();
    const context = await browser.newContext();
    const page = await context.newPage();
    const request = authorization({ idp_identifier: 'example.com' });
    await page.goto(request.url);
    await signInAtProvider(page, { consent: false });
    await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`));
    const query = Object.fromEntries(new URL(page.url()).searchParams);
    assert.equal(query.error, 'access_denied');
    assert.equal(query.state, request.state);
    assert.equal(query.code, undefined);
    assert.deepEqual(await usernames(), before);
    await context.close();
  });

  test('a tampered state at /oauth2/idpresponse is an error page, nothing written', async () => {
    const before = await usernames();
    const context = await browser.newContext();
    const page = await context.newPage();
    // The provider's redirect back to Cognate, with the state changed.
    // (Playwright routes no request reached by a redirect, so the consent's
    // POST is played here and its redirects followed by hand, with the
    // browser's cookies, up to the one that names Cognate's callback.)
    await page.route(`${op.issuer}/interaction/*`, async (route) => {
      // The consent form's POST (the sign-in form posts there too).
      const body = route.request().postData() ?? '';
      if (route.request().method() !== 'POST' || !body.includes('prompt=consent')) {
        await route.continue();
        return;
      }
      let answer = await route.fetch({ maxRedirects: 0 });
      let to = answer.headers().location;
      while (to && !to.startsWith(`${pool.issuer}/oauth2/idpresponse`)) {
        answer = await context.request.get(new URL(to, op.issuer).href, { maxRedirects: 0 });
        to = answer.headers().location;
      }
      const url = new URL(to);
      url.searchParams.set('state', `${url.searchParams.get('state')}-tampered`);
      await route.fulfill({ status: 303, headers: { location: url.href } });
    });
    const request = authorization({ identity_provider: 'PanvaOP' });
    await page.goto(request.url);
    const answered = page.waitForResponse((r) => r.url().startsWith(`${pool.issuer}/oauth2/idpresponse`));
    await signInAtProvider(page);
    const response = await answered;
    assert.match(response.url(), /-tampered/);
    assert.equal(response.status(), 400);
    assert.match(await page.locator('body').textContent(), /unknown or was already used/);
    assert.deepEqual(await usernames(), before);
    await context.close();
  });

  test('AdminLinkProviderForUser: the provider\'s user signs in as the local user (same sub)', async () => {
    await admin.send(new AdminCreateUserCommand({ UserPoolId: pool.id, Username: 'bob', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({
      UserPoolId: pool.id, Username: 'bob', Password: 'Correct-Horse-9', Permanent: true,
    }));
    const bob = await admin.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: 'bob' }));
    const bobSub = bob.UserAttributes.find((a) => a.Name === 'sub').Value;
    // PanvaOP's alice already has a user of her own (the first test), so
    // she is linked by a mapped attribute, her email, as Cognito allows.
    await admin.send(new AdminLinkProviderForUserCommand({
      UserPoolId: pool.id,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'bob' },
      SourceUser: { ProviderName: 'PanvaOP', ProviderAttributeName: 'email', ProviderAttributeValue: OIDC_USER.email },
    }));
    const context = await browser.newContext();
    const page = await context.newPage();
    const request = authorization({ identity_provider: 'PanvaOP' });
    await page.goto(request.url);
    await signInAtProvider(page);
    const claims = await backAtApp(page, request);
    assert.equal(claims.sub, bobSub);
    assert.equal(claims['cognito:username'], 'bob');
    await context.close();
  });
});
