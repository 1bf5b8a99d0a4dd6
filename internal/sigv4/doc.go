// Package sigv4 verifies AWS Signature Version 4 on S3 requests, the way
// S3 does: the Authorization header form and the presigned query form,
// the credential scope (date, region, service), the clock skew and expiry
// limits, and the signature itself. Errors carry S3's error code, message
// and, for signature mismatches, the string to sign and canonical request
// the server computed, as S3 returns them.
//
// A signature only vouches for the headers it names, so Parse refuses, as
// S3 does, a request with an x-amz-* header missing from SignedHeaders
// (AccessDenied, "There were headers present in the request which were not
// signed", HeadersNotSigned listing them); otherwise whoever holds a
// presigned URL or a captured UNSIGNED-PAYLOAD request could add
// x-amz-copy-source, x-amz-tagging, x-amz-acl or metadata to it. Two
// exceptions, both S3's: names that merely begin with "x-amz" (such as the
// X-Amzn-Trace-Id that SDKs add unsigned), and an unsigned
// x-amz-content-sha256 whose one value is the payload hash that ends the
// canonical request, hence signed all the same. aws CLI v1 and v2, s3cmd,
// curl --aws-sigv4 and aws-sdk-go-v2 all sign that header anyway; clients
// that do not are accepted by AWS (the HeadersNotSigned x-amz-content-sha256
// answers quoted on the web come from other S3-compatible services), and
// any other value, or a second one, is refused. Parse also refuses an
// Authorization header beside query-string authentication (InvalidArgument
// "Only one auth mechanism allowed…"), two Authorization headers, and a
// presigned authentication parameter given twice: a second X-Amz-Signature
// would otherwise be ignored.
//
// Pure: standard library only, no I/O; the caller supplies the secret key
// lookup and the clock.
//
// # Cost per request
//
// A server verifies every request, so the common path allocates once: Parse
// allocates the Auth together with room for twelve signed headers, slices
// the Authorization header and credential in place, and reads the two SigV4
// date layouts digit by digit (time.Parse for anything else, so its errors
// stay). A Verifier builds the canonical request and the string to sign in
// a pooled buffer: the query is decoded, re-encoded and sorted as byte
// ranges past the buffer's end (url.ParseQuery only beyond 32 parameters,
// with the same errors either way), a plain absolute-form target's path is
// taken without url.Parse, header values are read by canonical key straight
// from the map, and the signatures are compared as hex. HMAC states are
// pooled per signing key (map key: the key's own bytes, so a state never
// answers for another key or a changed secret); each was reset once after
// hmac.New, so reusing it skips the padded key's two SHA-256 blocks as well
// as hmac.New's allocations. The caller caches signing keys (emulator's
// keyCache); Auth.Verify and VerifyWithKey, for one-off use, pool nothing.
package sigv4
