package directory

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestParseUserFilter(t *testing.T) {
	tests := []struct {
		in   string
		want UserFilter
		bad  bool
	}{
		{in: ""},
		{in: "   "},
		{in: `username = "alice"`, want: UserFilter{Attribute: "username", Value: "alice"}},
		{in: `email^="al"`, want: UserFilter{Attribute: "email", Prefix: true, Value: "al"}},
		{in: ` given_name  ^=  "Jo" `, want: UserFilter{Attribute: "given_name", Prefix: true, Value: "Jo"}},
		{in: `cognito:user_status = "FORCE_CHANGE_PASSWORD"`, want: UserFilter{Attribute: "cognito:user_status", Value: "FORCE_CHANGE_PASSWORD"}},
		{in: `status = "Disabled"`, want: UserFilter{Attribute: "status", Value: "Disabled"}},
		{in: `name = "say \"hi\" \\ bye"`, want: UserFilter{Attribute: "name", Value: `say "hi" \ bye`}},
		{in: `family_name = ""`, want: UserFilter{Attribute: "family_name"}},
		{in: `name = "Zoë 山田"`, want: UserFilter{Attribute: "name", Value: "Zoë 山田"}},
		{in: `custom:tenant = "acme"`, bad: true},
		{in: `address = "x"`, bad: true},
		{in: `email = alice`, bad: true},
		{in: `email == "a"`, bad: true},
		{in: `email != "a"`, bad: true},
		{in: `email "a"`, bad: true},
		{in: `= "a"`, bad: true},
		{in: `email = "a`, bad: true},
		{in: `email = "a\`, bad: true},
		{in: `email = "a" and name = "b"`, bad: true},
		{in: `email`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseUserFilter(tt.in)
			if tt.bad {
				wantKind(t, err, KindInvalidParameter)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseUserFilter = %+v, %v; want %+v", got, err, tt.want)
			}
			if again, err := ParseUserFilter(got.String()); err != nil || again != got {
				t.Errorf("String %q parses to %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestUserFilterMatch(t *testing.T) {
	u := &storage.User{Username: "Alice", Status: storage.StatusForceChangePassword, Enabled: true,
		Attributes: map[string]string{"sub": "0f1e", "email": "alice@example.com", "given_name": "Alice"}}
	tests := []struct {
		filter string
		match  bool
	}{
		{"", true},
		{`username = "Alice"`, true},
		{`username = "alice"`, false}, // case-sensitive, as in Cognito
		{`username ^= "Al"`, true},
		{`email = "alice@example.com"`, true},
		{`email ^= "bob"`, false},
		{`email ^= ""`, true},
		{`family_name ^= ""`, false}, // an attribute the user lacks never matches
		{`cognito:user_status = "force_change_password"`, true},
		{`cognito:user_status = "CONFIRMED"`, false},
		{`status = "Enabled"`, true},
		{`status = "Disabled"`, false},
		{`status = "enabled"`, false},
		{`sub = "0f1e"`, true},
		{`given_name = "Alice"`, true},
	}
	for _, tt := range tests {
		f, err := ParseUserFilter(tt.filter)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		if got := f.Match(u); got != tt.match {
			t.Errorf("%q matches: %v, want %v", tt.filter, got, tt.match)
		}
	}
}

// FuzzListUsersFilter: parsing never panics, a filter it accepts prints
// back to itself, and matching it never panics.
func FuzzListUsersFilter(f *testing.F) {
	for _, s := range []string{``, `username = "alice"`, `email ^= "a\"b"`, `status="Enabled"`, `cognito:user_status = "x\\"`,
		`name = "`, `given_name ^ "x"`, "sub = \"\x00\xff\""} {
		f.Add(s)
	}
	u := &storage.User{Username: "alice", Enabled: true, Status: storage.StatusConfirmed,
		Attributes: map[string]string{"sub": "s", "email": "a@b.c", "name": `a"b\c`}}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseUserFilter(s)
		if err != nil {
			if KindOf(err) != KindInvalidParameter {
				t.Fatalf("error of kind %d: %v", KindOf(err), err)
			}
			return
		}
		if flt.Attribute != "" && !slices.Contains(FilterAttributes, flt.Attribute) {
			t.Fatalf("accepted attribute %q", flt.Attribute)
		}
		again, err := ParseUserFilter(flt.String())
		if err != nil || again != flt {
			t.Fatalf("%q: String %q parses to %+v, %v", s, flt.String(), again, err)
		}
		flt.Match(u)
	})
}

func TestListUsersFiltered(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	var subs []string
	for i := range 30 {
		u, err := td.CreateUser(ctx, p, NewUser{Username: fmt.Sprintf("user%02d", i),
			Attributes: map[string]string{"given_name": map[bool]string{true: "Even", false: "Odd"}[i%2 == 0]}})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, u.Sub)
	}
	slices.Sort(subs)

	// Pages of 7 without a filter: every user once, in sub order.
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		users, next, err := td.ListUsers(ctx, p.ID, UserFilter{}, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			got = append(got, u.Sub)
		}
		if next == "" {
			if pages != 4 {
				t.Errorf("%d pages, want 5", pages+1)
			}
			break
		}
		after = next
	}
	if !slices.Equal(got, subs) {
		t.Fatalf("unfiltered listing differs")
	}

	// A filter: only its matches, each once, whatever the page size.
	even := UserFilter{Attribute: "given_name", Value: "Even"}
	for _, limit := range []int{1, 4, 15, 60} {
		n := 0
		after := ""
		for {
			users, next, err := td.ListUsers(ctx, p.ID, even, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) > limit {
				t.Fatalf("page of %d, limit %d", len(users), limit)
			}
			for _, u := range users {
				if u.Attributes["given_name"] != "Even" {
					t.Fatalf("listed %s", u.Username)
				}
				n++
			}
			if next == "" {
				break
			}
			after = next
		}
		if n != 15 {
			t.Errorf("limit %d: %d matches, want 15", limit, n)
		}
	}
	none, next, err := td.ListUsers(ctx, p.ID, UserFilter{Attribute: "username", Value: "nobody"}, "", 10)
	if err != nil || len(none) != 0 || next != "" {
		t.Errorf("no match: %d users, next %q, %v", len(none), next, err)
	}
	_, _, err = td.ListUsers(ctx, "us-east-1_Missing00", UserFilter{}, "", 10)
	wantKind(t, err, KindResourceNotFound)
}

func TestListUsersScanBudget(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	td.scanBudget = 50
	// More users than one call reads; the one match is last by sub.
	var last string
	err := td.store.InTx(ctx, func(ctx context.Context) error {
		for i := range td.scanBudget + 5 {
			u := &storage.User{PoolID: p.ID, Sub: fmt.Sprintf("%08d", i), Username: fmt.Sprintf("u%d", i), Enabled: true,
				Status: storage.StatusConfirmed, Attributes: map[string]string{"name": fmt.Sprintf("u%d", i)}, CreatedAt: td.now, UpdatedAt: td.now}
			setKeys(p, u)
			if err := td.store.CreateUser(ctx, u); err != nil {
				return err
			}
			last = u.Username
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// name has no index: the filter scans the pool (username would not).
	f := UserFilter{Attribute: "name", Value: last}
	users, next, err := td.ListUsers(ctx, p.ID, f, "", 60)
	if err != nil || len(users) != 0 || next == "" {
		t.Fatalf("first call: %d users, next %q, %v; want an empty page with a token", len(users), next, err)
	}
	users, next, err = td.ListUsers(ctx, p.ID, f, next, 60)
	if err != nil || len(users) != 1 || users[0].Username != last || next != "" {
		t.Fatalf("second call: %d users, next %q, %v", len(users), next, err)
	}
}

func TestSetUserEnabled(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	u, err := td.CreateUser(ctx, p, NewUser{Username: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	now := td.now
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(td.store.CreateSession(ctx, &storage.Session{PoolID: p.ID, ID: "sess", Sub: u.Sub, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	must(td.store.CreateFamily(ctx, &storage.Family{PoolID: p.ID, ID: "fam", ClientID: "c", Sub: u.Sub, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))

	td.now = td.now.Add(time.Minute)
	wantKind(t, td.SetUserEnabled(ctx, p.ID, u.Sub, false), 0)
	got, _ := td.GetUserBySub(ctx, p.ID, u.Sub)
	if got.Enabled || !got.UpdatedAt.Equal(td.now) {
		t.Errorf("after disable: enabled %v, updated %v", got.Enabled, got.UpdatedAt)
	}
	if _, err := td.store.GetSession(ctx, p.ID, "sess"); err == nil {
		t.Error("SSO session survived the disable")
	}
	if f, _ := td.store.GetFamily(ctx, p.ID, "fam"); f.RevokedAt.IsZero() {
		t.Error("token family survived the disable")
	}
	wantKind(t, td.SetUserEnabled(ctx, p.ID, u.Sub, false), 0) // again: no change, no error
	wantKind(t, td.SetUserEnabled(ctx, p.ID, u.Sub, true), 0)
	if got, _ := td.GetUserBySub(ctx, p.ID, u.Sub); !got.Enabled {
		t.Error("not enabled again")
	}
	if f, _ := td.store.GetFamily(ctx, p.ID, "fam"); f.RevokedAt.IsZero() {
		t.Error("enabling brought the tokens back")
	}
	wantKind(t, td.SetUserEnabled(ctx, p.ID, "no-such-sub", false), KindUserNotFound)
}

// TestListUsersIndexed: filters on username, email, phone_number and sub
// read an index range; they find the same users as the scan would, each
// once at any page size, with Match's exact case.
func TestListUsersIndexed(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil) // usernames ignore case
	td.scanBudget = 3    // the email index is case-folded: mismatches cost budget, not correctness
	emails := []string{"al@a.example", "Al@A.example", "alice@a.example", "AL.b@a.example", "bo@a.example", "al@a.example", "ALF@a.example"}
	subOf := map[string]string{}
	for i, e := range emails {
		u, err := td.CreateUser(ctx, p, NewUser{Username: fmt.Sprintf("User%d", i),
			Attributes: map[string]string{"email": e, "phone_number": fmt.Sprintf("+1555%d", i%3)}})
		if err != nil {
			t.Fatal(err)
		}
		subOf[u.Username] = u.Sub
	}
	if _, err := td.CreateUser(ctx, p, NewUser{Username: "nomail"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{`email ^= "al"`, []string{"User0", "User2", "User5"}},
		{`email ^= "Al"`, []string{"User1"}},
		{`email ^= "AL"`, []string{"User3", "User6"}},
		{`email = "al@a.example"`, []string{"User0", "User5"}},
		{`email = "al@a.exampl"`, nil},
		{`email ^= ""`, []string{"User0", "User1", "User2", "User3", "User4", "User5", "User6"}},
		{`phone_number = "+15551"`, []string{"User1", "User4"}},
		{`phone_number ^= "+1555"`, []string{"User0", "User1", "User2", "User3", "User4", "User5", "User6"}},
		{`username ^= "User"`, []string{"User0", "User1", "User2", "User3", "User4", "User5", "User6"}},
		{`username ^= "user"`, nil},
		{`username = "User4"`, []string{"User4"}},
		{`sub = "` + subOf["User3"] + `"`, []string{"User3"}},
		{`sub ^= "` + subOf["User3"][:8] + `"`, []string{"User3"}},
	} {
		f, err := ParseUserFilter(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := f.keyRange(p); !ok {
			t.Fatalf("%s: no index", tt.filter)
		}
		for _, limit := range []int{1, 2, 60} {
			var got []string
			after := ""
			for calls := 0; ; calls++ {
				users, next, err := td.ListUsers(ctx, p.ID, f, after, limit)
				if err != nil || len(users) > limit || calls > 20 {
					t.Fatalf("%s limit %d: %d users, %v", tt.filter, limit, len(users), err)
				}
				for _, u := range users {
					got = append(got, u.Username)
				}
				if next == "" {
					break
				}
				after = next
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s limit %d: %v, want %v", tt.filter, limit, got, tt.want)
			}
		}
	}
	_, _, err := td.ListUsers(ctx, p.ID, UserFilter{Attribute: "email", Value: "x"}, "not-a-cursor", 10)
	wantKind(t, err, KindInvalidParameter)
}
