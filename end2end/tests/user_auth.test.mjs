// Choice-based sign-in (USER_AUTH) driven by Amplify JS v6 — a client
// nobody here wrote — against a real `cognate dev`: signIn with
// authFlowType USER_AUTH and preferredChallenge EMAIL_OTP, then
// confirmSignIn with the eight-digit code from the outbox; and the same
// through first-factor selection (SELECT_CHALLENGE).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { startCognate } from './harness.mjs';
import { adminClient, verifiedClaims } from './cognito.mjs';

const EMAIL = 'amy@example.com';

let server;
let poolId;
let clientId;

/** The eight-digit sign-in code in the newest outbox message to `recipient`. */
async function signInCode(recipient) {
  const response = await fetch(`${server.url}/_dev/outbox`, { headers: { Accept: 'application/json' } });
  const messages = (await response.json())
    .filter((m) => m.recipient === recipient)
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.id - a.id));
  const code = messages[0]?.body.match(/\b(\d{8})\b/);
  if (!code) throw new Error(`no eight-digit code to ${recipient}: ${JSON.stringify(messages[0])}`);
  return code[1];
}

before(async () => {
  server = await startCognate();
  const admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'passwordless',
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
  }));
  poolId = UserPool.Id;
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: 'amplify',
    ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  clientId = UserPoolClient.ClientId;
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: poolId,
    Username: 'amy',
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: EMAIL },
      { Name: 'email_verified', Value: 'true' },
    ],
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: poolId, Username: 'amy', Password: 'Passw0rd!', Permanent: true,
  }));
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: server.url } },
  });
});

after(async () => {
  await server?.stop();
});

test('Amplify signs in with USER_AUTH and preferredChallenge EMAIL_OTP', async () => {
  const started = await signIn({
    username: 'amy',
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(started.nextStep.codeDeliveryDetails?.destination, 'a***@e***');
  // A wrong code is refused as Cognito refuses it; the right one signs in.
  const code = await signInCode(EMAIL);
  const wrong = code === '00000000' ? '11111111' : '00000000';
  await assert.rejects(confirmSignIn({ challengeResponse: wrong }), { name: 'CodeMismatchException' });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.equal(done.isSignedIn, true);
  const { tokens } = await fetchAuthSession();
  const claims = await verifiedClaims(server, poolId, tokens.idToken.toString());
  assert.equal(claims['cognito:username'], 'amy');
  await signOut();
});

test('Amplify chooses EMAIL_OTP among the AvailableChallenges', async () => {
  const started = await signIn({ username: 'amy', options: { authFlowType: 'USER_AUTH' } });
  assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  assert.deepEqual([...started.nextStep.availableChallenges].sort(), ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP']);
  const chosen = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const done = await confirmSignIn({ challengeResponse: await signInCode(EMAIL) });
  assert.equal(done.isSignedIn, true);
  await signOut();
});
