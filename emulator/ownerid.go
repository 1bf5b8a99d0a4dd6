package emulator

import (
	"github.com/s3vpce/s3vpce/internal/bounded"
	"github.com/s3vpce/s3vpce/internal/s3api"
)

// maxOwnerIDs bounds the memo of canonical user IDs: accounts come from
// the configured credentials, so a few suffice; past the bound an ID is
// computed each time.
const maxOwnerIDs = 256

func newOwnerIDs() *bounded.Map[string, string] { return bounded.New[string, string](maxOwnerIDs) }

// canonicalUserID is the 64-hex-digit canonical user ID S3 shows as the
// owner of an account's buckets and objects (listings, ACLs); s3vpce
// derives it from the account ID (a SHA-256), so it is stable across runs
// and kept once computed.
func (s *Server) canonicalUserID(account string) string {
	if account == "" {
		account = DefaultAccountID
	}
	if id, ok := s.ownerIDs.Load(account); ok {
		return id
	}
	id := s3api.CanonicalUserID(account)
	s.ownerIDs.Store(account, id)
	return id
}
