// Package cognitoapi is the Cognito user pool API front of Gatehouse: the
// AWS JSON 1.1 protocol an AWS SDK speaks to cognito-idp, on POST /.
//
// A call flows through API.ServeHTTP in this order, each step answering with
// the error AWS answers:
//
//	method        POST (OPTIONS answers the CORS preflight)
//	X-Amz-Target  AWSCognitoIdentityProviderService.<Op> → a registered
//	              operation, else UnknownOperationException
//	Content-Type  application/x-amz-json-1.1 or application/json, else
//	              SerializationException
//	body          at most 1 MiB, else 413 RequestEntityTooLargeException
//	auth          AuthSigV4 operations: SigV4 with the admin credential
//	              (sigv4.go), else MissingAuthenticationToken-,
//	              UnrecognizedClient-, InvalidSignature- or
//	              IncompleteSignatureException; the credential scope's
//	              region goes into the context (RegionFromContext)
//	decode        JSON into the operation's typed input, else
//	              SerializationException
//	call          the operation; its *Out is the JSON answer ("{}" if nil),
//	              its error an *Error's {"__type", "message"}, a domain
//	              error (*directory.Error) as its kind's type in errmap.go
//	              or, for any other error or a panic, InternalErrorException
//	              (HTTP 500) with the cause logged, never sent
//
// Every answer carries x-amzn-RequestId and Access-Control-Allow-Origin: *.
//
// Operations are typed functions registered with register, one file per
// family (ops_pools.go, ops_clients.go, ops_domains.go,
// ops_resource_servers.go, ops_groups.go, ops_users.go, ops_auth.go,
// ops_self.go, ops_tokens.go, ops_signup.go) listed in registerOperations;
// they are methods of service, which holds the directory, the auth engine
// and the token minter:
//
//	register(a, "DescribeUserPool", AuthSigV4, svc.describeUserPool)
//	func (s *service) describeUserPool(ctx context.Context, in *describeUserPoolInput) (*describeUserPoolOutput, error)
//
// Access-token operations (GetUser, VerifyUserAttribute, …) authenticate
// their caller with service.accessCaller (ops_self.go).
//
// Input and output types are plain structs whose field names are Cognito's
// member names; dates are Timestamp. Errors come from the constructors in
// errors.go (InvalidParameter, NotAuthorized, ResourceNotFound, …); an
// operation returns the directory's and the engine's errors as they are,
// and errmap.go's one table names them. A missing or malformed member is
// answered in Cognito's words ("1 validation error detected: Value null at
// 'username' failed to satisfy constraint: Member must not be null") by the
// validation helper in ops.go.
//
// Identity pool calls (AWSCognitoIdentityService.<Op>) share the endpoint and
// are answered UnknownOperationException until that API exists.
package cognitoapi
