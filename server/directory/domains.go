package directory

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// domainLabel is Cognito's DomainType pattern, the shape of a prefix and of
// each label of a custom domain name.
var domainLabel = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

// reservedDomainWords may not appear in a prefix, as in Cognito.
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

// ValidDomainPrefix reports whether s has the shape of a prefix domain.
func ValidDomainPrefix(s string) bool { return domainLabel.MatchString(s) }

// ValidCustomDomain reports whether s is a fully qualified domain name in
// lower case: two or more labels of Cognito's domain shape, at most 253
// characters, no trailing dot.
func ValidCustomDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(s) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return false
		}
	}
	return true
}

// CreateDomain validates and stores a pool's domain: a prefix (served at
// {prefix}.{public host}) or, when d.Custom, a custom domain name. Names
// are global; a pool has at most one domain of each kind.
func (d *Directory) CreateDomain(ctx context.Context, dom *storage.Domain) error {
	if _, err := d.GetPool(ctx, dom.PoolID); err != nil {
		return err
	}
	if dom.Custom {
		dom.Name = strings.ToLower(dom.Name)
		if !ValidCustomDomain(dom.Name) {
			return newErr(KindInvalidParameter, "Domain %s is not a valid fully qualified domain name.", dom.Name)
		}
		if dom.CertificateArn == "" {
			return newErr(KindInvalidParameter, "A custom domain needs a CertificateArn.")
		}
	} else {
		if !ValidDomainPrefix(dom.Name) {
			return newErr(KindInvalidParameter,
				"Domain %s must be 1 to 63 lower-case letters, digits and hyphens, and neither start nor end with a hyphen.", dom.Name)
		}
		for _, w := range reservedDomainWords {
			if strings.Contains(dom.Name, w) {
				return newErr(KindInvalidParameter, "Domain cannot contain reserved word: %s", w)
			}
		}
	}
	switch dom.ManagedLoginVersion {
	case 0:
		dom.ManagedLoginVersion = 1
	case 1, 2:
	default:
		return newErr(KindInvalidParameter, "ManagedLoginVersion must be 1 (hosted UI, classic) or 2 (managed login).")
	}
	dom.CreatedAt = d.Now()
	return d.store.InTx(ctx, func(ctx context.Context) error {
		err := d.store.CreateDomain(ctx, dom)
		if !errors.Is(err, storage.ErrAlreadyExists) {
			return err
		}
		// Which constraint? The name's owner answers.
		if _, gerr := d.store.GetDomain(ctx, dom.Name); gerr == nil {
			return newErr(KindInvalidParameter, "Domain already exists.")
		}
		kind := "prefix"
		if dom.Custom {
			kind = "custom"
		}
		return newErr(KindInvalidParameter, "User pool %s already has a %s domain.", dom.PoolID, kind)
	})
}

// GetDomain returns a domain by name (a prefix or a custom domain name).
func (d *Directory) GetDomain(ctx context.Context, name string) (*storage.Domain, error) {
	dom, err := d.store.GetDomain(ctx, strings.ToLower(name))
	if err != nil {
		return nil, notFound(err, KindResourceNotFound, "Domain "+name+" does not exist.")
	}
	return dom, nil
}

// PoolDomains returns a pool's domains, prefix domain first.
func (d *Directory) PoolDomains(ctx context.Context, poolID string) ([]*storage.Domain, error) {
	return d.store.ListPoolDomains(ctx, poolID)
}

// DeleteDomain deletes a pool's domain; a domain of another pool is not
// the pool's to delete.
func (d *Directory) DeleteDomain(ctx context.Context, poolID, name string) error {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return err
	}
	err := d.store.DeleteDomain(ctx, poolID, strings.ToLower(name))
	if errors.Is(err, storage.ErrNotFound) {
		return newErr(KindInvalidParameter, "No such domain or user pool exists.")
	}
	if err != nil {
		return fmt.Errorf("directory: delete domain: %w", err)
	}
	return nil
}

// DomainPool finds the pool a request's host name (without port) belongs
// to: a prefix domain by the label before "."+publicHost, or a custom
// domain by its name. ok is false for any other host.
func (d *Directory) DomainPool(ctx context.Context, host, publicHost string) (poolID string, ok bool, err error) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	publicHost = strings.ToLower(publicHost)
	lookup := func(name string, custom bool) (string, bool, error) {
		dom, err := d.store.GetDomain(ctx, name)
		if errors.Is(err, storage.ErrNotFound) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		// A prefix is served only under the public host, a custom name
		// only as itself.
		return dom.PoolID, dom.Custom == custom, nil
	}
	if prefix, under := strings.CutSuffix(host, "."+publicHost); under && ValidDomainPrefix(prefix) {
		if id, ok, err := lookup(prefix, false); ok || err != nil {
			return id, ok, err
		}
	}
	if !ValidCustomDomain(host) {
		return "", false, nil
	}
	return lookup(host, true)
}
