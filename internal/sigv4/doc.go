// Package sigv4 verifies AWS Signature Version 4 on S3 requests, the way
// S3 does: the Authorization header form and the presigned query form,
// the credential scope (date, region, service), the clock skew and expiry
// limits, and the signature itself. Errors carry S3's error code, message
// and, for signature mismatches, the string to sign and canonical request
// the server computed, as S3 returns them.
//
// Pure: standard library only, no I/O; the caller supplies the secret key
// lookup and the clock.
package sigv4
