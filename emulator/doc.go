// Package emulator is the composition root of s3vpce: an in-process fake S3
// (gofakes3) behind a TLS front end that presents each endpoint's
// certificate, routes by Host the way an S3 interface endpoint does
// (bucket., <bucket>.bucket., zonal and regional names, private DNS names),
// decodes aws-chunked bodies, and serves the endpoint names over DNS.
//
// Its API is shaped like net/http/httptest: New, Start, URL, Client, Close.
package emulator
