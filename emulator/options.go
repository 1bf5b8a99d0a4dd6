package emulator

import (
	"log/slog"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3vpce/s3vpce/certs"
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
	// Backend stores buckets and objects; nil means gofakes3's memory backend.
	Backend gofakes3.Backend
	// Buckets are created at Start.
	Buckets []string
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
	// BucketPolicies are set at Start, by bucket name (the buckets must
	// exist: list them in Buckets).
	BucketPolicies map[string]string
	// Now is the clock for signature time checks and condition keys; nil
	// means time.Now.
	Now func() time.Time
}
