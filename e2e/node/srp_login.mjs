// Signs in with amazon-cognito-identity-js (USER_SRP_AUTH, the library's
// default) against a Gatehouse endpoint, verifies the tokens with
// aws-jwt-verify against the pool's JWKS, refreshes the session, and prints
// the result as JSON.
// Usage: node srp_login.mjs ENDPOINT POOL_ID CLIENT_ID USERNAME PASSWORD [NEW_PASSWORD]
import pkg from 'amazon-cognito-identity-js';
import { JwtRsaVerifier } from 'aws-jwt-verify';
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;

const [endpoint, poolId, clientId, username, password, newPassword] = process.argv.slice(2);
const issuer = endpoint.replace(/\/$/, '') + '/' + poolId;
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
const details = new AuthenticationDetails({ Username: username, Password: password });

// Cognito's own verifier derives the issuer from the AWS region, so the
// generic RSA verifier checks ours, with Cognito's token_use rules.
const idVerifier = JwtRsaVerifier.create({
  issuer, jwksUri: issuer + '/.well-known/jwks.json', audience: clientId,
  customJwtCheck: ({ payload }) => { if (payload.token_use !== 'id') throw new Error('not an ID token'); },
});
const accessVerifier = JwtRsaVerifier.create({
  issuer, jwksUri: issuer + '/.well-known/jwks.json', audience: null,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== 'access' || payload.client_id !== clientId) throw new Error('not this client\'s access token');
  },
});

function done(out) {
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

// aws-jwt-verify fetches JWKS only over https; the test server is plain
// http on loopback, so hand it the pool's JWKS, fetched here.
let jwksLoaded = false;
async function loadJwks() {
  if (jwksLoaded) return;
  const res = await fetch(issuer + '/.well-known/jwks.json');
  const jwks = await res.json();
  idVerifier.cacheJwks(jwks);
  accessVerifier.cacheJwks(jwks);
  jwksLoaded = true;
}

async function verify(session) {
  await loadJwks();
  const id = await idVerifier.verify(session.getIdToken().getJwtToken());
  const access = await accessVerifier.verify(session.getAccessToken().getJwtToken());
  return { id, access };
}

user.authenticateUser(details, {
  async onSuccess(session) {
    try {
      const first = await verify(session);
      const refreshed = await new Promise((resolve, reject) =>
        user.refreshSession(session.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s))));
      const second = await verify(refreshed);
      done({
        ok: true,
        verified: true,
        refreshed: refreshed.getAccessToken().getJwtToken() !== session.getAccessToken().getJwtToken()
          && second.access.origin_jti === first.access.origin_jti,
        idToken: session.getIdToken().getJwtToken(),
        accessToken: session.getAccessToken().getJwtToken(),
        refreshToken: session.getRefreshToken().getToken(),
        username: first.id['cognito:username'],
      });
    } catch (err) {
      done({ ok: false, code: 'VerifyOrRefreshFailed', message: String(err && err.message || err) });
    }
  },
  onFailure(err) {
    done({ ok: false, code: err.code || err.name, message: err.message });
  },
  newPasswordRequired(userAttributes, requiredAttributes) {
    if (!newPassword) {
      done({ ok: false, code: 'NewPasswordRequired', requiredAttributes });
      return;
    }
    user.completeNewPasswordChallenge(newPassword, {}, this);
  },
});
