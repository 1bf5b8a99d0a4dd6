package store

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
)

// getMeta reads meta key key through a fresh read transaction.
func getMeta(t *testing.T, k *dirKV, key string) string {
	t.Helper()
	var got string
	if err := k.view(func(tx kvTx) error { got = string(tx.get(tableMeta, []byte(key))); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestDirGroupCommitConcurrent: many writers, each incrementing one
// counter and writing a key of its own, share groups; some updates fail
// on their own (after writing); small checkpoints rotate the log under
// the load. Every acknowledged update is there, before and after a crash,
// and nothing of a failed one: the counter equals the acknowledged
// updates.
func TestDirGroupCommitConcurrent(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	k := s.kv.(*dirKV)
	k.checkpointBytes = 1 << 10
	errOwn := errors.New("the update's own failure")
	const writers, each = 24, 20
	errs := make([][]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		errs[w] = make([]error, each)
		wg.Go(func() {
			for i := range each {
				errs[w][i] = k.update(func(tx kvTx) error {
					n, _ := strconv.Atoi(string(tx.get(tableMeta, []byte("n"))))
					if err := tx.put(tableMeta, []byte("n"), []byte(strconv.Itoa(n+1))); err != nil {
						return err
					}
					if err := tx.put(tableMeta, []byte(fmt.Sprint("w", w, "-", i)), []byte("v")); err != nil {
						return err
					}
					if (w+i)%5 == 0 {
						return errOwn
					}
					return nil
				})
			}
		})
	}
	wg.Wait()
	acked, failed := 0, 0
	for w := range writers {
		for i, err := range errs[w] {
			switch {
			case err == nil:
				acked++
			case errors.Is(err, errOwn) && (w+i)%5 == 0:
				failed++
			default:
				t.Fatalf("update w%d-%d: %v", w, i, err)
			}
		}
	}
	if failed == 0 || acked == 0 {
		t.Fatalf("%d updates acknowledged, %d failed: want both", acked, failed)
	}
	if k.wal.seg == 1 {
		t.Error("the log never moved to a new segment: the test does not checkpoint")
	}
	check := func(k *dirKV) {
		t.Helper()
		if got := getMeta(t, k, "n"); got != strconv.Itoa(acked) {
			t.Errorf("counter %s, want %d (acknowledged updates)", got, acked)
		}
		for w := range writers {
			for i, err := range errs[w] {
				if got := getMeta(t, k, fmt.Sprint("w", w, "-", i)); (got != "") != (err == nil) {
					t.Errorf("w%d-%d present %v, its update returned %v", w, i, got != "", err)
				}
			}
		}
	}
	check(k)
	crash(t, s)
	check(openDir(t, dir).kv.(*dirKV))
}
