// Package vpce is the domain model of an S3 interface VPC endpoint: endpoint
// identifiers, the DNS name grammar AWS uses for them (regional, zonal,
// bucket., accesspoint., control. and the private-DNS S3 names), the
// subjectAltNames of the certificate an endpoint presents, and the immutable
// Topology snapshot that certs, DNS and the request gate all read.
//
// Everything here is pure: no I/O, no global state.
package vpce
