// SAML 2.0 federation in a real browser: pysaml2 (from PyPI, signing with
// Debian's xmlsec1; end2end/python/saml_idp.py, in python/.venv) is the
// IdP. Chromium goes from the app to Cognate's sign-in page, presses the
// provider's button, is sent to the IdP with an AuthnRequest (HTTP-Redirect),
// submits the IdP's form (HTTP-POST to /saml2/idpresponse), and comes back
// to the app with Cognate's code; the app exchanges it for Cognate's
// tokens, whose ID token names the SAML identity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { authorizeRequest, launchBrowser, repoRoot, startApp, startCognate } from './harness.mjs';
import { adminClient, verifiedClaims } from './cognito.mjs';

const PYTHON = join(repoRoot, 'end2end', 'python', '.venv', 'bin', 'python');

let server;
let browser;
let admin;
let idp;
let app;
let pool;

/** The pysaml2 IdP for the pool's SP, on a random port. */
function startIdp(poolId, acs) {
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  const child = spawn(PYTHON, [join(repoRoot, 'end2end', 'python', 'saml_idp.py'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PYTHONWARNINGS: 'ignore',
      SAML_SP_ENTITY_ID: `urn:amazon:cognito:sp:${poolId}`,
      SAML_SP_ACS: acs,
    },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the SAML IdP did not start in 60 s')), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/READY (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stop: async () => {
            child.kill('SIGTERM');
            await new Promise((r) => child.once('exit', r));
            rmSync(dir, { recursive: true, force: true });
          },
        });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the SAML IdP exited (${code})`)); });
  });
}

before(async () => {
  if (!existsSync(PYTHON)) throw new Error(`no test venv at ${PYTHON}: scripts/test makes it`);
  server = await startCognate();
  browser = await launchBrowser();
  admin = adminClient(server);
  app = await startApp();
  const { UserPool } = await admin.send(new CreateUserPoolCommand({ PoolName: 'saml-e2e' }));
  const issuer = `${server.url}/${UserPool.Id}`;
  idp = await startIdp(UserPool.Id, `${issuer}/saml2/idpresponse`);
  await admin.send(new CreateIdentityProviderCommand({
    UserPoolId: UserPool.Id,
    ProviderName: 'Corp',
    ProviderType: 'SAML',
    ProviderDetails: { MetadataURL: `${idp.url}/metadata` },
    AttributeMapping: { email: 'email', given_name: 'givenName' },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'saml e2e',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO', 'Corp'],
    CallbackURLs: [app.callback],
  }));
  pool = { id: UserPool.Id, issuer, clientId: UserPoolClient.ClientId };
});

after(async () => {
  await browser?.close();
  await idp?.stop();
  await app?.close();
  await server?.stop();
});

/** The app's authorization request (PKCE S256), as Chromium opens it. */
function authorizeUrl() {
  const state = randomBytes(16).toString('base64url');
  const { url, verifier } = authorizeRequest(pool.issuer, {
    client_id: pool.clientId,
    redirect_uri: app.callback,
    scope: 'openid email profile',
    state,
  });
  return { url: new URL(url), verifier, state };
}

/**
 * From the app to the IdP's form in Chromium; `knobs` are the IdP's test
 * switches (saml_idp.py), added to the AuthnRequest's URL as a tampering
 * IdP would answer it.
 */
async function toIdpForm(page, knobs = {}) {
  const { url, verifier, state } = authorizeUrl();
  await page.goto(url.href);
  await page.getByRole('button', { name: /Corp/ }).click();
  await page.waitForURL((u) => u.href.startsWith(`${idp.url}/sso/redirect?`));
  if (Object.keys(knobs).length) {
    const tampered = new URL(page.url());
    for (const [k, v] of Object.entries(knobs)) tampered.searchParams.set(k, v);
    await page.goto(tampered.href);
  }
  return { verifier, state };
}

test('a user signs in through the SAML IdP from the hosted sign-in page', async () => {
  const page = await browser.newPage();
  try {
    // Cognate's sign-in page: the provider's button (a plain form), then
    // the IdP's form, submitted as its button says.
    const { verifier, state } = await toIdpForm(page);
    await page.locator('#continue').click();
    await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`));
    const query = Object.fromEntries(new URL(page.url()).searchParams);
    assert.equal(query.error, undefined, `no error: ${query.error_description}`);
    assert.equal(query.state, state);
    const response = await fetch(`${pool.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: pool.clientId,
        code: query.code,
        redirect_uri: app.callback,
        code_verifier: verifier,
      }),
    });
    assert.equal(response.status, 200);
    const tokens = await response.json();
    const claims = await verifiedClaims(server, pool.id, tokens.id_token);
    assert.equal(claims['cognito:username'], 'Corp_alice');
    assert.equal(claims.email, 'alice@example.com');
    assert.equal(claims.given_name, 'Alice');
    assert.equal(claims.identities[0].providerType, 'SAML');
    assert.equal(claims.identities[0].providerName, 'Corp');
    assert.equal(claims.identities[0].issuer, `${idp.url}/metadata`);
    assert.deepEqual(claims['cognito:groups'], [`${pool.id}_Corp`]);
  } finally {
    await page.close();
  }
});

/** Submits the IdP's form and expects Cognate's refusal page, no code. */
async function expectRefused(page, why) {
  const answer = page.waitForResponse((r) => r.url().includes('/saml2/idpresponse') && r.request().method() === 'GET');
  await page.locator('#continue').click();
  assert.equal((await answer).status(), 400, why);
  await page.waitForLoadState();
  assert.ok(!page.url().startsWith(app.callback), `${why}: no way back to the app with a code`);
  assert.match(await page.locator('body').innerText(), /could not be verified/, why);
}

test('forged, expired and foreign-audience assertions end on an error page, never at the app', async () => {
  for (const [knobs, why] of [
    [{ forge: '1' }, 'signed with a key the metadata does not name'],
    [{ expired: '1' }, 'NotOnOrAfter in the past'],
    // another SP the IdP knows (saml_idp.py)
    [{ audience: 'urn:amazon:cognito:sp:another-pool' }, 'an assertion for another SP'],
  ]) {
    const page = await browser.newPage();
    try {
      await toIdpForm(page, knobs);
      await expectRefused(page, why);
    } finally {
      await page.close();
    }
  }
});

test('a SAML response submitted a second time is refused', async () => {
  const page = await browser.newPage();
  try {
    await toIdpForm(page);
    // What the IdP's form posts, kept as an eavesdropper would keep it.
    const fields = await page.locator('form input[type=hidden]').evaluateAll((inputs) =>
      inputs.map((i) => [i.name, i.value]));
    const action = await page.locator('form').getAttribute('action');
    await page.locator('#continue').click();
    await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`));
    // The same response posted again, from a page of its own.
    const escape = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    await page.goto('about:blank');
    await page.setContent(`<!DOCTYPE html><form method="post" action="${escape(action)}">${
      fields.map(([n, v]) => `<input type="hidden" name="${escape(n)}" value="${escape(v)}">`).join('')
    }<button id="again">again</button></form>`);
    const answer = page.waitForResponse((r) => r.url().includes('/saml2/idpresponse') && r.request().method() === 'GET');
    await page.locator('#again').click();
    assert.equal((await answer).status(), 400);
    assert.ok(!page.url().startsWith(app.callback));
  } finally {
    await page.close();
  }
});
