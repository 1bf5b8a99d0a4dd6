package emulator

import (
	"context"
	"sync"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// topologyWatchers wakes the WatchTopology loops when the topology
// snapshot is swapped. Its zero value is ready to use.
//
// A swap never waits for a watcher: each has a one-slot wake-up channel
// that notify fills if it is empty, and the watcher reads the newest
// snapshot when it wakes (the latest wins; intermediate snapshots may be
// skipped).
type topologyWatchers struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func (w *topologyWatchers) subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.subs == nil {
		w.subs = make(map[chan struct{}]struct{})
	}
	w.subs[ch] = struct{}{}
	return ch
}

func (w *topologyWatchers) unsubscribe(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.subs, ch)
}

// notify wakes every watcher without blocking; it is called by swapLocked
// after the new snapshot is stored.
func (w *topologyWatchers) notify() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs {
		select {
		case ch <- struct{}{}:
		default: // already awake: it reads the newest snapshot anyway
		}
	}
}

// WatchTopology calls fn with the current topology, then with the new one
// after every change, until ctx ends; it returns then. Calls are made from
// the calling goroutine, one at a time and in the order of the changes.
// A change made while fn runs is delivered when it returns; several such
// changes are delivered as the newest one alone. A slow fn delays only its
// own deliveries, never SetTopology.
func (s *Server) WatchTopology(ctx context.Context, fn func(*vpce.Topology)) {
	wake := s.watchers.subscribe()
	defer s.watchers.unsubscribe(wake)
	var last *vpce.Topology
	for {
		if t := s.Topology(); t != last {
			last = t
			fn(t)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
	}
}
