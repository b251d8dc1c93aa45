package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
)

const recoveryFile = `pools:
  - name: acme
    id: us-east-1_Recov0001
    account_recovery_setting:
      recovery_mechanisms:
        - name: verified_phone_number
          priority: 2
        - name: verified_email
          priority: 1
`

// TestAccountRecoveryParse: the mechanisms land in the pool by priority,
// not in file order; left out, the pool has none (Cognito's legacy order).
func TestAccountRecoveryParse(t *testing.T) {
	got := mustParse(t, recoveryFile).Pools[0].storagePool().AccountRecovery
	if want := []string{directory.RecoveryVerifiedEmail, directory.RecoveryVerifiedPhone}; !slices.Equal(got, want) {
		t.Fatalf("AccountRecovery %v, want %v", got, want)
	}
	admin := "pools:\n  - name: a\n    account_recovery_setting: {recovery_mechanisms: [{name: admin_only, priority: 1}]}\n"
	if got := mustParse(t, admin).Pools[0].storagePool().AccountRecovery; !slices.Equal(got, []string{directory.RecoveryAdminOnly}) {
		t.Fatalf("admin_only: AccountRecovery %v", got)
	}
	if got := mustParse(t, "pools:\n  - name: plain\n").Pools[0].storagePool().AccountRecovery; got != nil {
		t.Fatalf("left out: AccountRecovery %v", got)
	}
}

// TestAccountRecoveryParseErrors: what the API refuses, the file refuses,
// with the line and field of the mechanism at fault.
func TestAccountRecoveryParseErrors(t *testing.T) {
	const head = "pools:\n  - name: a\n    account_recovery_setting:\n      recovery_mechanisms:\n"
	wantParseErrors(t, []parseErrorCase{
		{"no mechanisms", "pools:\n  - name: a\n    account_recovery_setting:\n      recovery_mechanisms: []\n",
			4, "pools[0].account_recovery_setting.recovery_mechanisms: required: one or two recovery mechanisms"},
		{"empty setting", "pools:\n  - name: a\n    account_recovery_setting: {}\n",
			3, "pools[0].account_recovery_setting.recovery_mechanisms: required"},
		{"unknown mechanism", head + "        - name: verified_pigeon\n          priority: 1\n",
			5, `pools[0].account_recovery_setting.recovery_mechanisms[0].name: Invalid recovery mechanism "verified_pigeon": verified_email, verified_phone_number or admin_only`},
		{"name missing", head + "        - priority: 1\n",
			5, "recovery_mechanisms[0].name: required: every recovery mechanism needs a name"},
		{"priority missing", head + "        - name: verified_email\n",
			5, "recovery_mechanisms[0].priority: 0 is out of range: 1 to 2"},
		{"priority too high", head + "        - name: verified_email\n          priority: 3\n",
			6, "recovery_mechanisms[0].priority: 3 is out of range: 1 to 2"},
		{"same priority twice", head + "        - {name: verified_email, priority: 1}\n        - {name: verified_phone_number, priority: 1}\n",
			6, "recovery_mechanisms[1].priority: priority 1 is already given to verified_email"},
		{"same mechanism twice", head + "        - {name: verified_email, priority: 1}\n        - {name: verified_email, priority: 2}\n",
			6, "recovery_mechanisms[1].name: The recovery mechanism verified_email is given twice."},
		{"admin_only with another", head + "        - {name: verified_email, priority: 1}\n        - {name: admin_only, priority: 2}\n",
			6, "recovery_mechanisms[1].name: admin_only cannot be combined with another recovery mechanism."},
		{"three mechanisms", head + "        - {name: verified_email, priority: 1}\n        - {name: verified_phone_number, priority: 2}\n        - {name: admin_only, priority: 2}\n",
			7, "recovery_mechanisms[2].name: AccountRecoverySetting takes at most 2 recovery mechanisms."},
		{"unknown field", head + "        - {name: verified_email, priority: 1, order: 1}\n",
			5, `recovery_mechanisms[0].order: unknown field "order"`},
		{"Cognito's name", "pools:\n  - name: a\n    account_recovery_setting:\n      RecoveryMechanisms: []\n",
			4, `did you mean "recovery_mechanisms"?`},
		{"priority not a number", head + "        - {name: verified_email, priority: first}\n",
			5, "priority"},
	})
}

// TestAccountRecoveryApply: applied, stored with the pool; applied again,
// nothing written; changed, updated. The file is authoritative as for the
// pool's other settings: a setting made since through the API (UpdatePool)
// is put back, and a file that leaves the setting out clears it.
func TestAccountRecoveryApply(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	f := mustParse(t, recoveryFile)
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 1, 0, 0)
	byPriority := []string{directory.RecoveryVerifiedEmail, directory.RecoveryVerifiedPhone}
	pool, err := e.dir.GetPool(ctx, "us-east-1_Recov0001")
	if err != nil || !slices.Equal(pool.AccountRecovery, byPriority) {
		t.Fatalf("stored %v %v", pool.AccountRecovery, err)
	}
	before := e.dump(t)
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 0, 0, 1)
	if e.dump(t) != before {
		t.Fatal("applying the same setting again wrote something")
	}

	pool.AccountRecovery = []string{directory.RecoveryAdminOnly}
	if err := e.dir.UpdatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 0, 1, 0)
	if pool, _ = e.dir.GetPool(ctx, pool.ID); !slices.Equal(pool.AccountRecovery, byPriority) {
		t.Fatalf("after a change through the API: %v", pool.AccountRecovery)
	}

	swapped := strings.NewReplacer("priority: 2", "priority: 1", "priority: 1", "priority: 2").Replace(recoveryFile)
	wantCounts(t, mustApply(t, e, mustParse(t, swapped), ApplyOptions{}), 0, 1, 0)
	if pool, _ = e.dir.GetPool(ctx, pool.ID); !slices.Equal(pool.AccountRecovery, []string{directory.RecoveryVerifiedPhone, directory.RecoveryVerifiedEmail}) {
		t.Fatalf("after swapping priorities: %v", pool.AccountRecovery)
	}

	bare := mustParse(t, "pools:\n  - name: acme\n    id: us-east-1_Recov0001\n")
	wantCounts(t, mustApply(t, e, bare, ApplyOptions{}), 0, 1, 0)
	if pool, _ = e.dir.GetPool(ctx, pool.ID); len(pool.AccountRecovery) != 0 {
		t.Fatalf("setting left after removal: %v", pool.AccountRecovery)
	}
	wantCounts(t, mustApply(t, e, bare, ApplyOptions{}), 0, 0, 1)
}
