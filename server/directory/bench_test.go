package directory

import "testing"

// BenchmarkCheckPassword is one sign-in's password check with the default
// parameters (make bench): the bound on password sign-ins per core.
func BenchmarkCheckPassword(b *testing.B) {
	hash, err := HashPassword("Correct-Horse-1", DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := CheckPassword(hash, "Correct-Horse-1", DefaultArgon2); !ok {
			b.Fatal("password refused")
		}
	}
}

func BenchmarkCheckPasswordParallel(b *testing.B) {
	hash, err := HashPassword("Correct-Horse-1", DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _ := CheckPassword(hash, "Correct-Horse-1", DefaultArgon2); !ok {
				b.Error("password refused")
				return
			}
		}
	})
}
