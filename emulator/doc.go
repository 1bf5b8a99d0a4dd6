// Package emulator is the composition root of s3vpce: a TLS front end that
// presents each endpoint's certificate, routes by Host the way an S3
// interface endpoint does (bucket., <bucket>.bucket., zonal and regional
// names, private DNS names), verifies SigV4 and evaluates the endpoint and
// bucket policies, decodes and verifies request bodies as they stream, and
// hands each request to the S3 layer (internal/s3api) over the store
// (internal/store, in memory or on disk: Options.DataDir). It also serves
// the endpoint names over DNS.
//
// Its API is shaped like net/http/httptest: New, Start, URL, Client, Close.
package emulator
