// Signs in with amazon-cognito-identity-js (USER_SRP_AUTH, the library's
// default) against a Gatehouse endpoint and prints the result as JSON.
// Usage: node srp_login.mjs ENDPOINT POOL_ID CLIENT_ID USERNAME PASSWORD [NEW_PASSWORD]
import pkg from 'amazon-cognito-identity-js';
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;

const [endpoint, poolId, clientId, username, password, newPassword] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
const details = new AuthenticationDetails({ Username: username, Password: password });

function done(out) {
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

user.authenticateUser(details, {
  onSuccess(session) {
    done({
      ok: true,
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken: session.getRefreshToken().getToken(),
      username: session.getIdToken().payload['cognito:username'],
    });
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
