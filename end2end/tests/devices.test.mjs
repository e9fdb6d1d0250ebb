// Remembered devices with amazon-cognito-identity-js's own device
// tracking: a pool with DeviceConfiguration; the library confirms the new
// device after sign-in (ConfirmDevice with its SRP verifier), the user
// signs in with an authenticator app's code, remembers the device
// (setDeviceStatusRemembered), and the next sign-in from it answers
// DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER in the library and asks no
// MFA code. Forgetting the device brings the code back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import identity from 'amazon-cognito-identity-js';
import { startCognate } from './harness.mjs';
import { adminClient, signIn, totp, userPool } from './cognito.mjs';

const { AuthenticationDetails, CognitoUser } = identity;
const PASSWORD = 'Device-pw-1';

let server;
let admin;
let poolId;
let pool;

before(async () => {
  server = await startCognate();
  admin = adminClient(server);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: 'devices-e2e',
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
  }));
  poolId = UserPool.Id;
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: poolId,
    MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: poolId, Username: 'dana', MessageAction: 'SUPPRESS',
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: poolId, Username: 'dana', Password: PASSWORD, Permanent: true,
  }));
  // One pool object: its storage is the library's device cache.
  pool = userPool(server, poolId, UserPoolClient.ClientId);
});

after(async () => {
  await server?.stop();
});

const promised = (fn) => new Promise((resolve) => fn(resolve));

/** authenticateUser; what the library called back, and the user. */
function signInTracked(code) {
  const user = new CognitoUser({ Username: 'dana', Pool: pool });
  const details = new AuthenticationDetails({ Username: 'dana', Password: PASSWORD });
  return promised((done) => user.authenticateUser(details, {
    onSuccess: (session, confirmationNecessary) => done({ session, confirmationNecessary, user, mfa: false }),
    onFailure: (error) => done({ error }),
    totpRequired: () => {
      const answer = code();
      // No code to give: report that MFA was asked.
      if (answer === null) return done({ asked: true });
      return user.sendMFACode(answer, {
        onSuccess: (session, confirmationNecessary) => done({ session, confirmationNecessary, user, mfa: true }),
        onFailure: (error) => done({ error }),
      }, 'SOFTWARE_TOKEN_MFA');
    },
    mfaRequired: () => done({ error: new Error('unexpected mfaRequired') }),
  }));
}

test('a remembered device signs in with DEVICE_SRP_AUTH and skips MFA; a forgotten one is asked again', async () => {
  // The first sign-in (no MFA yet) gets a new device; the library confirms it.
  const first = await signIn(pool, 'dana', PASSWORD);
  assert.ok(first.session, `signed in: ${first.error}`);
  const user = first.user;
  const secret = await promised((done) => user.associateSoftwareToken({
    associateSecretCode: (code) => done(code),
    onFailure: (e) => done(`associateSoftwareToken failed: ${e.code}`),
  }));
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

  let step = 1;
  const nextCode = () => totp(secret, now + 30 * step++);

  // The device is not remembered yet (on user prompt): MFA is asked.
  const withMfa = await signInTracked(nextCode);
  assert.ok(withMfa.session?.isValid(), `signed in: ${withMfa.error?.message}`);
  assert.equal(withMfa.mfa, true);
  const listed = await admin.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'dana' }));
  assert.equal(listed.Devices.length, 1, JSON.stringify(listed));
  const status = (d) => d.DeviceAttributes.find((a) => a.Name === 'dev:device_remembered_status')?.Value;
  assert.equal(status(listed.Devices[0]), 'not_remembered');

  // The user chooses to remember it.
  const remembered = await promised((done) => withMfa.user.setDeviceStatusRemembered({
    onSuccess: (r) => done(r),
    onFailure: (e) => done({ error: e }),
  }));
  assert.equal(remembered, 'SUCCESS', JSON.stringify(remembered));

  // From the remembered device: no MFA code asked.
  const skipped = await signInTracked(() => {
    throw new Error('MFA was asked on a remembered device');
  });
  assert.ok(skipped.session?.isValid(), `signed in: ${skipped.error?.message}`);
  assert.equal(skipped.mfa, false);
  assert.equal(skipped.session.getIdToken().payload['cognito:username'], 'dana');
  const after = await admin.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'dana' }));
  assert.equal(after.Devices.length, 1, 'no new device for a remembered one');
  assert.equal(status(after.Devices[0]), 'remembered');

  // Forgotten (forgetDevice): the code is asked again.
  const forgot = await promised((done) => skipped.user.forgetDevice({
    onSuccess: (r) => done(r),
    onFailure: (e) => done({ error: e }),
  }));
  assert.equal(forgot, 'SUCCESS', JSON.stringify(forgot));
  // (The app's one code of this time step is spent: seeing the challenge is enough.)
  const again = await signInTracked(() => null);
  assert.equal(again.asked, true, `MFA asked: ${again.error?.message}`);
});
