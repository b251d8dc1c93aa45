package directory

import "slices"

// Account recovery mechanisms (Cognito's RecoveryOptionType names), in
// storage.Pool.AccountRecovery by priority.
const (
	RecoveryVerifiedEmail = "verified_email"
	RecoveryVerifiedPhone = "verified_phone_number"
	RecoveryAdminOnly     = "admin_only"
)

// ValidateAccountRecovery checks a pool's AccountRecovery: at most two
// mechanisms, each once, and admin_only only alone (it turns self-service
// recovery off, so it cannot be a fallback).
func ValidateAccountRecovery(list []string) error {
	if len(list) > 2 {
		return newErr(KindInvalidParameter, "AccountRecoverySetting takes at most 2 recovery mechanisms.")
	}
	for i, m := range list {
		switch m {
		case RecoveryVerifiedEmail, RecoveryVerifiedPhone, RecoveryAdminOnly:
		default:
			return newErr(KindInvalidParameter, "Invalid recovery mechanism %q: verified_email, verified_phone_number or admin_only", m)
		}
		if slices.Contains(list[:i], m) {
			return newErr(KindInvalidParameter, "The recovery mechanism %s is given twice.", m)
		}
	}
	if len(list) > 1 && slices.Contains(list, RecoveryAdminOnly) {
		return newErr(KindInvalidParameter, "admin_only cannot be combined with another recovery mechanism.")
	}
	return nil
}
