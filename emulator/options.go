package emulator

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Options configure a Server. The zero value is usable: the seed's endpoint,
// an ephemeral CA, an in-memory backend, listeners on 127.0.0.1:0.
type Options struct {
	// Topology is the initial snapshot of VPCs and endpoints; nil means
	// vpce.DefaultTopology().
	Topology *vpce.Topology
	// CA issues the endpoint certificates; nil means a new in-memory CA.
	CA *certs.CA
	// DataDir, when set, keeps all S3 state (buckets, objects and their
	// versions, tags, configurations, policies, multipart uploads) in a dir
	// store there, which outlives the Server: a later Server on the same
	// directory finds it all. One Server at a time (New fails with an error
	// naming the holder). Empty means memory, gone at Close.
	DataDir string
	// Store, when set, is used instead (DataDir is then ignored) and not
	// closed by the Server: for this module's tests that share one store.
	Store *store.Store
	// Buckets are created at Start.
	Buckets []string
	// LegacyBucketDefaults makes new buckets start as S3 buckets did
	// before April 2023: object ownership ObjectWriter (ACLs enabled) and
	// no public access block, unless CreateBucket says otherwise.
	LegacyBucketDefaults bool
	// Addr is the HTTPS listen address; empty means "127.0.0.1:0".
	Addr string
	// DNSAddr is the DNS listen address (UDP and TCP); empty means
	// "127.0.0.1:0"; "off" starts no DNS server.
	DNSAddr string
	// DNSUpstream are resolvers that DNS forwards other names to; empty means
	// REFUSED for every name outside the endpoint zones.
	DNSUpstream []string
	// Logger receives one record per request; nil discards.
	Logger *slog.Logger
	// Credentials are the access keys the emulator accepts; empty means
	// DefaultCredential(). Requests signed with any other key get 403
	// InvalidAccessKeyId; unsigned requests are anonymous.
	Credentials []Credential
	// AuthOff skips SigV4 verification: every request acts as the first
	// credential's principal. Policies are still evaluated.
	AuthOff bool
	// SigV2Post accepts browser-based POST uploads signed with Signature
	// Version 2 (AWSAccessKeyId and signature fields), as S3 still does
	// for buckets created before 24 June 2020. Off, as for every newer
	// bucket, such a form gets 400 InvalidRequest.
	SigV2Post bool
	// BucketPolicies are set at Start, by bucket name (the buckets must
	// exist: list them in Buckets).
	BucketPolicies map[string]string
	// Now is the clock for signature time checks and condition keys; nil
	// means time.Now.
	Now func() time.Time

	// ReadHeaderTimeout bounds the TLS handshake and reading each
	// request's headers; a slower connection is closed without a reply.
	// Zero means DefaultReadHeaderTimeout; negative means none.
	ReadHeaderTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request before it is closed. Zero means DefaultIdleTimeout;
	// negative means none.
	IdleTimeout time.Duration
	// RequestTimeout is how long a request body or a response may make no
	// progress: a body that delivers no byte for this long is answered 400
	// RequestTimeout, as S3 does; a response the client stops reading for
	// this long is abandoned and its connection closed. Each byte moved
	// restarts it, so slow transfers that progress are not cut off. Zero
	// means DefaultRequestTimeout; negative means none.
	RequestTimeout time.Duration
	// MaxConnsPerSource caps the open connections from one source IP on
	// each HTTPS listener (Start's and ServeListener's); more are closed
	// at once, with a rate-limited warning. Zero means
	// DefaultMaxConnsPerSource; negative means no cap.
	MaxConnsPerSource int
	// DNSForwardFor lists the clients, by source address, whose DNS queries
	// for names outside the endpoint zones are forwarded to DNSUpstream;
	// other clients get REFUSED for them (the endpoint names answer
	// everyone). Nil means loopback and the VPC CIDRs of the current
	// topology (dnsserver.DefaultForwardFor); empty, non-nil: no one.
	DNSForwardFor []netip.Prefix
	// LifecycleDay is the length of a lifecycle "day": buckets' lifecycle
	// rules are applied in the background on that scale (see
	// Server.RunLifecycle). Zero means 24 hours, as on S3; negative means
	// no background worker.
	LifecycleDay time.Duration
	// Upstream, when set with a URL or Handler, is upstream mode: allowed
	// S3 requests are forwarded there instead of answered from the store
	// (see Upstream and docs/upstream.md).
	Upstream *Upstream
}
