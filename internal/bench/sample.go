package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// wireSample is a sample as a client process prints it on stdout (one JSON
// object) and the parent reads it back: every latency, in nanoseconds, so
// that the parent's percentiles are over all rounds as in process.
type wireSample struct {
	Ops         int     `json:"ops"`
	Errors      int     `json:"errors"`
	Bytes       int64   `json:"bytes"`
	ElapsedNS   int64   `json:"elapsed_ns"`
	LatenciesNS []int64 `json:"latencies_ns"`
	FirstError  string  `json:"first_error,omitempty"`
}

// writeSample writes s as the client process's JSON line.
func writeSample(w io.Writer, s sample) error {
	ws := wireSample{Ops: s.ops, Errors: s.errors, Bytes: s.bytes, ElapsedNS: int64(s.elapsed), LatenciesNS: make([]int64, len(s.latencies))}
	for i, l := range s.latencies {
		ws.LatenciesNS[i] = int64(l)
	}
	if s.firstErr != nil {
		ws.FirstError = s.firstErr.Error()
	}
	if err := json.NewEncoder(w).Encode(ws); err != nil {
		return fmt.Errorf("bench: write sample: %w", err)
	}
	return nil
}

// parseSample reads what writeSample wrote: one JSON object and nothing
// after it but white space. A sample that cannot be one (negative counts,
// no elapsed time, a latency count other than ops) is an error.
func parseSample(data []byte) (sample, error) {
	var ws wireSample
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ws); err != nil {
		return sample{}, fmt.Errorf("bench: client sample: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return sample{}, errors.New("bench: client sample: data after the JSON object")
	}
	switch {
	case ws.Ops < 0 || ws.Errors < 0 || ws.Bytes < 0:
		return sample{}, fmt.Errorf("bench: client sample: negative count (ops %d, errors %d, bytes %d)", ws.Ops, ws.Errors, ws.Bytes)
	case ws.ElapsedNS <= 0:
		return sample{}, fmt.Errorf("bench: client sample: elapsed %dns", ws.ElapsedNS)
	case len(ws.LatenciesNS) != ws.Ops:
		return sample{}, fmt.Errorf("bench: client sample: %d latencies for %d operations", len(ws.LatenciesNS), ws.Ops)
	case (ws.Errors > 0) != (ws.FirstError != ""):
		return sample{}, fmt.Errorf("bench: client sample: %d errors, first error %q", ws.Errors, ws.FirstError)
	}
	s := sample{ops: ws.Ops, errors: ws.Errors, bytes: ws.Bytes, elapsed: time.Duration(ws.ElapsedNS), latencies: make([]time.Duration, len(ws.LatenciesNS))}
	for i, l := range ws.LatenciesNS {
		if l < 0 {
			return sample{}, fmt.Errorf("bench: client sample: latency %d: %dns", i, l)
		}
		s.latencies[i] = time.Duration(l)
	}
	if ws.FirstError != "" {
		s.firstErr = errors.New(ws.FirstError)
	}
	return s, nil
}
