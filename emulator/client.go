package emulator

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Client returns an HTTP client that trusts the emulator's CA and dials the
// emulator's listener for every endpoint and private-DNS name, keeping the
// real host name for SNI and Host, so code under test uses the real vpce
// URLs unchanged. Other names are dialed normally.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport()}
}

// Transport is the RoundTripper behind Client.
func (s *Server) Transport() *http.Transport {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	s.configureTransport(tr)
	return tr
}

// configureTransport points tr at the emulator: trust in its CA and a
// dialer that sends endpoint, private-DNS and EC2 API names to its
// listener.
func (s *Server) configureTransport(tr *http.Transport) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	addr := s.Addr()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = s.CACertPool()
	tr.DialContext = func(ctx context.Context, network, hostport string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(hostport)
		if err == nil {
			if _, perr := vpce.ParseHost(host); perr == nil || ec2Region(ec2HostName(host)) != "" {
				hostport = addr
			}
		}
		return d.DialContext(ctx, network, hostport)
	}
}

// AWSConfig returns an aws-sdk-go-v2 configuration wired to the emulator:
// the first credential, the first endpoint's region, an HTTP client built
// by Transport's rules, and BaseEndpoint set to URL (the regional bucket.
// name). It reads no shared config or credential files and ignores
// AWS_CA_BUNDLE: the client is a BuildableClient trusting the emulator's
// CA, which is what LoadDefaultConfig needs when AWS_CA_BUNDLE is set.
func (s *Server) AWSConfig(ctx context.Context) (aws.Config, error) {
	return s.awsConfig(ctx, s.URL())
}

// awsConfig is AWSConfig with BaseEndpoint base.
func (s *Server) awsConfig(ctx context.Context, base string) (aws.Config, error) {
	cred := s.creds[s.defaultKey]
	hc := awshttp.NewBuildableClient().WithTransportOptions(s.configureTransport)
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(s.Topology().Endpoints()[0].Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.defaultKey, cred.secret, "")),
		config.WithHTTPClient(hc),
		config.WithBaseEndpoint(base),
		// The emulator's CA, explicitly: it takes the place of any
		// AWS_CA_BUNDLE in the environment (which the SDK would otherwise
		// parse and add on every call).
		config.WithCustomCABundle(bytes.NewReader(s.CACertPEM())),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("emulator: aws config: %w", err)
	}
	return cfg, nil
}

// EC2Config is AWSConfig for the EC2 API: the same credentials, region and
// HTTP client, with BaseEndpoint set to EC2URL, for
// ec2.NewFromConfig(cfg).
func (s *Server) EC2Config(ctx context.Context) (aws.Config, error) {
	return s.awsConfig(ctx, s.EC2URL())
}
