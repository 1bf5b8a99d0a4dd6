package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

var errInjected = errors.New("injected sync failure")

// syncCall is one sync the test holds: it returns what release gets
// (nil: a real fdatasync).
type syncCall struct{ release chan error }

// holdSyncs makes every log sync of k wait for the test: each one is sent
// on the returned channel and returns when released.
func holdSyncs(k *dirKV) chan *syncCall {
	calls := make(chan *syncCall)
	k.syncData = func(fd int) error {
		c := &syncCall{release: make(chan error)}
		calls <- c
		if err := <-c.release; err != nil {
			return err
		}
		return unix.Fdatasync(fd)
	}
	return calls
}

// getMeta reads meta key key through a fresh read transaction.
func getMeta(t *testing.T, k *dirKV, key string) string {
	t.Helper()
	var got string
	if err := k.view(func(tx kvTx) error { got = string(tx.get(tableMeta, []byte(key))); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func putMeta(key, val string) func(kvTx) error {
	return func(tx kvTx) error { return tx.put(tableMeta, []byte(key), []byte(val)) }
}

// TestDirGroupPipeline holds two groups in flight: group A's sync waits
// while group B, formed over A's writes, is written and synced. Readers
// see neither until both are durable; a later sync covers the earlier
// group; a failed sync fails both (B was formed over A); after a crash
// the store holds exactly what was acknowledged, also when B's record
// was torn.
func TestDirGroupPipeline(t *testing.T) {
	cases := []struct {
		name       string
		aFirst     bool  // A's sync returns first (else B's)
		failA      error // A's sync
		failB      error // B's sync
		tornB      bool  // crash (copy the files) with B's record cut short
		wantA      error
		wantB      error
		wantStored bool // a and b after the end and after a crash
	}{
		{name: "later sync covers the earlier", wantStored: true},
		{name: "later sync fails", failB: errInjected, wantA: errInjected, wantB: errInjected},
		{name: "earlier sync first", aFirst: true, wantStored: true},
		{name: "earlier sync fails", aFirst: true, failA: errInjected, wantA: errInjected, wantB: errInjected},
		{name: "torn last group", tornB: true, wantStored: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir)
			k := s.kv.(*dirKV)
			k.minOverlap = 1
			calls := holdSyncs(k)
			errA, errB := make(chan error, 1), make(chan error, 1)
			go func() { errA <- k.update(putMeta("a", "1")) }()
			callA := <-calls
			if got := getMeta(t, k, "a"); got != "" {
				t.Errorf("a = %q while its group syncs, want it unseen", got)
			}
			go func() {
				errB <- k.update(func(tx kvTx) error {
					return tx.put(tableMeta, []byte("b"), []byte("saw "+string(tx.get(tableMeta, []byte("a")))))
				})
			}()
			callB := <-calls
			k.mu.Lock()
			inFlight := len(k.flight)
			bOff, bEnd := k.flight[len(k.flight)-1].off, k.wal.size
			k.mu.Unlock()
			if inFlight != 2 {
				t.Fatalf("%d groups in flight, want 2", inFlight)
			}
			if c.tornB {
				copyTorn(t, dir, k.wal.seg, bOff, bEnd)
			}
			// Later first: B's sync covers A's record too.
			if !c.aFirst {
				callB.release <- c.failB
				if err := <-errB; !errors.Is(err, c.wantB) || (err == nil) != (c.wantB == nil) {
					t.Errorf("B: %v, want %v", err, c.wantB)
				}
				// A's caller runs A's sync, still held; A is settled.
				if got, want := getMeta(t, k, "a"), map[bool]string{true: "1"}[c.wantA == nil]; got != want {
					t.Errorf("a = %q while A's own sync is held, want %q", got, want)
				}
				callA.release <- nil
				if err := <-errA; !errors.Is(err, c.wantA) || (err == nil) != (c.wantA == nil) {
					t.Errorf("A: %v, want %v", err, c.wantA)
				}
			} else {
				callA.release <- c.failA
				if err := <-errA; !errors.Is(err, c.wantA) || (err == nil) != (c.wantA == nil) {
					t.Errorf("A: %v, want %v", err, c.wantA)
				}
				if got := getMeta(t, k, "b"); got != "" {
					t.Errorf("b = %q with B's sync held, want it unseen", got)
				}
				callB.release <- nil // B's caller runs B's sync
				if err := <-errB; !errors.Is(err, c.wantB) || (err == nil) != (c.wantB == nil) {
					t.Errorf("B (formed over A): %v, want %v", err, c.wantB)
				}
			}
			checkAB := func(k *dirKV, stored bool) {
				t.Helper()
				wantA, wantB := "", ""
				if stored {
					wantA, wantB = "1", "saw 1"
				}
				if got := getMeta(t, k, "a"); got != wantA {
					t.Errorf("a = %q, want %q", got, wantA)
				}
				if got := getMeta(t, k, "b"); got != wantB {
					t.Errorf("b = %q, want %q", got, wantB)
				}
			}
			checkAB(k, c.wantStored)
			// Later updates work, whatever failed before.
			go func() {
				for c := range calls {
					c.release <- nil
				}
			}()
			if err := k.update(putMeta("c", "after")); err != nil {
				t.Fatalf("an update after: %v", err)
			}
			crash(t, s)
			close(calls)
			s = openDir(t, dir)
			checkAB(s.kv.(*dirKV), c.wantStored)
			if got := getMeta(t, s.kv.(*dirKV), "c"); got != "after" {
				t.Errorf("c after the crash = %q, want %q", got, "after")
			}
			if c.tornB {
				// The copy crashed with A synced and B torn: A only.
				s2 := openDir(t, dir+"-copy")
				k2 := s2.kv.(*dirKV)
				if got := getMeta(t, k2, "a"); got != "1" {
					t.Errorf("a after a crash that tore B = %q, want %q", got, "1")
				}
				if got := getMeta(t, k2, "b"); got != "" {
					t.Errorf("b after a crash that tore its record = %q, want it absent", got)
				}
			}
		})
	}
}

// copyTorn copies what a crash would leave of the store at dir (meta.db
// and the log) to dir+"-copy", with segment seg's bytes from off cut
// short halfway to end and zeros after.
func copyTorn(t *testing.T, dir string, seg uint64, off, end int64) {
	t.Helper()
	cp := dir + "-copy"
	t.Cleanup(func() { _ = os.RemoveAll(cp) })
	for _, name := range []string{metaName, filepath.Join(walName, segmentName(seg))} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name != metaName {
			clear(data[off+(end-off)/2:])
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(cp, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(cp, name), data)
	}
}

// TestDirGroupCommitConcurrent: many writers, each incrementing one
// counter and writing a key of its own; some updates fail on their own,
// and some syncs fail (failing the groups in flight); small checkpoints
// rotate the log under the load. Every acknowledged update is there,
// before and after a crash, and nothing of a failed one: the counter
// equals the acknowledged updates.
func TestDirGroupCommitConcurrent(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	k := s.kv.(*dirKV)
	k.minOverlap = 1
	k.checkpointBytes = 16 << 10
	var syncs atomic.Int64
	k.syncData = func(fd int) error {
		if syncs.Add(1)%7 == 0 {
			return errInjected
		}
		return unix.Fdatasync(fd)
	}
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
	acked, injected := 0, 0
	for w := range writers {
		for i, err := range errs[w] {
			switch {
			case err == nil:
				acked++
			case errors.Is(err, errInjected):
				injected++
			case errors.Is(err, errOwn) && (w+i)%5 == 0:
			default:
				t.Fatalf("update w%d-%d: %v", w, i, err)
			}
		}
	}
	if injected == 0 {
		t.Fatal("no update met an injected sync failure: the test does not test failures")
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
