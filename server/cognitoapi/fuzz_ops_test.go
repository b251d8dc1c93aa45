package cognitoapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// FuzzOperations: every operation New serves, behind the real stack
// (SQLite, directory, engine, minter, SMTP and SMS sinks), given any body,
// signed with the admin credential when the operation needs it, answers
// success or a Cognito-shaped client error: never InternalErrorException,
// a panic or a body that is not a JSON object. The seeds name a real pool,
// client, user and group, so that fuzzed inputs reach real records.
func FuzzOperations(f *testing.F) {
	st := newStack(f)
	ctx := f.Context()
	pool, err := st.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("fuzz"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}})
	if err != nil {
		f.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
			"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		f.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("alice"),
		TemporaryPassword: aws.String("Correct-Horse-1"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{attr("email", "alice@example.com"), attr("email_verified", "true")}}); err != nil {
		f.Fatal(err)
	}
	if _, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff")}); err != nil {
		f.Fatal(err)
	}

	api := New(Config{Credentials: testCreds})
	var names []string
	signed := map[string]bool{}
	for _, op := range api.ops {
		names = append(names, op.name)
		signed[op.name] = op.auth == AuthSigV4
	}
	slices.Sort(names)
	common := fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q,"Username":"alice","GroupName":"staff","Password":"Correct-Horse-1",`+
		`"AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice","PASSWORD":"Correct-Horse-1"},`+
		`"UserAttributes":[{"Name":"email","Value":"a@b.example"}],"Limit":2,"Filter":"email ^= \"a\"","PoolName":"p"}`, poolID, clientID)
	for i := range names {
		f.Add(uint8(i), []byte(common))
		f.Add(uint8(i), []byte(`{}`))
	}
	f.Add(uint8(0), []byte(`{"UserPoolId":null,"Limit":-1,"UserAttributes":[{}],"AuthParameters":{"":""}}`))

	handler := st.srv.Config.Handler
	creds := aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey}
	signer := v4.NewSigner()
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := names[int(op)%len(names)]
		r := httptest.NewRequest(http.MethodPost, "http://cognito-idp.test/", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentTypeJSON11)
		r.Header.Set("X-Amz-Target", userPoolTargetPrefix+name)
		if signed[name] {
			sum := sha256.Sum256(body)
			if err := signer.SignHTTP(t.Context(), creds, r, hex.EncodeToString(sum[:]), "cognito-idp", testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: answer is not a JSON object: %v: %q", name, err, w.Body.Bytes())
		}
		if w.Code == http.StatusOK {
			return
		}
		typ, _ := got["__type"].(string)
		if w.Code >= 500 || typ == "" || typ == "InternalErrorException" || !strings.HasSuffix(typ, "Exception") {
			t.Fatalf("%s %q: %d %s", name, body, w.Code, w.Body.Bytes())
		}
		if typ == "MissingAuthenticationTokenException" || typ == "InvalidSignatureException" {
			t.Fatalf("%s: a signed call refused: %s", name, w.Body.Bytes())
		}
	})
}
