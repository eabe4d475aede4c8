// A certified OpenID provider (panva/oidc-provider) on loopback for Tribune's sign-in
// tests. Every account id is accepted at the login prompt (dev interactions); claims
// are derived from it. Configured by the environment:
//   OIDC_PORT     port on 127.0.0.1
//   OIDC_CLIENTS  JSON array of client metadata (client_id, client_secret, redirect_uris)
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);

// Fresh signing keys at every start, so a restarted provider signs with a key
// Tribune has not seen (the bad-signature test relies on it).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const configuration = {
  clients,
  jwks: { keys: [jwk] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'picture', 'profile'],
  },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        const name = sub.charAt(0).toUpperCase() + sub.slice(1);
        return {
          sub,
          name: `${name} Example`,
          email: `${sub}@example.org`,
          email_verified: true,
          picture: `https://pictures.example.org/${sub}.png`,
          profile: `https://people.example.org/${sub}`,
        };
      },
    };
  },
  cookies: { keys: ['tribune-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  ttl: { AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
