// An OpenID provider no one here wrote: panva's oidc-provider (OpenID
// Certified) on a random loopback port, with the smallest configuration a
// code-flow relying party needs — one confidential client, one account,
// access tokens that live a few seconds, refresh tokens, RP-initiated logout.
// Sign-in and consent are oidc-provider's own development pages (any
// password; the login must be the one account's id).
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

/** The one account: its id is what the development login page takes. */
export const OIDC_USER = {
  sub: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice Example',
};

/** A free loopback port (closed again; the caller binds it next). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the provider. `client` is { clientId, clientSecret, redirectUri,
 * postLogoutRedirectUri, tokenEndpointAuthMethod (default
 * client_secret_basic) }; `accessTokenTtl` in seconds; `port` a port chosen
 * beforehand (default: a free one). Resolves with { issuer, stop }.
 */
export async function startOidcProvider({ client, accessTokenTtl = 5, port: chosen }) {
  const port = chosen ?? await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  // A signing key of our own, so the provider does not fall back to its
  // development key (and warns).
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'e2e-1' };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: client.clientId,
      client_secret: client.clientSecret,
      token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [client.redirectUri],
      post_logout_redirect_uris: client.postLogoutRedirectUri ? [client.postLogoutRedirectUri] : [],
    }],
    jwks: { keys: [jwk] },
    async findAccount(_ctx, id) {
      if (id !== OIDC_USER.sub) return undefined;
      return { accountId: id, claims: async () => ({ ...OIDC_USER }) };
    },
    // The scopes' claims in the ID token too, not only at userinfo.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Refresh tokens for the code flow without asking for offline_access
    // (which would also need prompt=consent on every sign-in).
    issueRefreshToken: async (_ctx, c) => c.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: accessTokenTtl, IdToken: 600, RefreshToken: 3600, Session: 3600, Grant: 3600 },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Plain pages with nothing fetched from elsewhere.
        async logoutSource(ctx, form) {
          ctx.body = `<!DOCTYPE html><title>Sign out</title><h1>Sign out of the provider?</h1>${form}`
            + '<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>';
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = '<!DOCTYPE html><title>Signed out</title><h1>Signed out</h1>';
        },
      },
    },
  });
  // Silence oidc-provider's own complaints in the test output.
  provider.on('server_error', (_ctx, err) => { console.error('oidc-provider:', err); });

  const http = createServer(provider.callback());
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', resolve);
  });
  const stop = () => new Promise((r) => { http.closeAllConnections(); http.close(r); });
  return { issuer, stop };
}
