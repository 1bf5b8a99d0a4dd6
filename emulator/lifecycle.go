package emulator

import (
	"context"
	"sync"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3api"
)

// DefaultLifecycleDay is S3's lifecycle day.
const DefaultLifecycleDay = 24 * time.Hour

// lifecycleDay is the length of the Server's lifecycle day; 0 when no
// worker runs.
func (s *Server) lifecycleDay() time.Duration {
	switch d := s.opts.LifecycleDay; {
	case d < 0:
		return 0
	case d == 0:
		return DefaultLifecycleDay
	default:
		return d
	}
}

// lifecyclePeriod is how often the worker makes a pass: a tenth of a day,
// at most an hour, so a rule acts within that much of its due time.
func lifecyclePeriod(day time.Duration) time.Duration {
	return max(min(day/10, time.Hour), 10*time.Millisecond)
}

// RunLifecycle applies every bucket's lifecycle rules once, as of now,
// with the Server's lifecycle day (Options.LifecycleDay; 24 hours when it
// is negative): what the background worker does on each tick. Tests call
// it with a chosen now instead of waiting.
func (s *Server) RunLifecycle(ctx context.Context, now time.Time) (s3api.LifecycleResult, error) {
	day := s.lifecycleDay()
	if day == 0 {
		day = DefaultLifecycleDay
	}
	return s.compat.RunLifecycle(ctx, now, day)
}

// startLifecycle starts the lifecycle worker and returns the function that
// stops it and waits for it; nil when Options.LifecycleDay turns it off.
func (s *Server) startLifecycle() func() {
	day := s.lifecycleDay()
	if day == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(lifecyclePeriod(day))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			res, err := s.compat.RunLifecycle(ctx, s.now(), day)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("lifecycle pass", "err", err)
			}
			if res != (s3api.LifecycleResult{}) {
				s.log.Info("lifecycle pass", "expired", res.Expired, "noncurrent_removed", res.NoncurrentRemoved,
					"markers_removed", res.MarkersRemoved, "uploads_aborted", res.UploadsAborted)
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
