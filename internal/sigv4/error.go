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
	// For AccessDenied on unsigned headers: the x-amz-* headers present but
	// not signed, lower case and sorted (S3's HeadersNotSigned element).
	HeadersNotSigned []string
	// For InvalidArgument: the argument at fault and its value (S3's
	// ArgumentName and ArgumentValue elements).
	ArgumentName, ArgumentValue string
}

func (e *Error) Error() string { return "sigv4: " + e.Code + ": " + e.Message }
