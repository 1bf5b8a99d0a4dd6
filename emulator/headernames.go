package emulator

// Request and response header names the emulator looks up on every
// request, in canonical form: headerValue reads the map under them without
// http.Header.Get's canonicalisation (TestHeaderNamesCanonical keeps them
// canonical).
const (
	hdrAuthorization        = "Authorization"
	hdrContentMD5           = "Content-Md5"
	hdrContentSHA256        = "X-Amz-Content-Sha256"
	hdrContentType          = "Content-Type"
	hdrCopySource           = "X-Amz-Copy-Source"
	hdrDecodedContentLength = "X-Amz-Decoded-Content-Length"
	hdrOrigin               = "Origin"
	hdrReferer              = "Referer"
	hdrRequestID            = "X-Amz-Request-Id"
	hdrTagging              = "X-Amz-Tagging"
	hdrTrailer              = "X-Amz-Trailer"
	hdrUserAgent            = "User-Agent"
)
