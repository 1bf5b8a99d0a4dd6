package soak

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// progressEvery is how often Run logs its running totals.
const progressEvery = 10 * time.Second

// runner is what the clients of one run share.
type runner struct {
	o       Options
	hc      HTTPClient // the wire counter, for the presigned requests
	s3      *s3.Client
	presign *s3.PresignClient

	ops, errs, mismatches atomic.Int64
}

// Run runs the workload described by opts and returns its report. It
// returns an error when the run cannot start (bad options, no bucket) and,
// with the report of what ran, when ctx ends it early. Operations that fail
// are counted in the report, not returned.
func Run(ctx context.Context, opts Options) (Report, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return Report{}, err
	}
	hc := o.HTTPClient
	if hc == nil {
		if hc, err = newHTTPClient(o); err != nil {
			return Report{}, err
		}
	}
	wire := newWireCounter(hc)
	r := &runner{o: o, hc: wire}
	r.s3 = s3.NewFromConfig(aws.Config{
		Region:      o.Region,
		Credentials: credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, o.SessionToken),
		HTTPClient:  wire,
		// No retries: every failure is counted, none is hidden.
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		// What config.LoadDefaultConfig sets (a bare aws.Config leaves them
		// unset, which means no checksums): PUTs over HTTPS then go
		// aws-chunked with a trailing CRC32, GETs are validated.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}, func(so *s3.Options) {
		so.BaseEndpoint = aws.String(o.Endpoint)
		so.UsePathStyle = o.PathStyle
	})
	r.presign = s3.NewPresignClient(r.s3)
	if o.CreateBucket {
		if err := r.createBucket(ctx); err != nil {
			return Report{}, err
		}
	}

	rep := Report{Endpoint: o.Endpoint, Bucket: o.Bucket, Prefix: o.Prefix, Clients: o.Clients, Seed: o.Seed,
		DurationSeconds: o.Duration.Seconds()}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	var rss *RSSReport
	if o.RSSPID > 0 {
		bg.Go(func() { rss = sampleRSS(ctx, o.RSSPID, o.RSSInterval, stop) })
	}
	start := time.Now()
	bg.Go(func() { r.logProgress(ctx, start, stop) })

	clients := make([]*client, o.Clients)
	var wg sync.WaitGroup
	deadline := start.Add(o.Duration)
	for i := range clients {
		clients[i] = newClient(r, i)
		wg.Go(func() { clients[i].run(ctx, deadline) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	bg.Wait()

	all := newRecorder()
	for _, c := range clients {
		all.merge(c.rec)
	}
	rep.fill(all, elapsed)
	rep.PutModes, rep.AWSChunkedTrailerPuts = wire.snapshot()
	rep.RSS = rss
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("soak: run cut short after %s: %w", elapsed.Round(time.Millisecond), err)
	}
	if !o.Keep {
		if err := r.cleanup(ctx, clients); err != nil {
			rep.CleanupError = err.Error()
		}
	}
	return rep, nil
}

// newHTTPClient is the SDK's default HTTP client trusting the system roots
// plus CABundle, with a connection pool sized for the clients.
func newHTTPClient(o Options) (HTTPClient, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if o.CABundle != "" {
		pem, err := os.ReadFile(o.CABundle)
		if err != nil {
			return nil, fmt.Errorf("soak: CA bundle: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("soak: CA bundle %s: no PEM certificates", o.CABundle)
		}
	}
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.RootCAs = pool
		tr.MaxIdleConnsPerHost = 2 * o.Clients
	}), nil
}

func (r *runner) createBucket(ctx context.Context) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(r.o.Bucket)}
	if r.o.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(r.o.Region)}
	}
	_, err := r.s3.CreateBucket(ctx, in)
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "BucketAlreadyOwnedByYou") {
		return fmt.Errorf("soak: create bucket %s: %w", r.o.Bucket, err)
	}
	return nil
}

func (r *runner) logProgress(ctx context.Context, start time.Time, stop <-chan struct{}) {
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			r.o.Logger.Info("soak progress", "elapsed", time.Since(start).Round(time.Second).String(),
				"ops", r.ops.Load(), "errors", r.errs.Load(), "mismatches", r.mismatches.Load())
		case <-stop:
			return
		case <-ctx.Done():
			return
		}
	}
}

// cleanup deletes every object the clients left (DeleteObjects, 1,000 keys a
// request).
func (r *runner) cleanup(ctx context.Context, clients []*client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var errs []error
	for _, c := range clients {
		var ids []types.ObjectIdentifier
		for k := range c.live {
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
		}
		for k := range c.uncertain {
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
		}
		for len(ids) > 0 {
			batch := ids[:min(len(ids), 1000)]
			ids = ids[len(batch):]
			out, err := r.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(r.o.Bucket),
				Delete: &types.Delete{Objects: batch, Quiet: aws.Bool(true)}})
			if err != nil {
				errs = append(errs, fmt.Errorf("client %d: %w", c.id, err))
				continue
			}
			for _, e := range out.Errors {
				errs = append(errs, fmt.Errorf("client %d: %s: %s", c.id, aws.ToString(e.Key), aws.ToString(e.Code)))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("soak: cleanup: %w", err)
	}
	return nil
}
