// Package soak is a load and soak workload for an S3 endpoint: N clients
// run a weighted mix of S3 operations through aws-sdk-go-v2 (aws-chunked
// PUTs with trailing checksums, UNSIGNED-PAYLOAD PUTs, full and ranged GETs,
// HEAD, ListObjectsV2, DELETE, multipart uploads, presigned PUT and GET)
// for a set duration, verify every byte read against what was written, and
// report throughput, errors by S3 error code, latency percentiles per
// operation and, optionally, a process's RSS over time.
//
// Object content is derived from (seed, key, generation), so verification
// needs no stored copy. Each client works under its own key prefix, so
// what it reads, lists and deletes is exactly what it wrote.
//
// The package talks to any S3 endpoint; it does not import the emulator.
package soak

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// HTTPClient sends HTTP requests; *http.Client satisfies it, as does the
// SDK's aws.HTTPClient.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Action is one item of the workload mix. Some actions run more than one
// operation (a delete is followed by a GET that must answer NoSuchKey, a
// multipart upload by a GET of the whole object).
type Action string

// The actions of the mix.
const (
	ActPut          Action = "put"           // PutObject, SDK default checksums (aws-chunked, trailing CRC32 over HTTPS)
	ActPutUnsigned  Action = "put-unsigned"  // PutObject with x-amz-content-sha256: UNSIGNED-PAYLOAD, no checksum
	ActPutPresigned Action = "put-presigned" // PUT to a presigned URL with plain net/http
	ActGet          Action = "get"           // GetObject of a whole object
	ActGetRange     Action = "get-range"     // GetObject with a Range
	ActGetPresigned Action = "get-presigned" // GET of a presigned URL with plain net/http
	ActHead         Action = "head"          // HeadObject
	ActList         Action = "list"          // ListObjectsV2 of the client's prefix
	ActDelete       Action = "delete"        // DeleteObject, then GetObject must answer NoSuchKey
	ActMultipart    Action = "multipart"     // 3-part upload, then GetObject of the whole object
)

// Actions lists every action in the order each client first runs them once.
func Actions() []Action {
	return []Action{ActPut, ActPutUnsigned, ActHead, ActGet, ActGetRange, ActList,
		ActPutPresigned, ActGetPresigned, ActMultipart, ActDelete}
}

// DefaultMix weighs the actions when Options.Mix is nil.
func DefaultMix() map[Action]int {
	return map[Action]int{
		ActPut: 20, ActPutUnsigned: 8, ActPutPresigned: 5,
		ActGet: 25, ActGetRange: 10, ActGetPresigned: 8,
		ActHead: 10, ActList: 5, ActDelete: 6, ActMultipart: 1,
	}
}

// MinPartSize is S3's smallest part other than the last.
const MinPartSize = 5 << 20

// Defaults of Options.
const (
	DefaultRegion           = "us-east-1"
	DefaultClients          = 4
	DefaultDuration         = 10 * time.Second
	DefaultBucket           = "soak"
	DefaultMinSize          = 1 << 10
	DefaultMaxSize          = 1 << 20
	DefaultMultipartMinSize = 2*MinPartSize + 1
	DefaultMultipartMaxSize = 20 << 20
	DefaultKeysPerClient    = 16
	DefaultOpTimeout        = 2 * time.Minute
	DefaultRSSInterval      = 10 * time.Second
)

// Options configure Run. Zero fields take the defaults above.
type Options struct {
	// Endpoint is the S3 base URL, e.g.
	// https://bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.
	Endpoint string
	// PathStyle addresses buckets in the path instead of the host name.
	PathStyle bool
	Region    string
	// AccessKeyID and SecretAccessKey (and SessionToken) sign requests.
	AccessKeyID, SecretAccessKey, SessionToken string
	// HTTPClient sends every request. When nil, a client is built that
	// trusts the system roots plus CABundle.
	HTTPClient HTTPClient
	// CABundle is a PEM file of extra trusted CAs (ignored with HTTPClient).
	CABundle string

	Bucket string
	// CreateBucket creates Bucket first; an existing bucket of ours is fine.
	CreateBucket bool
	// Prefix is put before each client's own prefix (default
	// "soak-<time>"), so runs against one bucket do not meet.
	Prefix string
	// Keep leaves the objects in place at the end (default: deleted).
	Keep bool

	Clients  int
	Duration time.Duration
	// Seed makes the key choices, sizes and content reproducible.
	Seed uint64
	// Mix weighs the actions; nil is DefaultMix. Each client first runs
	// every action of weight above 0 once (whatever Duration says), then
	// draws from Mix until Duration has passed; an action in progress is
	// finished.
	Mix map[Action]int
	// MinSize and MaxSize bound single-PUT objects (log-uniform).
	MinSize, MaxSize int64
	// MultipartMinSize and MultipartMaxSize bound multipart objects
	// (uniform); three parts, so the minimum must exceed 2*MinPartSize.
	MultipartMinSize, MultipartMaxSize int64
	// KeysPerClient is how many keys each client writes and rewrites.
	KeysPerClient int
	// OpTimeout bounds each operation (default 2m).
	OpTimeout time.Duration

	// RSSPID, when set, is a process whose VmRSS is sampled every
	// RSSInterval while the run lasts.
	RSSPID      int
	RSSInterval time.Duration

	// Logger gets progress lines and each mismatch (default: discard).
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Endpoint == "" {
		return o, errors.New("soak: no endpoint")
	}
	if u, err := url.Parse(o.Endpoint); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return o, fmt.Errorf("soak: endpoint %q: want an http(s) URL", o.Endpoint)
	}
	if o.AccessKeyID == "" || o.SecretAccessKey == "" {
		return o, errors.New("soak: no credentials")
	}
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if o.Prefix == "" {
		o.Prefix = fmt.Sprintf("soak-%s", time.Now().UTC().Format("20060102T150405.000000000"))
	}
	if o.Clients == 0 {
		o.Clients = DefaultClients
	}
	if o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	if o.Mix == nil {
		o.Mix = DefaultMix()
	}
	def(&o.MinSize, DefaultMinSize)
	def(&o.MaxSize, DefaultMaxSize)
	def(&o.MultipartMinSize, DefaultMultipartMinSize)
	def(&o.MultipartMaxSize, DefaultMultipartMaxSize)
	if o.KeysPerClient == 0 {
		o.KeysPerClient = DefaultKeysPerClient
	}
	if o.OpTimeout == 0 {
		o.OpTimeout = DefaultOpTimeout
	}
	if o.RSSInterval == 0 {
		o.RSSInterval = DefaultRSSInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case o.Clients < 0 || o.Duration < 0 || o.KeysPerClient < 0 || o.OpTimeout < 0 || o.RSSInterval < 0 || o.RSSPID < 0:
		return o, errors.New("soak: negative clients, duration, keys, timeout, RSS interval or PID")
	case o.MinSize < 1 || o.MaxSize < o.MinSize:
		return o, fmt.Errorf("soak: object sizes %d..%d: want 1 <= min <= max", o.MinSize, o.MaxSize)
	case o.MultipartMinSize <= 2*MinPartSize || o.MultipartMaxSize < o.MultipartMinSize:
		return o, fmt.Errorf("soak: multipart sizes %d..%d: want %d < min <= max (three parts, two of at least 5 MiB)", o.MultipartMinSize, o.MultipartMaxSize, 2*MinPartSize)
	}
	total := 0
	for a, w := range o.Mix {
		if !knownAction(a) {
			return o, fmt.Errorf("soak: unknown action %q in the mix", a)
		}
		if w < 0 {
			return o, fmt.Errorf("soak: negative weight for %q", a)
		}
		total += w
	}
	if total == 0 {
		return o, errors.New("soak: the mix has no weight")
	}
	return o, nil
}

func knownAction(a Action) bool {
	for _, b := range Actions() {
		if a == b {
			return true
		}
	}
	return false
}
