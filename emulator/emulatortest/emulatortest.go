// Package emulatortest starts an s3vpce emulator for a Go test in one
// line, the way net/http/httptest starts a server:
//
//	srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
//	cfg := srv.AWSConfig(t)          // aws-sdk-go-v2, wired to the endpoint
//	client := s3.NewFromConfig(cfg)  // https://bucket.vpce-….s3.us-east-1.vpce.amazonaws.com
//
// The emulator listens on 127.0.0.1, needs no Docker, no DNS change and no
// network, and is closed by t.Cleanup.
package emulatortest

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/upstream/upstreamtest"
)

// Option changes the emulator's options.
type Option func(*emulator.Options)

// WithBuckets creates buckets at start.
func WithBuckets(names ...string) Option {
	return func(o *emulator.Options) { o.Buckets = append(o.Buckets, names...) }
}

// WithTopology emulates these VPCs and endpoints instead of the seed's.
func WithTopology(t *emulator.Topology) Option {
	return func(o *emulator.Options) { o.Topology = t }
}

// WithBucketPolicy sets a bucket's policy at start (the bucket is created).
func WithBucketPolicy(bucket, doc string) Option {
	return func(o *emulator.Options) {
		o.Buckets = append(o.Buckets, bucket)
		if o.BucketPolicies == nil {
			o.BucketPolicies = map[string]string{}
		}
		o.BucketPolicies[bucket] = doc
	}
}

// WithUpstream puts the emulator in upstream mode in front of an
// in-process S3 handler (such as upstreamtest's Handler): allowed
// requests are forwarded to h, signed with creds, by default
// upstreamtest's default credentials.
func WithUpstream(h http.Handler, creds ...aws.CredentialsProvider) Option {
	var c aws.CredentialsProvider = credentials.NewStaticCredentialsProvider(upstreamtest.DefaultAccessKeyID, upstreamtest.DefaultSecretAccessKey, "")
	if len(creds) > 0 {
		c = creds[0]
	}
	return func(o *emulator.Options) {
		o.Upstream = &emulator.Upstream{Handler: h, Credentials: c}
	}
}

// WithUpstreamURL puts the emulator in upstream mode in front of the S3
// service at url, signed with creds. Further upstream settings (a CA,
// path style, bucket policy forwarding) go through WithUpstreamOptions.
func WithUpstreamURL(url string, creds aws.CredentialsProvider) Option {
	return func(o *emulator.Options) {
		o.Upstream = &emulator.Upstream{URL: url, Credentials: creds}
	}
}

// WithUpstreamOptions changes the upstream settings of an earlier
// WithUpstream or WithUpstreamURL.
func WithUpstreamOptions(f func(*emulator.Upstream)) Option {
	return func(o *emulator.Options) {
		if o.Upstream == nil {
			o.Upstream = &emulator.Upstream{}
		}
		f(o.Upstream)
	}
}

// WithOptions applies any emulator option by hand.
func WithOptions(f func(*emulator.Options)) Option { return Option(f) }

// Server is a started emulator bound to a test.
type Server struct {
	*emulator.Server
	tb testing.TB
}

// New starts an emulator for tb with the given options, registers its
// Close with tb.Cleanup and fails tb if it cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var o emulator.Options
	for _, f := range opts {
		f(&o)
	}
	srv, err := emulator.New(o)
	if err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	if err := srv.Start(tb.Context()); err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("emulatortest: close: %v", err)
		}
	})
	return &Server{Server: srv, tb: tb}
}

// AWSConfig returns the emulator's aws-sdk-go-v2 configuration, failing the
// test on error.
func (s *Server) AWSConfig(tb testing.TB) aws.Config {
	tb.Helper()
	cfg, err := s.Server.AWSConfig(tb.Context())
	if err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	return cfg
}

// EC2Config returns the aws-sdk-go-v2 configuration of the emulator's EC2
// API (ec2.NewFromConfig(cfg)), failing the test on error.
func (s *Server) EC2Config(tb testing.TB) aws.Config {
	tb.Helper()
	cfg, err := s.Server.EC2Config(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// SetEndpointPolicy replaces an endpoint's policy mid-test ("" restores
// the default full-access policy); an invalid policy fails the test.
func (s *Server) SetEndpointPolicy(endpointID, doc string) {
	s.tb.Helper()
	if err := s.Server.SetEndpointPolicy(endpointID, doc); err != nil {
		s.tb.Fatalf("emulatortest: %v", err)
	}
}

// SetBucketPolicy replaces a bucket's policy mid-test ("" deletes it).
func (s *Server) SetBucketPolicy(bucket, doc string) {
	s.tb.Helper()
	if err := s.Server.SetBucketPolicy(bucket, doc); err != nil {
		s.tb.Fatalf("emulatortest: %v", err)
	}
}

// LastDecision returns the decision record of the most recent request,
// failing the test when there was none.
func (s *Server) LastDecision() *emulator.DecisionRecord {
	s.tb.Helper()
	d := s.RecentDecisions(1)
	if len(d) == 0 {
		s.tb.Fatalf("emulatortest: no request has been made")
	}
	return d[0]
}

// RequireDeniedBy fails the test unless the most recent request was denied
// by the statement with this Sid (of any policy).
func (s *Server) RequireDeniedBy(sid string) {
	s.tb.Helper()
	d := s.LastDecision()
	if d.Allowed() {
		s.tb.Fatalf("emulatortest: request %s (%s) was allowed, want denied by statement %q", d.RequestID, d.Operation, sid)
	}
	if len(d.Checks) == 0 {
		s.tb.Fatalf("emulatortest: request %s was refused with %s before any policy was evaluated, want denied by statement %q", d.RequestID, d.Error, sid)
	}
	last := d.Checks[len(d.Checks)-1].Decision
	if last.Sid != sid {
		s.tb.Fatalf("emulatortest: request %s (%s) was denied by %s, want statement %q\n%s", d.RequestID, d.Operation, last, sid, d.Explain())
	}
}

// RequireAllowed fails the test unless the most recent request was allowed.
func (s *Server) RequireAllowed() {
	s.tb.Helper()
	if d := s.LastDecision(); !d.Allowed() {
		s.tb.Fatalf("emulatortest: request %s (%s) was denied:\n%s", d.RequestID, d.Operation, d.Explain())
	}
}

// ClientFrom returns an HTTP client whose requests are made as the
// instance ref of the topology (emulator.Server.ClientFrom), failing the
// test when there is no such instance.
func (s *Server) ClientFrom(tb testing.TB, ref string) *http.Client {
	tb.Helper()
	c, err := s.Server.ClientFrom(ref)
	if err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	return c
}

// AWSConfigFrom is AWSConfig for requests made as the instance ref
// (emulator.Server.AWSConfigFrom), failing the test on error.
func (s *Server) AWSConfigFrom(tb testing.TB, ref string) aws.Config {
	tb.Helper()
	cfg, err := s.Server.AWSConfigFrom(tb.Context(), ref)
	if err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	return cfg
}
