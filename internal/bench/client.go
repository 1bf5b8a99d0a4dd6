package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// ClientConfig is one client process of the real path (s3vpce-bench
// client): it does one thing against Endpoint and exits.
type ClientConfig struct {
	// Endpoint is the S3 endpoint URL, path style: the bucket. name of a
	// vpce endpoint inside `s3vpce exec`, or https://bare.test for bare.
	Endpoint string
	// Dial, if set, is the address every connection goes to (bare's
	// 127.0.0.1:PORT); otherwise the endpoint's name is resolved as any
	// client resolves it.
	Dial string
	// CAFile, if set, is the only CA trusted; otherwise the system's roots
	// (which `s3vpce exec` extends with the emulator's CA).
	CAFile string
	// SetPolicy puts the bench bucket policy on the bucket (both policy
	// layers evaluated) and does nothing else.
	SetPolicy bool
	// Prepare writes the objects Workload's GETs read instead of measuring.
	Prepare bool
	// AccessKeyID and SecretAccessKey sign the requests if set (what
	// `s3vpce exec` exports); otherwise the emulator's built-in key pair.
	AccessKeyID, SecretAccessKey string
	// Workload, Variant, Clients and Duration are the measurement.
	Workload, Variant string
	Clients           int
	Duration          time.Duration
}

// RunClient does what cfg says; a measurement's sample goes to out as one
// JSON object, which Run reads back.
func RunClient(ctx context.Context, cfg ClientConfig, out io.Writer) error {
	if cfg.Clients <= 0 {
		cfg.Clients = 1
	}
	hc, err := clientHTTP(cfg)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	variant := cfg.Variant
	if variant == "" || cfg.SetPolicy || cfg.Prepare {
		variant = VariantUnsigned
	}
	if err := checkVariant(variant); err != nil {
		return err
	}
	c := newClient(hc, cfg.Endpoint, variant, func(o *s3.Options) {
		if cfg.AccessKeyID != "" {
			o.Credentials = credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")
		}
	})
	if cfg.SetPolicy {
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(Bucket), Policy: aws.String(benchPolicy)}); err != nil {
			return fmt.Errorf("bench: put bucket policy: %w", err)
		}
		// Read back through the same path: the policy is in place.
		out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(Bucket)})
		if err != nil {
			return fmt.Errorf("bench: get bucket policy: %w", err)
		}
		if !strings.Contains(aws.ToString(out.Policy), vpce.DefaultEndpointID) {
			return fmt.Errorf("bench: the bucket policy read back is not the bench's: %s", aws.ToString(out.Policy))
		}
		return nil
	}
	w, ok := workloadNamed(cfg.Workload)
	if !ok {
		return fmt.Errorf("bench: unknown workload %q", cfg.Workload)
	}
	if cfg.Prepare {
		return prepare(ctx, c, w, cfg.Clients)
	}
	if cfg.Duration <= 0 {
		return fmt.Errorf("bench: duration %v", cfg.Duration)
	}
	s := run(ctx, c, w, cfg.Clients, cfg.Duration)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bench: client: %w", err)
	}
	return writeSample(out, s)
}

// checkVariant refuses a payload variant that is neither VariantUnsigned
// nor VariantDefault.
func checkVariant(v string) error {
	if v != VariantUnsigned && v != VariantDefault {
		return fmt.Errorf("bench: unknown variant %q (want %s or %s)", v, VariantUnsigned, VariantDefault)
	}
	return nil
}

// workloadNamed is the workload of Workloads called name.
func workloadNamed(name string) (Workload, bool) {
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// clientHTTP is the client process's HTTP client: HTTP/1.1 over TLS 1.2+,
// as in process.
func clientHTTP(cfg ClientConfig) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("bench: client: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("bench: client: no certificate in %s", cfg.CAFile)
		}
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{TLSClientConfig: tc, DialContext: d.DialContext, Proxy: nil,
		MaxIdleConnsPerHost: cfg.Clients * 2, IdleConnTimeout: 30 * time.Second}
	if cfg.Dial != "" {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, cfg.Dial)
		}
	}
	return &http.Client{Transport: tr}, nil
}

// bareName is the name bare's certificate is for; clients dial its
// address and send this name.
const bareName = "bare.test"

// ServeBare serves the bare target as a process of its own until ctx ends:
// gofakes3 with its memory backend and the bucket "bench", behind a TLS
// listener on addr like the in-process one (startBare), its certificate
// for bare.test from a new CA whose PEM is written to caFile. ready gets
// the listener's address once it accepts.
func ServeBare(ctx context.Context, addr, caFile string, ready func(addr string)) error {
	if !isLoopback(addr) {
		return fmt.Errorf("bench: bare: %s is not a loopback address", addr)
	}
	hs, tc, ca, err := newBare()
	if err != nil {
		return err
	}
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o644); err != nil {
		return fmt.Errorf("bench: bare: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("bench: bare: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(tls.NewListener(ln, tc)) }()
	ready(ln.Addr().String())
	select {
	case <-ctx.Done():
		return hs.Close()
	case err := <-done:
		return fmt.Errorf("bench: bare: %w", err)
	}
}

// newBare is the bare target's server: gofakes3 with its memory backend
// and the bucket, and the TLS configuration of its listener (like the
// emulator's: TLS 1.2+, HTTP/1.1, an ECDSA leaf for bare.test from a new
// CA, returned for the clients to trust).
func newBare() (*http.Server, *tls.Config, *certs.CA, error) {
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		return nil, nil, nil, fmt.Errorf("bench: bare: %w", err)
	}
	ca, err := certs.NewCA()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("bench: bare: %w", err)
	}
	leaf, err := ca.Issue(bareName)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("bench: bare: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12}
	hs := &http.Server{Handler: gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server(), ReadHeaderTimeout: 20 * time.Second}
	return hs, tc, ca, nil
}

// isLoopback says whether addr (host:port) is on 127.0.0.0/8 or ::1.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
