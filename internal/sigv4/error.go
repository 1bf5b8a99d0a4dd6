package sigv4

// Errors are *s3err.Error values in S3's terms (AccessDenied,
// SignatureDoesNotMatch with the StringToSign and CanonicalRequest S3
// echoes, AuthorizationHeaderMalformed, ...).

// hexBytes renders s as S3 does in StringToSignBytes: space-separated hex.
func hexBytes(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)*3)
	for i := range len(s) {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, hex[s[i]>>4], hex[s[i]&15])
	}
	return string(b)
}
