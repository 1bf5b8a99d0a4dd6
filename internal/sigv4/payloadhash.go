package sigv4

import (
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// payloadHashLiterals are the x-amz-content-sha256 values S3 takes
// besides the hex SHA-256 of the body.
var payloadHashLiterals = map[string]bool{
	UnsignedPayload:                                    true,
	"STREAMING-UNSIGNED-PAYLOAD-TRAILER":               true,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD":               true,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":       true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD":         true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER": true,
}

// checkPayloadHash refuses, as S3 does with 400 InvalidArgument before it
// looks at the signature, an x-amz-content-sha256 that is neither 64 hex
// digits nor one of the literals S3 knows.
func checkPayloadHash(v string) error {
	if payloadHashLiterals[v] || isHexSHA256(v) {
		return nil
	}
	return s3err.New(http.StatusBadRequest, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "+
		"STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "+
		"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.").
		With("ArgumentName", "x-amz-content-sha256").With("ArgumentValue", v)
}

func isHexSHA256(v string) bool {
	if len(v) != 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
