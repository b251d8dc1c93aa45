package cognitoapi

import (
	"context"
	"fmt"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Resource server operations: CreateResourceServer, DescribeResourceServer,
// ListResourceServers, UpdateResourceServer, DeleteResourceServer.

func registerResourceServerOps(a *API, svc *service) {
	register(a, "CreateResourceServer", AuthSigV4, svc.createResourceServer)
	register(a, "DescribeResourceServer", AuthSigV4, svc.describeResourceServer)
	register(a, "ListResourceServers", AuthSigV4, svc.listResourceServers)
	register(a, "UpdateResourceServer", AuthSigV4, svc.updateResourceServer)
	register(a, "DeleteResourceServer", AuthSigV4, svc.deleteResourceServer)
}

// Cognito's model patterns for the members.
var (
	rsIdentifierPattern = directory.ASCIIPattern(`[\x21\x23-\x5B\x5D-\x7E]`, 1, 256)
	rsNamePattern       = directory.ASCIIPattern(`[\w\s+=,.@-]`, 1, 256)
	rsScopeNamePattern  = directory.ASCIIPattern(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`, 1, 256)
)

type resourceServerScopeType struct {
	ScopeName        string
	ScopeDescription string
}

type resourceServerType struct {
	UserPoolId string
	Identifier string
	Name       string
	Scopes     []resourceServerScopeType
}

func newResourceServerType(rs *storage.ResourceServer) resourceServerType {
	out := resourceServerType{UserPoolId: rs.PoolID, Identifier: rs.Identifier, Name: rs.Name, Scopes: []resourceServerScopeType{}}
	for _, s := range rs.Scopes {
		out.Scopes = append(out.Scopes, resourceServerScopeType{ScopeName: s.Name, ScopeDescription: s.Description})
	}
	return out
}

// resourceServerInput is what CreateResourceServer and
// UpdateResourceServer take.
type resourceServerInput struct {
	UserPoolId string
	Identifier string
	Name       string
	Scopes     []resourceServerScopeType
}

func (in *resourceServerInput) server() (*storage.ResourceServer, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("identifier", in.Identifier)
	if in.Identifier != "" {
		v.check(rsIdentifierPattern.MatchString(in.Identifier), "identifier", in.Identifier,
			`Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+ and have length between 1 and 256`)
	}
	v.required("name", in.Name)
	if in.Name != "" {
		v.check(rsNamePattern.MatchString(in.Name), "name", in.Name,
			`Member must satisfy regular expression pattern: [\w\s+=,.@-]+ and have length between 1 and 256`)
	}
	v.check(len(in.Scopes) <= 100, "scopes", fmt.Sprint(len(in.Scopes)), "Member must have length less than or equal to 100")
	for i, s := range in.Scopes {
		member := fmt.Sprintf("scopes.%d.member", i+1)
		v.required(member+".scopeName", s.ScopeName)
		if s.ScopeName != "" {
			v.check(rsScopeNamePattern.MatchString(s.ScopeName), member+".scopeName", s.ScopeName,
				`Member must satisfy regular expression pattern: [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+ and have length between 1 and 256`)
		}
		v.required(member+".scopeDescription", s.ScopeDescription)
		v.check(len([]rune(s.ScopeDescription)) <= 256, member+".scopeDescription", s.ScopeDescription,
			"Member must have length less than or equal to 256")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	rs := &storage.ResourceServer{PoolID: in.UserPoolId, Identifier: in.Identifier, Name: in.Name}
	for _, s := range in.Scopes {
		rs.Scopes = append(rs.Scopes, storage.ResourceScope{Name: s.ScopeName, Description: s.ScopeDescription})
	}
	return rs, nil
}

type resourceServerOutput struct {
	ResourceServer resourceServerType
}

// ---- CreateResourceServer ----

func (s *service) createResourceServer(ctx context.Context, in *resourceServerInput) (*resourceServerOutput, error) {
	rs, err := in.server()
	if err != nil {
		return nil, err
	}
	if err := s.dir.CreateResourceServer(ctx, rs); err != nil {
		return nil, err
	}
	return &resourceServerOutput{ResourceServer: newResourceServerType(rs)}, nil
}

// ---- UpdateResourceServer ----

// updateResourceServer replaces the name and the scopes, as Cognito does:
// scopes left out are removed.
func (s *service) updateResourceServer(ctx context.Context, in *resourceServerInput) (*resourceServerOutput, error) {
	rs, err := in.server()
	if err != nil {
		return nil, err
	}
	if err := s.dir.UpdateResourceServer(ctx, rs); err != nil {
		return nil, err
	}
	return &resourceServerOutput{ResourceServer: newResourceServerType(rs)}, nil
}

// ---- DescribeResourceServer, DeleteResourceServer ----

type resourceServerIDInput struct {
	UserPoolId string
	Identifier string
}

func (in *resourceServerIDInput) validate() error {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("identifier", in.Identifier)
	return v.err()
}

func (s *service) describeResourceServer(ctx context.Context, in *resourceServerIDInput) (*resourceServerOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	rs, err := s.dir.GetResourceServer(ctx, in.UserPoolId, in.Identifier)
	if err != nil {
		return nil, err
	}
	return &resourceServerOutput{ResourceServer: newResourceServerType(rs)}, nil
}

func (s *service) deleteResourceServer(ctx context.Context, in *resourceServerIDInput) (*struct{}, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteResourceServer(ctx, in.UserPoolId, in.Identifier)
}

// ---- ListResourceServers ----

type listResourceServersInput struct {
	UserPoolId string
	MaxResults *int
	NextToken  *string
}

type listResourceServersOutput struct {
	ResourceServers []resourceServerType
	NextToken       *string `json:",omitempty"`
}

func (s *service) listResourceServers(ctx context.Context, in *listResourceServersInput) (*listResourceServersOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	limit := v.limit("maxResults", in.MaxResults, 1, 50, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := s.dir.ListResourceServers(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	out := &listResourceServersOutput{ResourceServers: []resourceServerType{}}
	for _, rs := range all {
		if rs.Identifier <= after && after != "" {
			continue
		}
		if len(out.ResourceServers) == limit {
			out.NextToken = nextToken(out.ResourceServers[limit-1].Identifier)
			break
		}
		out.ResourceServers = append(out.ResourceServers, newResourceServerType(rs))
	}
	return out, nil
}
