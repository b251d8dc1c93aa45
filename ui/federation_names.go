package ui

import "github.com/gatehouse-id/gatehouse/federation"

// providerLabel is how a provider is named on its button. Cognito makes a
// social provider's name its type; people know those as Apple and Amazon.
func providerLabel(name string) string {
	switch name {
	case federation.TypeApple:
		return "Apple"
	case federation.TypeAmazon:
		return "Amazon"
	}
	return name
}
