// USER_SRP_AUTH → PASSWORD_VERIFIER proven with clients nobody here wrote:
// amazon-cognito-identity-js (CognitoUser.authenticateUser) and pycognito
// (AWSSRP), against a real `cognate dev` over HTTP. Users are made by every
// path Cognito has (SignUp, AdminCreateUser, AdminSetUserPassword,
// ForgotPassword), and each signs in with SRP and with USER_PASSWORD_AUTH
// against the same stored verifier.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import identity from 'amazon-cognito-identity-js';
import { startCognate } from './harness.mjs';
import {
  adminClient,
  completeNewPassword,
  pycognitoSignIn,
  requirePython,
  resetPassword,
  signIn,
  userPool,
  verifiedClaims,
} from './cognito.mjs';

const { CognitoUserAttribute } = identity;

const FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
const WRONG = 'Wr0ng-password!';

let server;
let admin;
/** A pool with AliasAttributes email (users have their own usernames). */
let aliasPool;
/** A pool with UsernameAttributes email (the username is the email). */
let emailPool;

async function createPool(name, attributes) {
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: name,
    AutoVerifiedAttributes: ['email'],
    ...attributes,
  }));
  const client = async (extra) => (await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: extra.GenerateSecret ? 'server' : 'web',
    ExplicitAuthFlows: FLOWS,
    ...extra,
  }))).UserPoolClient;
  const web = await client({ PreventUserExistenceErrors: 'ENABLED' });
  const backend = await client({ GenerateSecret: true });
  return {
    id: UserPool.Id,
    web: web.ClientId,
    secretClient: { id: backend.ClientId, secret: backend.ClientSecret },
    // amazon-cognito-identity-js has no client secrets: it uses the web client.
    js: userPool(server, UserPool.Id, web.ClientId),
  };
}

/** AdminCreateUser (no invitation) and AdminSetUserPassword Permanent. */
async function userWithPassword(pool, username, password, attributes = []) {
  await admin.send(new AdminCreateUserCommand({
    UserPoolId: pool.id,
    Username: username,
    MessageAction: 'SUPPRESS',
    UserAttributes: attributes,
  }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool.id, Username: username, Password: password, Permanent: true,
  }));
}

/** The session's ID token, verified against the pool's JWKS, names `username`. */
async function assertIdTokenNames(pool, session, username) {
  assert.ok(session.isValid(), 'the session the library built is valid');
  const id = await verifiedClaims(server, pool.id, session.getIdToken().getJwtToken());
  assert.equal(id['cognito:username'], username);
  assert.equal(id.token_use, 'id');
  assert.equal(id.aud, pool.web);
  assert.equal(id.iss, `${server.url}/${pool.id}`);
  const access = await verifiedClaims(server, pool.id, session.getAccessToken().getJwtToken());
  assert.equal(access.username, username);
  assert.equal(access.client_id, pool.web);
  assert.equal(access.token_use, 'access');
  assert.equal(access.sub, id.sub);
  assert.ok(session.getRefreshToken().getToken(), 'a refresh token');
  return id;
}

async function assertSignsIn(pool, name, password, username, flow = 'USER_SRP_AUTH') {
  const result = await signIn(pool.js, name, password, flow);
  assert.ifError(result.error);
  assert.ok(result.session, `${flow} for ${name}: ${JSON.stringify(Object.keys(result))}`);
  return assertIdTokenNames(pool, result.session, username);
}

async function assertRefused(pool, name, password, flow = 'USER_SRP_AUTH') {
  const result = await signIn(pool.js, name, password, flow);
  assert.ok(result.error, `${flow} for ${name} with a wrong password must fail`);
  assert.equal(result.error.code, 'NotAuthorizedException', result.error.message);
  assert.equal(result.error.message, 'Incorrect username or password.');
}

/** Signs in with SRP and with USER_PASSWORD_AUTH, the same password, the same user. */
async function assertSignsInBothWays(pool, name, password, username = name) {
  const srp = await assertSignsIn(pool, name, password, username, 'USER_SRP_AUTH');
  const plain = await assertSignsIn(pool, name, password, username, 'USER_PASSWORD_AUTH');
  assert.equal(srp.sub, plain.sub);
  await assertRefused(pool, name, WRONG, 'USER_SRP_AUTH');
}

before(async () => {
  server = await startCognate();
  admin = adminClient(server);
  aliasPool = await createPool('srp-alias', { AliasAttributes: ['email'] });
  emailPool = await createPool('srp-email', { UsernameAttributes: ['email'] });
});

after(async () => {
  admin?.destroy();
  await server?.stop();
});

describe('amazon-cognito-identity-js: authenticateUser (USER_SRP_AUTH)', () => {
  test('the right password signs in and the ID token names the user', async () => {
    await userWithPassword(aliasPool, 'alice', 'Alice-pw-1');
    await assertSignsIn(aliasPool, 'alice', 'Alice-pw-1', 'alice');
  });

  test('a wrong password fails with NotAuthorizedException', async () => {
    await userWithPassword(aliasPool, 'bob', 'Bob-pw-12');
    await assertRefused(aliasPool, 'bob', 'Bob-pw-13');
    await assertRefused(aliasPool, 'bob', 'bob-pw-12');
    // The proof really is checked: the right one still works afterwards.
    await assertSignsIn(aliasPool, 'bob', 'Bob-pw-12', 'bob');
  });

  test('an unknown user fails like a wrong password (PreventUserExistenceErrors)', async () => {
    await assertRefused(aliasPool, 'nobody-here', 'Any-pw-123');
  });

  test('a verified email alias signs in; the token names the username (AliasAttributes)', async () => {
    await userWithPassword(aliasPool, 'carol', 'Carol-pw-1', [
      { Name: 'email', Value: 'carol@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ]);
    await assertSignsInBothWays(aliasPool, 'carol@example.com', 'Carol-pw-1', 'carol');
  });

  test('an email username signs in; the token names the generated username (UsernameAttributes)', async () => {
    await userWithPassword(emailPool, 'dora@example.com', 'Dora-pw-12', [
      { Name: 'email_verified', Value: 'true' },
    ]);
    const { Username } = await admin.send(new AdminGetUserCommand({
      UserPoolId: emailPool.id, Username: 'dora@example.com',
    }));
    assert.notEqual(Username, 'dora@example.com');
    const id = await assertSignsIn(emailPool, 'dora@example.com', 'Dora-pw-12', Username);
    assert.equal(id.email, 'dora@example.com');
    await assertSignsInBothWays(emailPool, 'dora@example.com', 'Dora-pw-12', Username);
  });
});

describe('users made by every path sign in with SRP and USER_PASSWORD_AUTH', () => {
  test('SignUp (amazon-cognito-identity-js) + AdminConfirmSignUp', async () => {
    const password = 'Sam-pw-123';
    await new Promise((resolve, reject) => {
      aliasPool.js.signUp('sam', password, [new CognitoUserAttribute({ Name: 'email', Value: 'sam@example.com' })],
        null, (err, data) => (err ? reject(err) : resolve(data)));
    });
    // Unconfirmed: the password is right, the state is not.
    const early = await signIn(aliasPool.js, 'sam', password);
    assert.equal(early.error?.code, 'UserNotConfirmedException');
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: aliasPool.id, Username: 'sam' }));
    await assertSignsInBothWays(aliasPool, 'sam', password);
  });

  test('SignUp with an email username + AdminConfirmSignUp', async () => {
    const password = 'Erin-pw-12';
    const data = await new Promise((resolve, reject) => {
      emailPool.js.signUp('erin@example.com', password,
        [new CognitoUserAttribute({ Name: 'email', Value: 'erin@example.com' })],
        null, (err, d) => (err ? reject(err) : resolve(d)));
    });
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: emailPool.id, Username: 'erin@example.com' }));
    const { Username } = await admin.send(new AdminGetUserCommand({
      UserPoolId: emailPool.id, Username: 'erin@example.com',
    }));
    const id = await assertSignsIn(emailPool, 'erin@example.com', password, Username);
    assert.equal(id.sub, data.userSub);
    await assertSignsInBothWays(emailPool, 'erin@example.com', password, Username);
  });

  test('AdminCreateUser → NEW_PASSWORD_REQUIRED answered in the newPasswordRequired callback', async () => {
    await admin.send(new AdminCreateUserCommand({
      UserPoolId: aliasPool.id,
      Username: 'nina',
      TemporaryPassword: 'Temp-pw-1',
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: 'nina@example.com' }, { Name: 'email_verified', Value: 'true' }],
    }));
    // A wrong temporary password is refused before any challenge.
    await assertRefused(aliasPool, 'nina', 'Temp-pw-2');
    const first = await signIn(aliasPool.js, 'nina', 'Temp-pw-1');
    assert.ifError(first.error);
    assert.ok(first.newPasswordRequired, 'SRP with the temporary password asks for a new one');
    assert.equal(first.newPasswordRequired.userAttributes.email, 'nina@example.com');
    assert.deepEqual(first.newPasswordRequired.requiredAttributes, []);
    const done = await completeNewPassword(first.newPasswordRequired.user, 'Nina-new-1');
    assert.ifError(done.error);
    await assertIdTokenNames(aliasPool, done.session, 'nina');
    await assertSignsInBothWays(aliasPool, 'nina', 'Nina-new-1');
    await assertRefused(aliasPool, 'nina', 'Temp-pw-1');
    await assertRefused(aliasPool, 'nina', 'Temp-pw-1', 'USER_PASSWORD_AUTH');
  });

  test('AdminSetUserPassword Permanent', async () => {
    await userWithPassword(aliasPool, 'sean', 'Sean-pw-12');
    await assertSignsInBothWays(aliasPool, 'sean', 'Sean-pw-12');
    // A second permanent password replaces the first for both flows.
    await admin.send(new AdminSetUserPasswordCommand({
      UserPoolId: aliasPool.id, Username: 'sean', Password: 'Sean-pw-34', Permanent: true,
    }));
    await assertSignsInBothWays(aliasPool, 'sean', 'Sean-pw-34');
    await assertRefused(aliasPool, 'sean', 'Sean-pw-12', 'USER_PASSWORD_AUTH');
  });

  test('ForgotPassword + ConfirmForgotPassword with the code from the outbox', async () => {
    await userWithPassword(aliasPool, 'fran', 'Fran-old-1', [
      { Name: 'email', Value: 'fran@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ]);
    await resetPassword(server, aliasPool.js, 'fran', 'fran@example.com', 'Fran-new-1');
    await assertSignsInBothWays(aliasPool, 'fran', 'Fran-new-1');
    await assertRefused(aliasPool, 'fran', 'Fran-old-1');
  });

  test('ForgotPassword by email alias in an email-username pool', async () => {
    await userWithPassword(emailPool, 'gail@example.com', 'Gail-old-1', [
      { Name: 'email_verified', Value: 'true' },
    ]);
    const { Username } = await admin.send(new AdminGetUserCommand({
      UserPoolId: emailPool.id, Username: 'gail@example.com',
    }));
    await resetPassword(server, emailPool.js, 'gail@example.com', 'gail@example.com', 'Gail-new-1');
    await assertSignsInBothWays(emailPool, 'gail@example.com', 'Gail-new-1', Username);
    await assertRefused(emailPool, 'gail@example.com', 'Gail-old-1');
  });
});

describe('pycognito: AWSSRP.authenticate_user', () => {
  before(() => requirePython());

  async function pySignIn(pool, { secret, username, password }) {
    return pycognitoSignIn(server, {
      poolId: pool.id,
      clientId: secret ? pool.secretClient.id : pool.web,
      clientSecret: secret ? pool.secretClient.secret : null,
      username,
      password,
    });
  }

  async function assertPySignsIn(pool, options, expectedUsername) {
    const result = await pySignIn(pool, options);
    assert.ok(result.tokens, `pycognito sign-in: ${JSON.stringify(result)}`);
    const id = await verifiedClaims(server, pool.id, result.tokens.IdToken);
    assert.equal(id['cognito:username'], expectedUsername);
    assert.equal(id.aud, options.secret ? pool.secretClient.id : pool.web);
    assert.ok(result.tokens.RefreshToken);
    return id;
  }

  async function assertPyRefused(pool, options) {
    const result = await pySignIn(pool, options);
    assert.deepEqual(result.error, {
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  }

  test('without a client secret: right password signs in, wrong one fails', async () => {
    await userWithPassword(aliasPool, 'pia', 'Pia-pw-123');
    await assertPySignsIn(aliasPool, { username: 'pia', password: 'Pia-pw-123' }, 'pia');
    await assertPyRefused(aliasPool, { username: 'pia', password: 'Pia-pw-124' });
  });

  test('with a client secret (SECRET_HASH on both steps): right password signs in, wrong one fails', async () => {
    await userWithPassword(aliasPool, 'quinn', 'Quinn-pw-1');
    await assertPySignsIn(aliasPool, { secret: true, username: 'quinn', password: 'Quinn-pw-1' }, 'quinn');
    await assertPyRefused(aliasPool, { secret: true, username: 'quinn', password: 'Quinn-pw-2' });
  });

  test('with a client secret and an email alias: SECRET_HASH of the alias, then of USER_ID_FOR_SRP', async () => {
    await userWithPassword(aliasPool, 'rita', 'Rita-pw-12', [
      { Name: 'email', Value: 'rita@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ]);
    const options = { secret: true, username: 'rita@example.com', password: 'Rita-pw-12' };
    await assertPySignsIn(aliasPool, options, 'rita');
    await assertPyRefused(aliasPool, { ...options, password: 'Rita-pw-13' });
  });

  test('email-username pool, with and without a secret', async () => {
    await userWithPassword(emailPool, 'tess@example.com', 'Tess-pw-12', [
      { Name: 'email_verified', Value: 'true' },
    ]);
    const { Username } = await admin.send(new AdminGetUserCommand({
      UserPoolId: emailPool.id, Username: 'tess@example.com',
    }));
    for (const secret of [false, true]) {
      const options = { secret, username: 'tess@example.com', password: 'Tess-pw-12' };
      await assertPySignsIn(emailPool, options, Username);
      await assertPyRefused(emailPool, { ...options, password: 'Tess-pw-13' });
    }
  });

  test('the same record serves pycognito and amazon-cognito-identity-js', async () => {
    await userWithPassword(aliasPool, 'uma', 'Uma-pw-123');
    const py = await assertPySignsIn(aliasPool, { username: 'uma', password: 'Uma-pw-123' }, 'uma');
    const js = await assertSignsIn(aliasPool, 'uma', 'Uma-pw-123', 'uma');
    assert.equal(py.sub, js.sub);
  });

  test('a temporary password gets NEW_PASSWORD_REQUIRED, not tokens', async () => {
    await admin.send(new AdminCreateUserCommand({
      UserPoolId: aliasPool.id, Username: 'vic', TemporaryPassword: 'Temp-vic-1', MessageAction: 'SUPPRESS',
    }));
    const result = await pySignIn(aliasPool, { secret: true, username: 'vic', password: 'Temp-vic-1' });
    assert.deepEqual(result, { challenge: 'NEW_PASSWORD_REQUIRED' });
    await assertPyRefused(aliasPool, { secret: true, username: 'vic', password: 'Temp-vic-2' });
  });
});
