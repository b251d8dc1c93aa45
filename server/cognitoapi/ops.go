package cognitoapi

// registerOperations registers every operation New serves: one line per
// family of operations, each family in its own file (ops_pools.go,
// ops_users.go, …) as a function that calls register for each of its
// operations, e.g.
//
//	func registerPoolOps(a *API, svc …) {
//		register(a, "CreateUserPool", AuthSigV4, svc.createUserPool)
//		register(a, "DescribeUserPool", AuthSigV4, svc.describeUserPool)
//	}
func registerOperations(a *API) {
	_ = a // no operations yet
}
