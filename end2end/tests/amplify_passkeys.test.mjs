// Amplify JS v6's passkey path in Chromium — a client nobody here wrote —
// against a real `cognate dev`. Amplify runs navigator.credentials in the
// browser, so it is loaded in a page: its ESM build straight from
// node_modules, served with a tiny test-only server on http://localhost
// (support/esm-server.mjs, which also passes the page's Cognito API calls
// on to Cognate). The browser has a CDP virtual authenticator. The user
// signs in with a password, registers a passkey with
// associateWebAuthnCredential (StartWebAuthnRegistration,
// navigator.credentials.create, CompleteWebAuthnRegistration), signs out,
// then signs in with signIn({ authFlowType: 'USER_AUTH', preferredChallenge:
// 'WEB_AUTHN' }) — navigator.credentials.get, RespondToAuthChallenge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, startCognate, withAuthenticator } from './harness.mjs';
import { adminClient, verifiedClaims } from './cognito.mjs';
import { resolveBare, startEsmServer } from './support/esm-server.mjs';

const PASSWORD = 'Correct-Horse-9';

let server;
let browser;
let site;
let poolId;
let clientId;

/** The page: Amplify's modules on `window.amplify` once loaded. */
function page() {
  const url = (specifier) => `/node_modules/${resolveBare(specifier).split('/node_modules/').pop()}`;
  return `<!DOCTYPE html><link rel="icon" href="data:,"><title>Amplify passkeys</title>
<script type="module">
import { Amplify } from '${url('aws-amplify')}';
import * as auth from '${url('aws-amplify/auth')}';
window.amplify = { Amplify, auth };
document.title = 'Amplify loaded';
</script>`;
}

before(async () => {
  server = await startCognate();
  browser = await launchBrowser();
  const admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'amplify-passkeys',
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
  }));
  poolId = UserPool.Id;
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: poolId,
    WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: 'amplify-browser',
    ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  clientId = UserPoolClient.ClientId;
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: poolId,
    Username: 'pat',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'pat@example.com' }, { Name: 'email_verified', Value: 'true' }],
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: poolId, Username: 'pat', Password: PASSWORD, Permanent: true,
  }));
  site = await startEsmServer({ pages: { '/': page() }, cognate: server.url });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await server?.stop();
});

test('Amplify registers a passkey with associateWebAuthnCredential and signs in with USER_AUTH WEB_AUTHN', async () => {
  const { context, page: tab, credentials: passkeys } = await withAuthenticator(browser);
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  try {
    await tab.goto(`${site.base}/`);
    await tab.waitForFunction(() => window.amplify, null, { timeout: 30_000 }).catch(() => {
      throw new Error(`Amplify did not load: ${errors.join('; ')}`);
    });
    const result = await tab.evaluate(async ({ poolId, clientId, endpoint, password }) => {
      const { Amplify, auth } = window.amplify;
      Amplify.configure({
        Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: endpoint } },
      });
      const steps = [];
      const first = await auth.signIn({ username: 'pat', password });
      steps.push(first.nextStep.signInStep);
      await auth.associateWebAuthnCredential();
      const { credentials } = await auth.listWebAuthnCredentials();
      await auth.signOut();
      const passkey = await auth.signIn({
        username: 'pat',
        options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' },
      });
      steps.push(passkey.nextStep.signInStep);
      const session = await auth.fetchAuthSession();
      return {
        steps,
        signedIn: passkey.isSignedIn,
        credentials: credentials.map((c) => ({ id: c.credentialId, rp: c.relyingPartyId })),
        idToken: session.tokens?.idToken?.toString(),
      };
    }, { poolId, clientId, endpoint: site.base, password: PASSWORD });

    assert.deepEqual(result.steps, ['DONE', 'DONE']);
    assert.equal(result.signedIn, true);
    assert.equal(result.credentials.length, 1);
    assert.equal(result.credentials[0].rp, 'localhost');
    // The passkey is the authenticator's, and it was used to sign in.
    const credentials = await passkeys();
    assert.equal(credentials.length, 1);
    assert.equal(Buffer.from(credentials[0].credentialId, 'base64').toString('base64url'), result.credentials[0].id);
    assert.ok(credentials[0].signCount > 0, 'the passkey signed in');
    const claims = await verifiedClaims(server, poolId, result.idToken);
    assert.equal(claims['cognito:username'], 'pat');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
