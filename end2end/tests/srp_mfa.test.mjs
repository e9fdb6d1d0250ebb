// An MFA challenge after SRP, with amazon-cognito-identity-js: the user
// signs in with USER_SRP_AUTH, sets up an authenticator app through the
// library (associateSoftwareToken, verifySoftwareToken,
// setUserMfaPreference), and the next SRP sign-in ends in totpRequired,
// answered with sendMFACode — a wrong code refused, the right one signs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import identity from 'amazon-cognito-identity-js';
import { startCognate } from './harness.mjs';
import { adminClient, signIn, totp, userPool } from './cognito.mjs';

const { AuthenticationDetails, CognitoUser } = identity;
const PASSWORD = 'Srp-Mfa-pw-1';

let server;
let pool;

before(async () => {
  server = await startCognate();
  const admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({ PoolName: 'srp-mfa-e2e' }));
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: UserPool.Id,
    MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: UserPool.Id, Username: 'mia', MessageAction: 'SUPPRESS',
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: UserPool.Id, Username: 'mia', Password: PASSWORD, Permanent: true,
  }));
  pool = userPool(server, UserPool.Id, UserPoolClient.ClientId);
});

after(async () => {
  await server?.stop();
});

const promised = (fn) => new Promise((resolve) => fn(resolve));

test('after SRP, a user with an authenticator app gets SOFTWARE_TOKEN_MFA (totpRequired) and signs in with its code', async () => {
  // OPTIONAL and no factor yet: SRP alone signs in.
  const first = await signIn(pool, 'mia', PASSWORD);
  assert.ok(first.session, `signed in: ${first.error}`);
  const user = first.user;

  const secret = await promised((done) => user.associateSoftwareToken({
    associateSecretCode: (code) => done(code),
    onFailure: (e) => done(`associateSoftwareToken failed: ${e.code}`),
  }));
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const now = Math.floor(Date.now() / 1000);
  const verified = await promised((done) => user.verifySoftwareToken(totp(secret, now), 'phone', {
    onSuccess: (r) => done(r),
    onFailure: (e) => done({ error: e }),
  }));
  assert.equal(verified.Status, 'SUCCESS', JSON.stringify(verified));
  const preference = await promised((done) => user.setUserMfaPreference(
    null,
    { PreferredMfa: true, Enabled: true },
    (err, result) => done(err ? { error: err } : result),
  ));
  assert.equal(preference, 'SUCCESS', JSON.stringify(preference));

  // The next SRP sign-in stops at the app's code.
  const mia = new CognitoUser({ Username: 'mia', Pool: pool });
  const details = new AuthenticationDetails({ Username: 'mia', Password: PASSWORD });
  const challenged = await promised((done) => mia.authenticateUser(details, {
    onSuccess: () => done('tokens without MFA'),
    onFailure: (e) => done(`failure: ${e.code}`),
    totpRequired: (name) => done(name),
    mfaRequired: () => done('mfaRequired'),
  }));
  assert.equal(challenged, 'SOFTWARE_TOKEN_MFA');

  const send = (code) => promised((done) => mia.sendMFACode(code, {
    onSuccess: (session) => done({ session }),
    onFailure: (error) => done({ error }),
  }, 'SOFTWARE_TOKEN_MFA'));
  // The next step's code: the one used to verify is spent.
  const good = totp(secret, now + 30);
  const wrong = await send(good === '000000' ? '111111' : '000000');
  assert.equal(wrong.error?.code, 'CodeMismatchException');
  const right = await send(good);
  assert.ok(right.session?.isValid(), `signed in: ${right.error?.message}`);
  assert.equal(right.session.getIdToken().payload['cognito:username'], 'mia');
});
