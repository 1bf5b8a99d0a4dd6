// Package certs is s3vpce's local certificate authority: an ECDSA P-256 CA
// persisted in a state directory (or kept in memory for tests) and the leaf
// certificates it issues for endpoints, carrying exactly the names a real S3
// interface endpoint presents.
package certs
