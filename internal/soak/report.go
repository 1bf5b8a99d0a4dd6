package soak

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run. Latencies are in milliseconds, sizes in
// bytes, RSS in KiB.
type Report struct {
	Endpoint        string  `json:"endpoint"`
	Bucket          string  `json:"bucket"`
	Prefix          string  `json:"prefix"`
	Clients         int     `json:"clients"`
	Seed            uint64  `json:"seed"`
	DurationSeconds float64 `json:"duration_seconds"` // asked for
	ElapsedSeconds  float64 `json:"elapsed_seconds"`  // first operation to last

	Ops          int64   `json:"ops"`
	OpsPerSecond float64 `json:"ops_per_second"`
	BytesWritten int64   `json:"bytes_written"`
	BytesRead    int64   `json:"bytes_read"`
	MiBPerSecond float64 `json:"mib_per_second"` // written plus read

	Errors       int64             `json:"errors"`
	ErrorsByCode map[string]int64  `json:"errors_by_code"`
	ErrorSamples map[string]string `json:"error_samples"` // code -> the first such error

	// Mismatches counts everything read that differs from what was
	// written: body bytes and lengths, ETags, listings, deleted objects
	// still readable. It must be 0.
	Mismatches       int64            `json:"mismatches"`
	MismatchesByKind map[string]int64 `json:"mismatches_by_kind"`
	MismatchSamples  []string         `json:"mismatch_samples"`

	// PutModes counts PUT requests on the wire by payload mode
	// (x-amz-content-sha256, aws-chunked and its trailer, presigned).
	PutModes map[string]int64 `json:"put_modes"`
	// AWSChunkedTrailerPuts is how many of them had an aws-chunked body
	// with a trailing checksum.
	AWSChunkedTrailerPuts int64 `json:"aws_chunked_trailer_puts"`

	PerOp []OpReport `json:"per_op"`

	RSS *RSSReport `json:"rss,omitempty"`

	CleanupError string `json:"cleanup_error,omitempty"`
}

// OpReport is one operation's line of the report. Latencies are of the
// successful operations.
type OpReport struct {
	Op           string           `json:"op"`
	Count        int64            `json:"count"`
	OpsPerSecond float64          `json:"ops_per_second"`
	Errors       int64            `json:"errors"`
	ErrorsByCode map[string]int64 `json:"errors_by_code,omitempty"`
	Bytes        int64            `json:"bytes"`
	MiBPerSecond float64          `json:"mib_per_second"`
	P50ms        float64          `json:"p50_ms"`
	P99ms        float64          `json:"p99_ms"`
	MaxMs        float64          `json:"max_ms"`
}

// RSSReport is a process's VmRSS over the run.
type RSSReport struct {
	PID       int         `json:"pid"`
	Samples   []RSSSample `json:"samples"`
	StartKiB  int64       `json:"start_kib"`
	MiddleKiB int64       `json:"middle_kib"`
	EndKiB    int64       `json:"end_kib"`
	MaxKiB    int64       `json:"max_kib"`
	Err       string      `json:"error,omitempty"`
}

// RSSSample is one reading, Seconds after sampling began.
type RSSSample struct {
	Seconds float64 `json:"seconds"`
	KiB     int64   `json:"kib"`
}

// Op returns the line of op, and whether it ran.
func (r *Report) Op(op string) (OpReport, bool) {
	for _, o := range r.PerOp {
		if o.Op == op {
			return o, true
		}
	}
	return OpReport{}, false
}

// fill computes the totals and per-operation lines from a merged recorder.
func (r *Report) fill(rec *recorder, elapsed time.Duration) {
	r.ElapsedSeconds = elapsed.Seconds()
	secs := max(elapsed.Seconds(), 1e-9)
	r.ErrorsByCode = map[string]int64{}
	r.ErrorSamples = rec.errorSamples
	r.MismatchesByKind = rec.mismatches
	r.MismatchSamples = rec.mismatchSamples
	for _, n := range rec.mismatches {
		r.Mismatches += n
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for _, name := range Ops() {
		s, ok := rec.ops[name]
		if !ok {
			continue
		}
		lat := sortedCopy(s.latencies)
		o := OpReport{Op: name, Count: s.count, OpsPerSecond: float64(s.count) / secs, Bytes: s.bytes,
			MiBPerSecond: float64(s.bytes) / (1 << 20) / secs,
			P50ms:        ms(percentile(lat, 5000)), P99ms: ms(percentile(lat, 9900))}
		if len(lat) > 0 {
			o.MaxMs = ms(lat[len(lat)-1])
		}
		if len(s.errors) > 0 {
			o.ErrorsByCode = s.errors
		}
		for c, n := range s.errors {
			o.Errors += n
			r.ErrorsByCode[c] += n
		}
		r.Errors += o.Errors
		r.Ops += s.count
		if strings.HasPrefix(name, "Put") || name == OpMultipartUpload {
			r.BytesWritten += s.bytes
		} else {
			r.BytesRead += s.bytes
		}
		r.PerOp = append(r.PerOp, o)
	}
	r.OpsPerSecond = float64(r.Ops) / secs
	r.MiBPerSecond = float64(r.BytesWritten+r.BytesRead) / (1 << 20) / secs
}

// WriteText writes the report as readable text tables.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "s3vpce soak: %d clients for %s (%.1f s elapsed), seed %d\n", r.Clients,
		time.Duration(r.DurationSeconds*float64(time.Second)), r.ElapsedSeconds, r.Seed)
	fmt.Fprintf(&b, "endpoint %s, bucket %s, prefix %s\n\n", r.Endpoint, r.Bucket, r.Prefix)
	fmt.Fprintf(&b, "operations      %d (%.1f ops/s), %d errors\n", r.Ops, r.OpsPerSecond, r.Errors)
	fmt.Fprintf(&b, "data            %s written, %s read (%.1f MiB/s)\n", mib(r.BytesWritten), mib(r.BytesRead), r.MiBPerSecond)
	fmt.Fprintf(&b, "byte mismatches %d\n", r.Mismatches)
	fmt.Fprintf(&b, "aws-chunked PUTs with a trailing checksum: %d\n\n", r.AWSChunkedTrailerPuts)

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tcount\tops/s\terrors\tMiB/s\tp50 ms\tp99 ms\tmax ms\t")
	for _, o := range r.PerOp {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%d\t%.2f\t%.1f\t%.1f\t%.1f\t\n", o.Op, o.Count, o.OpsPerSecond, o.Errors,
			o.MiBPerSecond, o.P50ms, o.P99ms, o.MaxMs)
	}
	tw.Flush()

	b.WriteString("\nPUT requests on the wire by payload mode:\n")
	for _, k := range slices.Sorted(maps.Keys(r.PutModes)) {
		fmt.Fprintf(&b, "  %8d  %s\n", r.PutModes[k], k)
	}

	if len(r.ErrorsByCode) > 0 {
		b.WriteString("\nerrors by code:\n")
		for _, c := range slices.Sorted(maps.Keys(r.ErrorsByCode)) {
			var by []string
			for _, o := range r.PerOp {
				if n := o.ErrorsByCode[c]; n > 0 {
					by = append(by, fmt.Sprintf("%s %d", o.Op, n))
				}
			}
			fmt.Fprintf(&b, "  %8d  %s (%s)\n            first: %s\n", r.ErrorsByCode[c], c, strings.Join(by, ", "), r.ErrorSamples[c])
		}
	}
	if r.Mismatches > 0 {
		b.WriteString("\nMISMATCHES by kind:\n")
		for _, k := range slices.Sorted(maps.Keys(r.MismatchesByKind)) {
			fmt.Fprintf(&b, "  %8d  %s\n", r.MismatchesByKind[k], k)
		}
		for _, s := range r.MismatchSamples {
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	if r.RSS != nil {
		fmt.Fprintf(&b, "\nRSS of pid %d (VmRSS, %d samples): start %s, middle %s, end %s, max %s\n", r.RSS.PID,
			len(r.RSS.Samples), kib(r.RSS.StartKiB), kib(r.RSS.MiddleKiB), kib(r.RSS.EndKiB), kib(r.RSS.MaxKiB))
		if r.RSS.Err != "" {
			fmt.Fprintf(&b, "  sampling stopped: %s\n", r.RSS.Err)
		}
	}
	if r.CleanupError != "" {
		fmt.Fprintf(&b, "\ncleanup: %s\n", r.CleanupError)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
func kib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/1024) }
