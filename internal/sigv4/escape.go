package sigv4

// EscapePath encodes a path as S3 canonicalises it for SigV4: every byte
// but A-Z a-z 0-9 - _ . ~ and '/' as %XX.
func EscapePath(s string) string { return uriEncode(s, true) }
