package store

import (
	"fmt"
	"sync"
	"testing"
)

// TestBucketReadsSeeEveryWrite: Bucket (served from the decoded-record
// cache) returns what the last committed write of the bucket record said,
// while other goroutines read concurrently; a copy it returns does not
// change the stored bucket; a deleted and re-created bucket starts afresh.
func TestBucketReadsSeeEveryWrite(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "c", Unversioned)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := s.Bucket("c"); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		for i := range 200 {
			doc := fmt.Sprintf(`{"v":%d}`, i)
			if _, err := s.UpdateBucket("c", func(b *Bucket) error { b.Policy = []byte(doc); return nil }); err != nil {
				t.Fatal(err)
			}
			b, err := s.Bucket("c")
			if err != nil || string(b.Policy) != doc {
				t.Fatalf("after write %d: policy %q, %v", i, b.Policy, err)
			}
		}
		close(stop)
		wg.Wait()
		b, _ := s.Bucket("c")
		b.Policy[0] = 'X'
		b.Config = map[string][]byte{"cors": []byte("x")}
		if again, _ := s.Bucket("c"); again.Policy[0] != '{' || again.Config != nil {
			t.Errorf("changing a returned copy changed the store: %q %v", again.Policy, again.Config)
		}
		if err := s.DeleteBucket("c"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Bucket("c"); err == nil {
			t.Error("a deleted bucket is still served")
		}
		mustBucket(t, s, "c", Unversioned)
		if b, err := s.Bucket("c"); err != nil || b.Policy != nil {
			t.Errorf("re-created bucket: %+v, %v", b, err)
		}
	})
}
