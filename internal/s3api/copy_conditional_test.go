package s3api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestCopyConditionalConcurrent sends, for each of 200 keys, 8 concurrent
// writes with If-None-Match: * (CopyObject from one source, and
// PutObject): exactly one per key may succeed, every other one is 412
// PreconditionFailed, and the key holds the winner's bytes. The check and
// the write are one store transaction; before they were, concurrent
// copies could both pass the check.
func TestCopyConditionalConcurrent(t *testing.T) {
	const (
		keys    = 200
		writers = 8
		workers = 4 // keys raced at a time
	)
	_, c := newServer(t, "race")
	put(t, c, "race", "src", "source body")
	tests := []struct {
		name  string
		write func(ctx context.Context, key string, writer int) error
		// want is the body the winner leaves at the key.
		want func(winner int) string
	}{
		{
			name: "CopyObject",
			write: func(ctx context.Context, key string, _ int) error {
				_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("race"), Key: aws.String(key),
					CopySource: aws.String("race/src"), IfNoneMatch: aws.String("*")})
				return err
			},
			want: func(int) string { return "source body" },
		},
		{
			name: "PutObject",
			write: func(ctx context.Context, key string, writer int) error {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String(key),
					Body: strings.NewReader(fmt.Sprintf("writer %d", writer)), IfNoneMatch: aws.String("*")})
				return err
			},
			want: func(winner int) string { return fmt.Sprintf("writer %d", winner) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			// race runs the writers of one key together (released at once by
			// closing start) and returns each one's error.
			race := func(key string) []error {
				errs := make([]error, writers)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range writers {
					wg.Go(func() {
						<-start
						errs[i] = tt.write(ctx, key, i)
					})
				}
				close(start)
				wg.Wait()
				return errs
			}
			next := make(chan int)
			var mu sync.Mutex
			var failures []string
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for k := range next {
						key := fmt.Sprintf("%s/%03d", tt.name, k)
						winner, wins := -1, 0
						var problems []string
						for i, err := range race(key) {
							switch {
							case err == nil:
								winner, wins = i, wins+1
							case httpStatus(err) != 412 || !strings.HasPrefix(apiError(err), "PreconditionFailed:"):
								problems = append(problems, fmt.Sprintf("writer %d: %d %s", i, httpStatus(err), apiError(err)))
							}
						}
						if wins != 1 {
							problems = append(problems, fmt.Sprintf("%d writers succeeded, want 1", wins))
						} else if got := bodyOf(ctx, c, "race", key); got != tt.want(winner) {
							problems = append(problems, fmt.Sprintf("body %q, want the winner's %q", got, tt.want(winner)))
						}
						if len(problems) > 0 {
							mu.Lock()
							failures = append(failures, key+": "+strings.Join(problems, "; "))
							mu.Unlock()
						}
					}
				})
			}
			for k := range keys {
				next <- k
			}
			close(next)
			wg.Wait()
			for _, f := range failures {
				t.Error(f)
			}
		})
	}
}

// bodyOf reads an object's body ("error: ..." when it cannot).
func bodyOf(ctx context.Context, c *s3.Client, bucket, key string) string {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "error: " + apiError(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

// TestCopySourceIfModifiedSinceClock: a copy source's
// If-Modified-Since is ignored only when later than the emulator's clock,
// not the system's: under a clock in 2030, a date in 2030 before the clock
// and after the source's last change fails the copy with 412.
func TestCopySourceIfModifiedSinceClock(t *testing.T) {
	clock := &testClock{t: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	srv := emulatortest.New(t, emulatortest.WithBuckets("b"),
		emulatortest.WithOptions(func(o *emulator.Options) { o.Now = clock.now }))
	mustDoAt(t, srv, clock, "PUT", "/b/src", "source", 200)
	clock.set(time.Date(2030, 7, 1, 12, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		name  string
		since time.Time
		want  int
	}{
		{"after the last change, before the clock", time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), 412},
		{"after the clock: ignored", time.Date(2030, 8, 1, 0, 0, 0, 0, time.UTC), 200},
		{"before the last change", time.Date(2029, 12, 1, 0, 0, 0, 0, time.UTC), 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := doAt(t, srv, clock.now(), "PUT", "/b/dst", nil, map[string]string{
				"x-amz-copy-source":                   "/b/src",
				"x-amz-copy-source-if-modified-since": tt.since.Format(http.TimeFormat),
			})
			if r.Status != tt.want {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.want)
			}
			if tt.want == 412 && !strings.Contains(string(r.Body), "<Condition>x-amz-copy-source-If-Modified-Since</Condition>") {
				t.Errorf("412 without the failed condition: %s", r.Body)
			}
		})
	}
}
