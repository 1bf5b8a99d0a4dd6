package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/pprof"
	"slices"
	"sort"
	"time"
)

// Config is one bench run.
type Config struct {
	// Targets, Workloads and Variants to measure (names); empty means all.
	Targets, Workloads, Variants []string
	// Clients is the number of concurrent clients (default 16).
	Clients int
	// Duration of each measurement (default 10s) and Rounds of the whole
	// alternating sequence (default 3).
	Duration time.Duration
	Rounds   int
	// Warmup, if positive, is an unrecorded measurement of that length
	// before the first of each (workload, variant, target): a new server
	// process starts cold (its heap, the decision log and the store's
	// caches filling, the collector's pacing settling) and its first
	// seconds would count against it in round one.
	Warmup time.Duration
	// Progress, if set, gets a line per measurement.
	Progress io.Writer
	// Real, if set, measures through the real path instead: every target
	// and every measurement's clients are processes of their own (real.go).
	Real *Real
}

// Row is the summary of one (workload, variant, target): medians over the
// rounds, and ratios of ops/s against the baseline target.
type Row struct {
	Workload  string  `json:"workload"`
	Variant   string  `json:"variant"`
	Target    string  `json:"target"`
	OpsPerSec float64 `json:"ops_per_sec"`
	MiBPerSec float64 `json:"mib_per_sec"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	Errors    int     `json:"errors"`
	// VsBare is OpsPerSec / bare's for the same workload and variant (0
	// when bare has no such row); VsMemory the same against the memory
	// store's.
	VsBare   float64 `json:"vs_bare,omitempty"`
	VsMemory float64 `json:"vs_memory,omitempty"`
	// VsUpstream is via-upstream's OpsPerSec / upstream's (issue 18's
	// target: >= 0.85), on the via-upstream row.
	VsUpstream float64 `json:"vs_upstream,omitempty"`
	// ServerCPUus is the server process's CPU time per operation in
	// microseconds, every thread, the median over the rounds: the real
	// path only (0 otherwise). Unlike ops/s it hardly depends on what else
	// the machine runs, so it compares servers even on a busy machine.
	ServerCPUus float64 `json:"server_cpu_us_per_op,omitempty"`
	// Rounds are the per-round ops/s.
	Rounds []float64 `json:"rounds_ops_per_sec"`
}

// Report is a run's result.
type Report struct {
	Clients  int    `json:"clients"`
	Duration string `json:"duration"`
	Rounds   int    `json:"rounds"`
	// Warmup is the unrecorded measurement before each cell's first.
	Warmup string `json:"warmup,omitempty"`
	// RealPath: measured through the real path (Config.Real).
	RealPath bool      `json:"real_path,omitempty"`
	Started  time.Time `json:"started"`
	Rows     []Row     `json:"rows"`
	// FirstErrors names the first error of each measurement that had one.
	FirstErrors []string `json:"first_errors,omitempty"`
}

func orAll(names, all []string) []string {
	if len(names) == 0 {
		return all
	}
	return names
}

// Run measures every configured combination.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Clients <= 0 {
		cfg.Clients = 16
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 3
	}
	var allWorkloads []string
	for _, w := range Workloads {
		allWorkloads = append(allWorkloads, w.Name)
	}
	targets := orAll(cfg.Targets, []string{TargetBare, TargetMemory, TargetDir, TargetAuthOff})
	workloads := orAll(cfg.Workloads, allWorkloads)
	variants := orAll(cfg.Variants, []string{VariantUnsigned, VariantDefault})
	for _, v := range variants {
		if err := checkVariant(v); err != nil {
			return nil, err
		}
	}
	byName := map[string]Workload{}
	for _, name := range workloads {
		w, ok := workloadNamed(name)
		if !ok {
			return nil, fmt.Errorf("bench: unknown workload %q (want one of %v)", name, allWorkloads)
		}
		byName[name] = w
	}
	started := map[string]benchTarget{}
	up := &sharedUpstream{} // the upstream targets' (upstream.go)
	defer func() {
		for _, t := range started {
			t.stop()
		}
		up.close()
	}()
	for _, name := range targets {
		var t benchTarget
		var err error
		// The target's goroutines (its listeners' and, from them, every
		// connection's) carry its labels: `go tool pprof -tagfocus
		// target=memory -tagignore side=client` shows one server alone.
		pprof.Do(ctx, pprof.Labels("side", "server", "target", name), func(ctx context.Context) {
			if cfg.Real != nil {
				t, err = cfg.Real.start(ctx, name)
				return
			}
			var it *target
			if it, err = startTarget(ctx, name, cfg.Clients, up); err == nil {
				t = inProcess{it}
			}
		})
		if err != nil {
			return nil, err
		}
		started[name] = t
	}
	for _, name := range workloads {
		if w := byName[name]; w.PutShare < 1 {
			for tn, t := range started {
				if err := t.prepare(ctx, w, cfg.Clients); err != nil {
					return nil, fmt.Errorf("%s: %w", tn, err)
				}
			}
		}
	}
	rep := &Report{Clients: cfg.Clients, Duration: cfg.Duration.String(), Rounds: cfg.Rounds, RealPath: cfg.Real != nil, Started: time.Now().UTC()}
	if cfg.Warmup > 0 {
		rep.Warmup = cfg.Warmup.String()
	}
	type cellKey struct{ w, v, t string }
	samples := map[cellKey][]sample{}
	for round := range cfg.Rounds {
		for _, wn := range workloads {
			for _, v := range variants {
				// Alternate: each round starts with another target.
				order := slices.Clone(targets)
				for i := 0; i < round%len(order); i++ {
					order = append(order[1:], order[0])
				}
				for _, tn := range order {
					t := started[tn]
					if v == VariantDefault && !t.decodesChunks() {
						continue
					}
					var s sample
					var err error
					pprof.Do(ctx, pprof.Labels("side", "client", "target", tn, "workload", wn, "variant", v), func(ctx context.Context) {
						warmup := cfg.Warmup
						if round > 0 {
							warmup = 0
						}
						s, err = measureCell(ctx, t, byName[wn], v, cfg.Clients, cfg.Duration, warmup)
					})
					if cerr := ctx.Err(); cerr != nil {
						return nil, cerr
					}
					if err != nil {
						return nil, fmt.Errorf("%s %s %s: %w", wn, v, tn, err)
					}
					k := cellKey{wn, v, tn}
					samples[k] = append(samples[k], s)
					if s.firstErr != nil {
						rep.FirstErrors = append(rep.FirstErrors, fmt.Sprintf("%s %s %s: %d errors, first: %v", wn, v, tn, s.errors, s.firstErr))
					}
					if cfg.Progress != nil {
						fmt.Fprintf(cfg.Progress, "round %d  %-10s %-8s %-12s %9.1f ops/s  %d errors\n", round+1, wn, v, tn, float64(s.ops)/s.elapsed.Seconds(), s.errors)
					}
				}
			}
		}
	}
	for _, wn := range workloads {
		for _, v := range variants {
			for _, tn := range targets {
				ss := samples[cellKey{wn, v, tn}]
				if len(ss) == 0 {
					continue
				}
				rep.Rows = append(rep.Rows, summarize(wn, v, tn, ss))
			}
		}
	}
	find := func(w, v, t string) *Row {
		for i := range rep.Rows {
			if r := &rep.Rows[i]; r.Workload == w && r.Variant == v && r.Target == t {
				return r
			}
		}
		return nil
	}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		if b := find(r.Workload, r.Variant, TargetBare); b != nil && b.OpsPerSec > 0 && r.Target != TargetBare {
			r.VsBare = r.OpsPerSec / b.OpsPerSec
		}
		if m := find(r.Workload, r.Variant, TargetMemory); m != nil && m.OpsPerSec > 0 && r.Target != TargetMemory && r.Target != TargetBare {
			r.VsMemory = r.OpsPerSec / m.OpsPerSec
		}
		if u := find(r.Workload, r.Variant, TargetUpstream); u != nil && u.OpsPerSec > 0 && r.Target == TargetViaUpstream {
			r.VsUpstream = r.OpsPerSec / u.OpsPerSec
		}
	}
	return rep, nil
}

// measureCell measures w with variant v against t for d, after an
// unrecorded warm-up of length warmup when it is positive.
func measureCell(ctx context.Context, t benchTarget, w Workload, v string, clients int, d, warmup time.Duration) (sample, error) {
	if warmup > 0 {
		if _, err := t.measure(ctx, w, v, clients, warmup); err != nil {
			return sample{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	return t.measure(ctx, w, v, clients, d)
}

// summarize takes the median round by ops/s, and latency percentiles over
// every round.
func summarize(w, v, t string, ss []sample) Row {
	r := Row{Workload: w, Variant: v, Target: t}
	var lat []time.Duration
	var mibs, cpus []float64
	for _, s := range ss {
		if s.serverCPU > 0 && s.ops > 0 {
			cpus = append(cpus, float64(s.serverCPU.Microseconds())/float64(s.ops))
		}
		r.Rounds = append(r.Rounds, float64(s.ops)/s.elapsed.Seconds())
		mibs = append(mibs, float64(s.bytes)/(1<<20)/s.elapsed.Seconds())
		r.Errors += s.errors
		lat = append(lat, s.latencies...)
	}
	r.OpsPerSec = median(r.Rounds)
	r.MiBPerSec = median(mibs)
	if len(cpus) == len(ss) {
		r.ServerCPUus = median(cpus)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		r.P50ms = ms(lat[len(lat)/2])
		r.P99ms = ms(lat[min(len(lat)-1, len(lat)*99/100)])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteTable prints the report as a table.
func (r *Report) WriteTable(w io.Writer) {
	path := "in one process on loopback"
	if r.RealPath {
		path = "through the real path (serve and client processes, s3vpce exec)"
	}
	warm := ""
	if r.Warmup != "" {
		warm = " after a " + r.Warmup + " warm-up each"
	}
	fmt.Fprintf(w, "%d clients, %s per measurement, %d alternating rounds (medians)%s, %s\n\n", r.Clients, r.Duration, r.Rounds, warm, path)
	// The real path adds the server process's CPU per operation.
	cpuHead, cpu := "", func(Row) string { return "" }
	if r.RealPath {
		cpuHead = fmt.Sprintf(" %10s", "srv µs/op")
		cpu = func(row Row) string {
			if row.ServerCPUus == 0 {
				return fmt.Sprintf(" %10s", "-")
			}
			return fmt.Sprintf(" %10.1f", row.ServerCPUus)
		}
	}
	fmt.Fprintf(w, "%-11s %-9s %-12s %10s %9s %8s %8s %7s %8s %9s %11s%s\n", "workload", "variant", "target", "ops/s", "MiB/s", "p50 ms", "p99 ms", "errors", "vs bare", "vs memory", "vs upstream", cpuHead)
	for _, row := range r.Rows {
		ratio := func(x float64) string {
			if x == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2fx", x)
		}
		fmt.Fprintf(w, "%-11s %-9s %-12s %10.1f %9.1f %8.2f %8.2f %7d %8s %9s %11s%s\n", row.Workload, row.Variant, row.Target,
			row.OpsPerSec, row.MiBPerSec, row.P50ms, row.P99ms, row.Errors, ratio(row.VsBare), ratio(row.VsMemory), ratio(row.VsUpstream), cpu(row))
	}
	for _, e := range r.FirstErrors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
