package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/s3vpce/s3vpce/emulator"
)

// upstreamFlags are serve's upstream mode flags (docs/upstream.md).
type upstreamFlags struct {
	url, profile, region, ca string
	pathStyle, bucketPolicy  bool
}

func (u *upstreamFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&u.url, "upstream", "", "forward every allowed S3 request to the S3 service at `URL` (http://minio:9000, https://s3.us-east-1.amazonaws.com), re-signed with the upstream credentials; objects live there (docs/upstream.md)")
	fs.StringVar(&u.profile, "upstream-profile", "", "shared config `PROFILE` of the upstream credentials (default: the standard AWS sources: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/config and credentials)")
	fs.StringVar(&u.region, "upstream-region", "", "`REGION` of the upstream's signatures (default: the topology's region)")
	fs.StringVar(&u.ca, "upstream-ca", "", "PEM `FILE` of a CA that also verifies the upstream's TLS certificate (verification is always on)")
	fs.BoolVar(&u.pathStyle, "upstream-path-style", false, "address the upstream path style (host/bucket/key); default path style except for *.amazonaws.com, which is virtual-hosted")
	fs.BoolVar(&u.bucketPolicy, "upstream-bucket-policy", false, "forward PutBucketPolicy/GetBucketPolicy/DeleteBucketPolicy/GetBucketPolicyStatus to the upstream too (the gate keeps enforcing the local copy, written through); default: bucket policies stay in s3vpce's store")
}

// options builds the emulator's upstream settings; nil without --upstream.
func (u *upstreamFlags) options(ctx context.Context) (*emulator.Upstream, error) {
	if u.url == "" {
		if u.profile != "" || u.region != "" || u.ca != "" || u.pathStyle || u.bucketPolicy {
			return nil, errors.New("--upstream-* flags need --upstream URL")
		}
		return nil, nil
	}
	var loadOpts []func(*config.LoadOptions) error
	if u.profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(u.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("--upstream: loading credentials: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, errors.New("--upstream: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --upstream-profile")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("--upstream: no usable credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --upstream-profile): %w", err)
	}
	up := &emulator.Upstream{URL: u.url, Credentials: cfg.Credentials, Region: u.region, PathStyle: u.pathStyle, BucketPolicy: u.bucketPolicy}
	if u.ca != "" {
		pem, err := os.ReadFile(u.ca)
		if err != nil {
			return nil, fmt.Errorf("--upstream-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--upstream-ca: %s holds no PEM certificate", u.ca)
		}
		up.RootCAs = pool
	}
	return up, nil
}
