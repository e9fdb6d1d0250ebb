// Real Cognito clients pointed at a running Cognate: the AWS SDK for admin
// set-up, amazon-cognito-identity-js for sign-in as a browser app does it,
// pycognito's AWSSRP through python/srp_sign_in.py, the dev outbox for codes,
// and an ID token check against the pool's JWKS.
import { spawn } from 'node:child_process';
import { createHmac, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import identity from 'amazon-cognito-identity-js';
import { repoRoot } from './harness.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

export const REGION = 'us-east-1';

/** The SDK client with the admin key `cognate dev` wrote to `{dataDir}/aws-credentials`. */
export function adminClient(server) {
  const text = readFileSync(join(server.dataDir, 'aws-credentials'), 'utf8');
  const value = (key) => {
    const line = text.split('\n').find((l) => l.split('=')[0].trim() === key);
    if (!line) throw new Error(`aws-credentials has no ${key}`);
    return line.slice(line.indexOf('=') + 1).trim();
  };
  return new CognitoIdentityProviderClient({
    endpoint: server.url,
    region: REGION,
    credentials: {
      accessKeyId: value('aws_access_key_id'),
      secretAccessKey: value('aws_secret_access_key'),
    },
  });
}

/** The code in the newest outbox message to `recipient` (the dev page's JSON). */
export async function codeFromOutbox(server, recipient) {
  const response = await fetch(`${server.url}/_dev/outbox`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /_dev/outbox: ${response.status}`);
  const messages = (await response.json())
    .filter((m) => m.recipient === recipient)
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.id - a.id));
  if (messages.length === 0) throw new Error(`no message to ${recipient} in the outbox`);
  const code = messages[0].body.match(/\b(\d{6})\b/);
  if (!code) throw new Error(`no code in the message to ${recipient}: ${messages[0].body}`);
  return code[1];
}

/** A JWT's claims, after checking its RS256 signature with the pool's JWKS. */
export async function verifiedClaims(server, poolId, jwt) {
  const [headerB64, payloadB64, signatureB64] = jwt.split('.');
  const header = JSON.parse(Buffer.from(headerB64, 'base64url'));
  if (header.alg !== 'RS256') throw new Error(`unexpected alg ${header.alg}`);
  const response = await fetch(`${server.url}/${poolId}/.well-known/jwks.json`);
  const { keys } = await response.json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`kid ${header.kid} is not in the pool's JWKS`);
  const ok = verify(
    'RSA-SHA256',
    Buffer.from(`${headerB64}.${payloadB64}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signatureB64, 'base64url'),
  );
  if (!ok) throw new Error('the token signature does not verify with the JWKS');
  return JSON.parse(Buffer.from(payloadB64, 'base64url'));
}

/** amazon-cognito-identity-js's view of one pool, at Cognate's endpoint. */
export function userPool(server, poolId, clientId) {
  // The library posts to `endpoint` exactly as given.
  return new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/` });
}

/**
 * CognitoUser.authenticateUser, resolved with what the library called back:
 * `{ session }`, `{ error }` (with the wire code in error.code) or
 * `{ newPasswordRequired: { userAttributes, requiredAttributes, user } }`.
 * `flow` is the user's authenticationFlowType: USER_SRP_AUTH (the library's
 * default) or USER_PASSWORD_AUTH.
 */
export function signIn(pool, username, password, flow = 'USER_SRP_AUTH') {
  const user = new CognitoUser({ Username: username, Pool: pool });
  user.setAuthenticationFlowType(flow);
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve) => {
    user.authenticateUser(details, callbacks(user, resolve));
  });
}

/** Answers NEW_PASSWORD_REQUIRED the way the library's callback is meant to be used. */
export function completeNewPassword(user, newPassword, attributes = {}) {
  return new Promise((resolve) => {
    user.completeNewPasswordChallenge(newPassword, attributes, callbacks(user, resolve));
  });
}

function callbacks(user, resolve) {
  const unexpected = (name) => () => resolve({ error: new Error(`unexpected callback ${name}`) });
  return {
    onSuccess: (session) => resolve({ session, user }),
    onFailure: (error) => resolve({ error }),
    newPasswordRequired: (userAttributes, requiredAttributes) =>
      resolve({ newPasswordRequired: { userAttributes, requiredAttributes, user } }),
    mfaRequired: unexpected('mfaRequired'),
    totpRequired: unexpected('totpRequired'),
    mfaSetup: unexpected('mfaSetup'),
    selectMFAType: unexpected('selectMFAType'),
    customChallenge: unexpected('customChallenge'),
  };
}

/** CognitoUser.forgotPassword then confirmPassword, with the code from the outbox. */
export async function resetPassword(server, pool, username, recipient, newPassword) {
  const user = new CognitoUser({ Username: username, Pool: pool });
  await new Promise((resolve, reject) => {
    user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve });
  });
  const code = await codeFromOutbox(server, recipient);
  await new Promise((resolve, reject) => {
    user.confirmPassword(code, newPassword, { onSuccess: resolve, onFailure: reject });
  });
}

/** The interpreter of the venv `.ci/run` makes for python/requirements.txt. */
export const PYTHON = process.env.COGNATE_E2E_PYTHON || join(repoRoot, 'end2end', 'python', '.venv', 'bin', 'python');

export function requirePython() {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `the pycognito venv is missing (${PYTHON}); create it with: ` +
        'python3 -m venv end2end/python/.venv && ' +
        'end2end/python/.venv/bin/pip install -r end2end/python/requirements.txt',
    );
  }
}

/**
 * Signs in with pycognito's AWSSRP: resolves with the script's answer,
 * `{ tokens }`, `{ challenge }` or `{ error: { code, message } }`.
 */
export function pycognitoSignIn(server, { poolId, clientId, clientSecret = null, username, password }) {
  // boto3 needs no credentials for these public actions; keep the caller's out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  env.AWS_EC2_METADATA_DISABLED = 'true';
  const child = spawn(PYTHON, [join(repoRoot, 'end2end', 'python', 'srp_sign_in.py')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  child.stdin.end(JSON.stringify({
    endpoint: server.url,
    region: REGION,
    pool_id: poolId,
    client_id: clientId,
    client_secret: clientSecret,
    username,
    password,
  }));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`srp_sign_in.py exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`srp_sign_in.py printed no JSON (${e}): ${out} ${err}`));
      }
    });
  });
}

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 (RFC 4226 §5.3): six digits, SHA-1, 30-second steps. */
export function totp(secret, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const digest = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const bin = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 1_000_000).padStart(6, '0');
}
