// Package emulator is the composition root of s3vpce: a TLS front end that
// presents each endpoint's certificate, routes by Host the way an S3
// interface endpoint does (bucket., <bucket>.bucket., zonal and regional
// names, private DNS names), verifies SigV4 and evaluates the endpoint and
// bucket policies, decodes and verifies request bodies as they stream, and
// hands each request to the S3 layer (internal/s3api) over the store
// (internal/store, in memory or on disk: Options.DataDir). It also serves
// the endpoint names over DNS.
//
// It also serves public S3 (s3.amazonaws.com, s3.<r>.amazonaws.com,
// s3-<r>.amazonaws.com, their virtual-hosted children) for connections
// accepted on a public S3 address (vpce.PublicS3For), over HTTPS and plain
// HTTP (ServeHTTPListener). The way such a request came decides its policy
// context: through an S3 gateway endpoint (aws:SourceVpce, aws:SourceVpc,
// aws:VpcSourceIp, the gateway endpoint's policy) or an internet gateway
// (aws:SourceIp, the instance's public IP). ClientFrom and AWSConfigFrom
// make requests as an instance of the topology, without namespaces.
//
// Its API is shaped like net/http/httptest: New, Start, URL, Client, Close.
package emulator
