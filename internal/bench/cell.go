package bench

import (
	"context"
	"time"
)

// benchTarget is a started target as Run drives it: served in this process
// with the clients beside it (inProcess), or served and loaded by processes
// of their own through the real path (real.go).
type benchTarget interface {
	// decodesChunks says whether the target decodes aws-chunked bodies,
	// that is whether it has rows for VariantDefault.
	decodesChunks() bool
	// prepare writes the objects a GET workload reads.
	prepare(ctx context.Context, w Workload, clients int) error
	// measure is one cell: clients concurrent clients running w with the
	// payload variant for d.
	measure(ctx context.Context, w Workload, variant string, clients int, d time.Duration) (sample, error)
	// stop stops the target and removes what it left.
	stop()
}

// inProcess is a target served in this process, loaded by clients in this
// process.
type inProcess struct{ t *target }

var _ benchTarget = inProcess{}

func (p inProcess) decodesChunks() bool { return p.t.chunks }

func (p inProcess) prepare(ctx context.Context, w Workload, clients int) error {
	return prepare(ctx, p.t.client(VariantUnsigned), w, clients)
}

func (p inProcess) measure(ctx context.Context, w Workload, variant string, clients int, d time.Duration) (sample, error) {
	return run(ctx, p.t.client(variant), w, clients, d), nil
}

func (p inProcess) stop() { p.t.close() }
