package s3api_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
