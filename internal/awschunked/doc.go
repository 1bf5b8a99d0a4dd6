// Package awschunked decodes the aws-chunked content encoding that S3 clients
// use for streaming uploads, so that the emulator can hand gofakes3 the plain
// object bytes instead of the chunk framing.
//
// A body is aws-chunked when x-amz-content-sha256 names one of the STREAMING-*
// payload hashes or Content-Encoding lists aws-chunked (see [Decoding]). Its
// framing is
//
//	<hex-size>[;chunk-signature=<sig>]\r\n<size bytes>\r\n   (repeated)
//	0[;chunk-signature=<sig>]\r\n                            (final chunk)
//	[<name>:<value>\r\n ...]                                  (trailers, -TRAILER variants)
//	[x-amz-trailer-signature:<sig>\r\n]                      (signed trailers)
//	\r\n
//
// [NewReader] returns a streaming [Reader] that yields the decoded payload,
// checks the framing strictly, verifies x-amz-checksum-* trailers and,
// through a [ChunkVerifier], the SigV4 chunk and trailer signatures. The
// package imports only the standard library.
package awschunked
