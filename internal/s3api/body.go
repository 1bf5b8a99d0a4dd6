package s3api

import "io"

// Body is a request body as the S3 layer reads it: decoded (no aws-chunked
// framing), held to the operation's size limit, and verified while it is
// read. The read that reaches the end returns the S3 error (BadDigest,
// XAmzContentSHA256Mismatch, IncompleteBody, a chunk signature mismatch)
// instead of io.EOF when the body is not what the request declared, so a
// store that commits only bodies read to their end never keeps a bad one.
type Body struct {
	io.Reader
	// Size is the decoded size; -1 when unknown (Transfer-Encoding:
	// chunked without a declared length).
	Size int64
	// Checksum returns the request's additional checksum once verified:
	// algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and base64 value,
	// from an x-amz-checksum-* header, or from the aws-chunked trailer once
	// the body has been read to its end; "" when there is none.
	Checksum func() (alg, value string)
}
