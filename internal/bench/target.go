package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Bucket is the bucket every target serves.
const Bucket = "bench"

// benchPolicy is the bucket policy of the s3vpce targets: requests must come
// through the endpoint (they do), so both policy layers are evaluated.
const benchPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",` +
	`"Resource":["arn:aws:s3:::bench","arn:aws:s3:::bench/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"` + vpce.DefaultEndpointID + `"}}}]}`

// target is one server under load.
type target struct {
	name   string
	chunks bool // decodes aws-chunked bodies (the SDK's default checksums)
	client func(variant string) *s3.Client
	close  func()
}

// Target names.
const (
	TargetBare    = "bare"
	TargetMemory  = "memory"
	TargetDir     = "dir"
	TargetAuthOff = "authoff"
)

// startTarget starts the named target on loopback.
func startTarget(ctx context.Context, name string, clients int, up *sharedUpstream) (*target, error) {
	switch name {
	case TargetUpstream, TargetViaUpstream:
		return startUpstreamTarget(ctx, name, clients, up)
	case TargetBare:
		return startBare(clients)
	case TargetMemory, TargetDir, TargetAuthOff:
		opts := emulator.Options{Buckets: []string{Bucket}, BucketPolicies: map[string]string{Bucket: benchPolicy}, DNSAddr: "off",
			AuthOff: name == TargetAuthOff}
		var dir string
		if name == TargetDir {
			d, err := os.MkdirTemp("", "s3vpce-bench-")
			if err != nil {
				return nil, fmt.Errorf("bench: %w", err)
			}
			dir, opts.DataDir = d, d
		}
		t, err := startEmulator(ctx, name, opts, clients)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		t.close = func() { t.srv.Close(); os.RemoveAll(dir) }
		return t.target, nil
	}
	return nil, fmt.Errorf("bench: unknown target %q (want %s, %s, %s, %s, %s or %s)", name, TargetBare, TargetMemory, TargetDir, TargetAuthOff, TargetUpstream, TargetViaUpstream)
}

// emulatorTarget is a target served by an emulator.
type emulatorTarget struct {
	*target
	srv *emulator.Server
}

// startEmulator starts an emulator with opts and returns it as a target;
// its close closes the emulator.
func startEmulator(ctx context.Context, name string, opts emulator.Options, clients int) (emulatorTarget, error) {
	srv, err := emulator.New(opts)
	if err == nil {
		err = srv.Start(ctx)
		if err != nil {
			srv.Close()
		}
	}
	if err != nil {
		return emulatorTarget{}, fmt.Errorf("bench: start %s: %w", name, err)
	}
	tr := srv.Transport()
	tr.MaxIdleConnsPerHost = clients * 2
	hc := &http.Client{Transport: tr}
	return emulatorTarget{srv: srv, target: &target{name: name, chunks: true,
		client: func(variant string) *s3.Client { return newClient(hc, srv.URL(), variant) },
		close:  func() { srv.Close() }}}, nil
}

// startBare serves gofakes3 with its memory backend behind a TLS listener
// like the emulator's: TLS 1.2+, an ECDSA leaf from the same CA code,
// HTTP/1.1.
func startBare(clients int) (*target, error) {
	hs, tc, ca, err := newBare()
	if err != nil {
		return nil, err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", tc)
	if err != nil {
		return nil, fmt.Errorf("bench: bare: %w", err)
	}
	go hs.Serve(ln)
	addr := ln.Addr().String()
	d := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     30 * time.Second,
	}
	hc := &http.Client{Transport: tr}
	return &target{name: TargetBare,
		client: func(variant string) *s3.Client { return newClient(hc, "https://"+bareName, variant) },
		close:  func() { hs.Close() }}, nil
}

// Payload variants.
const (
	// VariantDefault is the SDK's default: checksums on every PUT
	// (aws-chunked body, trailing CRC32) and validated on GET.
	VariantDefault = "default"
	// VariantUnsigned is UNSIGNED-PAYLOAD with checksums only when required.
	VariantUnsigned = "unsigned"
)

// newClient is an S3 client for a target: path-style addressing (the
// baseline knows no vpce names; the emulator's URL is the endpoint's
// bucket. name, so Host routing and the certificate's SANs are exercised).
func newClient(hc *http.Client, endpoint, variant string, optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		HTTPClient:       hc,
		Credentials:      credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, ""),
		RetryMaxAttempts: 1,
	}, func(o *s3.Options) {
		if variant == VariantUnsigned {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
			o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		}
		for _, fn := range optFns {
			fn(o)
		}
	})
}
