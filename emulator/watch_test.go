package emulator

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// withEndpoint is the default topology plus one endpoint in my-vpc whose
// only ENI address is ip.
func withEndpoint(t *testing.T, id string, ip netip.Addr) *vpce.Topology {
	t.Helper()
	spec := vpce.DefaultTopology().Spec()
	e := vpce.DefaultEndpoint()
	e.ID, e.DNSSuffix = id, "abcd1234"
	e.Zones = []vpce.Zone{{Name: "us-east-1a", IP: ip}}
	spec.Endpoints = append(spec.Endpoints, e)
	topo, err := vpce.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// TestWatchTopology: the watcher gets the current topology at once, then
// each change in order; a watcher stuck in fn does not hold SetTopology
// up and, once free, gets the newest topology alone; it returns when its
// context ends.
func TestWatchTopology(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	first := s.Topology()
	second := withEndpoint(t, "vpce-0123456789abcdef0", netip.MustParseAddr("172.16.20.10"))
	third := withEndpoint(t, "vpce-0123456789abcdef1", netip.MustParseAddr("172.16.20.11"))
	fourth := withEndpoint(t, "vpce-0123456789abcdef2", netip.MustParseAddr("172.16.20.12"))

	got := make(chan *vpce.Topology)
	hold := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.WatchTopology(ctx, func(topo *vpce.Topology) {
			got <- topo
			if topo == second {
				<-hold // a slow subscriber
			}
		})
	}()
	if topo := <-got; topo != first {
		t.Fatalf("first call: %v, want the current topology", topo.Endpoints())
	}
	if err := s.SetTopology(second); err != nil {
		t.Fatal(err)
	}
	if topo := <-got; topo != second {
		t.Fatalf("after a change: %d endpoints, want the new topology", len(topo.Endpoints()))
	}
	// The watcher is stuck in fn: both swaps return regardless.
	for _, topo := range []*vpce.Topology{third, fourth} {
		if err := s.SetTopology(topo); err != nil {
			t.Fatal(err)
		}
	}
	close(hold)
	if topo := <-got; topo != fourth {
		t.Errorf("after the stuck call: %v, want the newest topology (third skipped)", topo.Endpoints()[1].ID)
	}
	cancel()
	<-done
	if err := s.SetTopology(first); err != nil {
		t.Fatal(err)
	}
	s.watchers.mu.Lock()
	n := len(s.watchers.subs)
	s.watchers.mu.Unlock()
	if n != 0 {
		t.Errorf("%d subscribers left after the watch ended", n)
	}
}

// TestWatchTopologyConcurrentSwaps: under concurrent swaps every watcher
// ends with the last topology, and never sees one older than a topology
// it was given before.
func TestWatchTopologyConcurrentSwaps(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const n = 50
	topos := make([]*vpce.Topology, n)
	order := map[*vpce.Topology]int{s.Topology(): -1}
	for i := range topos {
		topos[i] = withEndpoint(t, "vpce-0123456789abcdef0", netip.AddrFrom4([4]byte{172, 16, 30, byte(i + 1)}))
		order[topos[i]] = i
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const watchers = 4
	results := make(chan error, 2*watchers) // an error, then the end
	for range watchers {
		go func() {
			prev := -2
			s.WatchTopology(ctx, func(topo *vpce.Topology) {
				i := order[topo]
				if i <= prev {
					results <- fmt.Errorf("topology %d delivered after %d", i, prev)
				}
				prev = i
				if i == n-1 {
					results <- nil
				}
			})
		}()
	}
	for _, topo := range topos {
		if err := s.SetTopology(topo); err != nil {
			t.Fatal(err)
		}
	}
	for range watchers {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
}
