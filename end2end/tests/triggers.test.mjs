// Lambda triggers driven by a client nobody here wrote: amazon-cognito-identity-js
// signs in with CUSTOM_AUTH (its customChallenge callback and
// sendCustomChallengeAnswer) against a real `cognate dev` whose functions
// run at a small Lambda Invoke API server in this test, and gets tokens a
// PreTokenGeneration V2_0 function customized.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomInt } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import identity from 'amazon-cognito-identity-js';
import { startCognate } from './harness.mjs';
import { adminClient, userPool, verifiedClaims } from './cognito.mjs';

const { AuthenticationDetails, CognitoUser } = identity;
const arn = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** The functions, by name: each takes Cognito's event and returns it answered. */
const answers = new Map();
const functions = {
  define(event) {
    const session = event.request.session;
    const last = session[session.length - 1];
    if (last && last.challengeResult) {
      event.response = { issueTokens: true, failAuthentication: false };
    } else if (session.length >= 3) {
      event.response = { issueTokens: false, failAuthentication: true };
    } else {
      event.response = { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false };
    }
    return event;
  },
  create(event) {
    const answer = String(randomInt(100000, 1000000));
    answers.set(event.userName, answer);
    event.response = {
      publicChallengeParameters: { hint: 'the code we just made' },
      privateChallengeParameters: { answer },
      challengeMetadata: 'CODE',
    };
    return event;
  },
  verify(event) {
    event.response = {
      answerCorrect: event.request.challengeAnswer === event.request.privateChallengeParameters.answer,
    };
    return event;
  },
  claims(event) {
    event.response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { signed_in_with: 'custom-auth' } },
        accessTokenGeneration: { scopesToAdd: ['reports/read'] },
      },
    };
    return event;
  },
};
const calls = [];

/** A Lambda Invoke API server on loopback for `functions`. */
function startInvokePeer() {
  const server = createServer((req, res) => {
    const m = req.url.match(/^\/2015-03-31\/functions\/([^/]+)\/invocations$/);
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const f = m && functions[m[1]];
      if (req.method !== 'POST' || !f) {
        res.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{}');
        return;
      }
      const event = JSON.parse(body);
      calls.push({ name: m[1], source: event.triggerSource });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(f(event)));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

let peer;
let server;
let poolId;
let clientId;

before(async () => {
  peer = await startInvokePeer();
  // The harness passes this process's environment to `cognate dev`.
  process.env.COGNATE_LAMBDA_ENDPOINT = peer.url;
  server = await startCognate();
  const admin = adminClient(server);
  const pool = await admin.send(new CreateUserPoolCommand({
    PoolName: 'custom-auth',
    LambdaConfig: {
      DefineAuthChallenge: arn('define'),
      CreateAuthChallenge: arn('create'),
      VerifyAuthChallengeResponse: arn('verify'),
      PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: arn('claims') },
    },
  }));
  poolId = pool.UserPool.Id;
  const client = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  clientId = client.UserPoolClient.ClientId;
  await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ann', MessageAction: 'SUPPRESS' }));
  await admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: poolId, Username: 'ann', Password: 'Corr3ct-horse!', Permanent: true,
  }));
});

after(async () => {
  await server?.stop();
  peer?.server.close();
  delete process.env.COGNATE_LAMBDA_ENDPOINT;
});

/**
 * CUSTOM_AUTH with the library: each customChallenge callback answers with
 * the next of `guesses` (a function of the challenge parameters).
 */
function customSignIn(username, guesses) {
  const user = new CognitoUser({ Username: username, Pool: userPool(server, poolId, clientId) });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  const details = new AuthenticationDetails({ Username: username });
  const seen = [];
  return new Promise((resolve) => {
    user.initiateAuth(details, {
      customChallenge(parameters) {
        seen.push(parameters);
        const guess = guesses.shift();
        user.sendCustomChallengeAnswer(guess(parameters), this);
      },
      onSuccess(session) { resolve({ session, seen }); },
      onFailure(error) { resolve({ error, seen }); },
    });
  });
}

test('amazon-cognito-identity-js signs in with CUSTOM_AUTH after a wrong answer, with PreTokenGeneration claims', async () => {
  const { session, error, seen } = await customSignIn('ann', [() => '000000', () => answers.get('ann')]);
  assert.equal(error, undefined, error && `${error.code}: ${error.message}`);
  assert.equal(seen.length, 2, 'a second challenge after the wrong answer');
  assert.equal(seen[0].hint, 'the code we just made');
  assert.equal(seen[0].answer, undefined, 'the private answer never reaches the client');
  const id = await verifiedClaims(server, poolId, session.getIdToken().getJwtToken());
  assert.equal(id['cognito:username'], 'ann');
  assert.equal(id.signed_in_with, 'custom-auth');
  const access = session.getAccessToken().decodePayload();
  assert.match(access.scope, /reports\/read/);
  const sources = calls.map((c) => c.source);
  assert.deepEqual(sources.filter((s) => s.startsWith('DefineAuthChallenge')).length, 3);
  assert.ok(sources.includes('VerifyAuthChallengeResponse_Authentication'));
  assert.ok(sources.includes('TokenGeneration_Authentication'));
});

test('three wrong answers fail the custom sign-in as NotAuthorizedException', async () => {
  const wrong = () => '000000';
  const { session, error } = await customSignIn('ann', [wrong, wrong, wrong]);
  assert.equal(session, undefined);
  assert.equal(error.code, 'NotAuthorizedException');
});
