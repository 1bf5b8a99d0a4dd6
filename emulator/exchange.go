package emulator

import "github.com/s3vpce/s3vpce/internal/s3api"

// exchange is what ServeHTTP allocates for every S3 request and drops
// once it has answered, in one allocation: the writer that watches the
// response for the log line, the S3 layer's request and its authorizer.
// The DecisionRecord is not part of it: the decision log keeps that.
type exchange struct {
	log  requestLog
	req  s3api.Request
	auth authorizer
}
