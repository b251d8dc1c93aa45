// Package storagetest is the conformance suite every storage.Store
// implementation runs, in a few lines of its own test:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return openFresh(t) })
//	}
//
// The suite pins down what storage.go promises and what callers rely on
// beyond it: which sentinel each failure wraps (ErrNotFound,
// ErrAlreadyExists, ErrConflict, tested with errors.Is), that every key is
// scoped to its pool, the cursor and limit rules of the List methods
// (results sorted by the key, strictly after the cursor, limit <= 0 means
// no limit), what each cascading delete removes, and the transaction idiom
// (commit, rollback on error, panic or Goexit, nesting, cancellation).
//
// Times are compared with time.Equal: a store keeps the instant to the
// nanosecond but need not keep the location or the monotonic reading.
// Nil and empty slices and maps are equal, since a document store cannot
// tell them apart.
package storagetest
