package emulator

// canonicalUserID is the 64-hex-digit canonical user ID S3 shows as the
// owner of an account's buckets and objects (listings, ACLs); s3vpce
// derives it from the account ID (a SHA-256), so it is stable across runs.
// The S3 layer's Handler remembers it per account, for its own writes and
// for these requests alike.
func (s *Server) canonicalUserID(account string) string {
	if account == "" {
		account = DefaultAccountID
	}
	return s.compat.CanonicalUserID(account)
}
