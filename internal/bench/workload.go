package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Workload is one kind of traffic.
type Workload struct {
	Name string
	Size int
	// PutShare is the fraction of operations that are PUTs (1: all PUT,
	// 0: all GET of objects written beforehand).
	PutShare float64
}

// Workloads are the measured kinds of traffic.
var Workloads = []Workload{
	{Name: "put-1KiB", Size: 1 << 10, PutShare: 1},
	{Name: "get-1KiB", Size: 1 << 10, PutShare: 0},
	{Name: "put-1MiB", Size: 1 << 20, PutShare: 1},
	{Name: "get-1MiB", Size: 1 << 20, PutShare: 0},
	{Name: "mixed-1MiB", Size: 1 << 20, PutShare: 0.5},
}

// keysPerClient is how many keys each client cycles through.
const keysPerClient = 8

// sample is what one run of one workload against one target measured.
type sample struct {
	ops, errors int
	bytes       int64
	elapsed     time.Duration
	latencies   []time.Duration
	firstErr    error
	// serverCPU is the CPU time the server process used while the
	// measurement ran (the real path; 0: not known).
	serverCPU time.Duration
}

// prepare writes the objects GET workloads read.
func prepare(ctx context.Context, c *s3.Client, w Workload, clients int) error {
	body := bytes.Repeat([]byte{'g'}, w.Size)
	for i := range clients {
		for k := range keysPerClient {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String(key(w, i, k)), Body: bytes.NewReader(body)}); err != nil {
				return fmt.Errorf("bench: prepare %s: %w", w.Name, err)
			}
		}
	}
	return nil
}

func key(w Workload, client, k int) string { return fmt.Sprintf("%s/c%02d/k%d", w.Name, client, k) }

// run drives clients concurrent clients for d: each starts operations
// until d has passed and finishes the one in flight, which counts (the
// elapsed time runs until the last one ends), so that every client
// completes at least one operation however slow the machine.
func run(ctx context.Context, c *s3.Client, w Workload, clients int, d time.Duration) sample {
	deadline := time.Now().Add(d)
	body := bytes.Repeat([]byte{'p'}, w.Size)
	buf := make([][]byte, clients)
	results := make([]sample, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		buf[i] = make([]byte, 32<<10)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			r := &results[i]
			for n := 0; ctx.Err() == nil && (n == 0 || time.Now().Before(deadline)); n++ {
				k := key(w, i, n%keysPerClient)
				t0 := time.Now()
				var err error
				var moved int64
				if rng.Float64() < w.PutShare {
					_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String(k), Body: bytes.NewReader(body)})
					moved = int64(len(body))
				} else {
					var out *s3.GetObjectOutput
					if out, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(Bucket), Key: aws.String(k)}); err == nil {
						moved, err = io.CopyBuffer(io.Discard, out.Body, buf[i])
						out.Body.Close()
					}
				}
				if ctx.Err() != nil {
					break // the caller gave up: not counted
				}
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				r.ops++
				r.bytes += moved
				r.latencies = append(r.latencies, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	total := sample{elapsed: time.Since(start)}
	for _, r := range results {
		total.ops += r.ops
		total.errors += r.errors
		total.bytes += r.bytes
		total.latencies = append(total.latencies, r.latencies...)
		if total.firstErr == nil {
			total.firstErr = r.firstErr
		}
	}
	return total
}
