package bounded

import (
	"strconv"
	"sync"
	"testing"
)

func TestMap(t *testing.T) {
	tests := []struct {
		name  string
		m     *Map[string, int]
		limit int
	}{
		{"limit 3", New[string, int](3), 3},
		{"zero Map", &Map[string, int]{}, 0},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 10 {
				tt.m.Store(strconv.Itoa(i), i)
			}
			tt.m.Store("0", 100) // already held: kept as it was
			if got := tt.m.Len(); got != tt.limit {
				t.Errorf("Len = %d, want %d", got, tt.limit)
			}
			for i := range 10 {
				v, ok := tt.m.Load(strconv.Itoa(i))
				if want := i < tt.limit; ok != want || (ok && v != i) {
					t.Errorf("Load(%d) = %d, %v; want %d, %v", i, v, ok, i, want)
				}
			}
		})
	}
}

// TestMapConcurrent checks that concurrent stores never overfill the Map
// by more than the racing stores (run with -race).
func TestMapConcurrent(t *testing.T) {
	const limit, workers = 64, 8
	m := New[int, int](limit)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range 1000 {
				m.Store(w*1000+i, i)
			}
		})
	}
	wg.Wait()
	if n := m.Len(); n < limit || n > limit+workers {
		t.Errorf("Len = %d, want %d to %d", n, limit, limit+workers)
	}
}
