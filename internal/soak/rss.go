package soak

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ReadVmRSS returns the resident set size of process pid in KiB, from
// /proc/PID/status.
func ReadVmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("soak: rss: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("soak: rss: /proc/%d/status: unexpected VmRSS line %q", pid, sc.Text())
		}
		kib, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("soak: rss: /proc/%d/status: %w", pid, err)
		}
		return kib, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("soak: rss: /proc/%d/status: %w", pid, err)
	}
	return 0, fmt.Errorf("soak: rss: /proc/%d/status has no VmRSS (a kernel thread or a zombie?)", pid)
}

// sampleRSS samples pid's VmRSS at once, every interval, and once more when
// stop is closed, then returns the series. It stops at the first failed
// read and reports it.
func sampleRSS(ctx context.Context, pid int, interval time.Duration, stop <-chan struct{}) *RSSReport {
	rep := &RSSReport{PID: pid}
	start := time.Now()
	sample := func() bool {
		kib, err := ReadVmRSS(pid)
		if err != nil {
			rep.Err = err.Error()
			return false
		}
		rep.Samples = append(rep.Samples, RSSSample{Seconds: time.Since(start).Seconds(), KiB: kib})
		return true
	}
	if !sample() {
		return rep.summarize()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if !sample() {
				return rep.summarize()
			}
		case <-stop:
			sample()
			return rep.summarize()
		case <-ctx.Done():
			return rep.summarize()
		}
	}
}

// summarize fills start, middle (the sample nearest half the span), end and
// max from the samples.
func (r *RSSReport) summarize() *RSSReport {
	n := len(r.Samples)
	if n == 0 {
		return r
	}
	r.StartKiB, r.EndKiB = r.Samples[0].KiB, r.Samples[n-1].KiB
	mid := r.Samples[n-1].Seconds / 2
	best := r.Samples[0]
	for _, s := range r.Samples {
		if abs(s.Seconds-mid) < abs(best.Seconds-mid) {
			best = s
		}
		r.MaxKiB = max(r.MaxKiB, s.KiB)
	}
	r.MiddleKiB = best.KiB
	return r
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
