// Package upstream forwards S3 requests that s3vpce's gate allowed to
// another S3 service (MinIO, Ceph RGW, real S3, a second s3vpce): a new
// request to the upstream, re-signed with the upstream's credentials by
// aws-sdk-go-v2's SigV4 signer, its body streamed (never buffered whole),
// and the upstream's response streamed back with s3vpce's request IDs.
// See docs/upstream.md.
package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Options configure a Forwarder.
type Options struct {
	// URL is the upstream's base URL, e.g. "http://127.0.0.1:9000" or
	// "https://s3.us-east-1.amazonaws.com". With Handler set it only names
	// the upstream (Host and signature); empty then means
	// "http://upstream.invalid".
	URL string
	// Handler, when set, serves the forwarded requests in process instead
	// of a network round trip (tests).
	Handler http.Handler
	// Credentials sign every forwarded request; required.
	Credentials aws.CredentialsProvider
	// Region is the signature's region; required.
	Region string
	// PathStyle forces path-style requests (http://host/bucket/key).
	// Otherwise an upstream under amazonaws.com is addressed
	// virtual-hosted style (http://bucket.host/key) and any other path
	// style.
	PathStyle bool
	// RootCAs verify the upstream's TLS certificate; nil means the
	// system's pool.
	RootCAs *x509.CertPool
	// DialTimeout bounds connecting to the upstream; zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// Logger receives transport failures; nil discards.
	Logger *slog.Logger
}

// DefaultDialTimeout is how long a connection to the upstream may take.
const DefaultDialTimeout = 5 * time.Second

// Forwarder sends requests to one upstream. It is safe for concurrent use.
type Forwarder struct {
	base        *url.URL
	virtualHost bool
	creds       aws.CredentialsProvider
	region      string
	signer      *v4.Signer
	client      *http.Client
	log         *slog.Logger
	bufs        sync.Pool // *[]byte of copyBufSize: responses copied back (WriteResponse)
}

// New returns a Forwarder for opts.
func New(opts Options) (*Forwarder, error) {
	if opts.URL == "" && opts.Handler != nil {
		opts.URL = "http://upstream.invalid"
	}
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("upstream: URL %q: %w", opts.URL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("upstream: URL %q: want http(s)://host[:port][/path]", opts.URL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if opts.Credentials == nil {
		return nil, errors.New("upstream: no credentials")
	}
	if opts.Region == "" {
		return nil, errors.New("upstream: no region")
	}
	f := &Forwarder{base: u, creds: opts.Credentials, region: opts.Region, log: opts.Logger,
		virtualHost: !opts.PathStyle && isAmazonS3(u.Hostname()) && u.Path == "",
		signer:      v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })}
	f.bufs.New = func() any { b := make([]byte, copyBufSize); return &b }
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	var rt http.RoundTripper
	if opts.Handler != nil {
		rt = handlerTransport{h: opts.Handler}
	} else {
		dial := opts.DialTimeout
		if dial <= 0 {
			dial = DefaultDialTimeout
		}
		rt = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   128,
			IdleConnTimeout:       90 * time.Second,
			DisableCompression:    true, // bytes pass through as the upstream sent them
			ExpectContinueTimeout: time.Second,
			ReadBufferSize:        64 << 10,
			WriteBufferSize:       64 << 10,
		}
	}
	f.client = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f, nil
}

// isAmazonS3 reports whether host is one of AWS's own S3 names, which
// take virtual-hosted-style requests.
func isAmazonS3(host string) bool {
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")
}

// String names the upstream and its addressing style, for banners.
func (f *Forwarder) String() string {
	style := "path-style"
	if f.virtualHost {
		style = "virtual-hosted"
	}
	return fmt.Sprintf("%s (%s, region %s)", f.base, style, f.region)
}

// VirtualHosted reports whether buckets are addressed by host name.
func (f *Forwarder) VirtualHosted() bool { return f.virtualHost }

// Request is one allowed request to forward.
type Request struct {
	// Bucket and Key are what the request addresses, decoded (through an
	// access point: its bucket).
	Bucket, Key string
	// HTTP is the client's request after the gate and body decoding: its
	// method, query and headers are forwarded (less what the endpoint
	// layer owns), its Context bounds the upstream request.
	HTTP *http.Request
	// Body is the decoded, verified body; nil for none.
	Body *s3api.Body
	// PayloadHash is the client's signed x-amz-content-sha256 ("" or a
	// literal such as UNSIGNED-PAYLOAD when it was not a hex SHA-256).
	PayloadHash string
	// Trailer is the client's x-amz-trailer ("" for none).
	Trailer string
	// RequestID and HostID are s3vpce's IDs of the request.
	RequestID, HostID string
}

// Forward sends req to the upstream and streams the answer to w; it
// returns the status written (0 when the client went away first).
func (f *Forwarder) Forward(w http.ResponseWriter, req *Request) int {
	ctx, cancel := context.WithCancel(req.HTTP.Context())
	defer cancel() // stops a request body still being sent
	resp, serr := f.Do(ctx, req)
	if serr != nil {
		if req.HTTP.Context().Err() != nil {
			return 0
		}
		s3err.Write(w, req.HTTP, serr)
		return serr.Status
	}
	defer resp.Body.Close()
	f.WriteResponse(w, req.HTTP, resp, req.RequestID, req.HostID)
	return resp.StatusCode
}

// Do sends req to the upstream and returns its response, whose Body the
// caller must close. A failure is an S3 error to send: the request body's
// own verdict (BadDigest, IncompleteBody, …), else 503
// ServiceUnavailable for an upstream that cannot be reached.
func (f *Forwarder) Do(ctx context.Context, req *Request) (*http.Response, *s3err.Error) {
	out, serr := f.newRequest(ctx, req)
	if serr != nil {
		return nil, serr
	}
	resp, err := f.client.Do(out)
	if err != nil {
		return nil, f.transportError(req, err)
	}
	return resp, nil
}

// transportError turns a failed round trip into the S3 error to send.
func (f *Forwarder) transportError(req *Request, err error) *s3err.Error {
	var serr *s3err.Error
	if errors.As(err, &serr) {
		return serr // the client's body failed verification
	}
	f.log.Warn("upstream unreachable", "upstream", f.base.Host, "request_id", req.RequestID, "err", err)
	return s3err.New(http.StatusServiceUnavailable, "ServiceUnavailable",
		"Service is unable to handle request: s3vpce could not reach its upstream "+f.base.Host+".")
}
