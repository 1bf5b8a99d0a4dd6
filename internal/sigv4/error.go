package sigv4

// Error is an authentication failure in S3's terms.
type Error struct {
	Status  int
	Code    string
	Message string
	// For SignatureDoesNotMatch: what the server signed.
	AccessKeyID      string
	StringToSign     string
	SignatureGiven   string
	CanonicalRequest string
	// For a wrong region: the region the endpoint expects.
	Region string
}

func (e *Error) Error() string { return "sigv4: " + e.Code + ": " + e.Message }
