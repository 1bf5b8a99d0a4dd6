package ec2api

import (
	"net/http"
	"testing"
)

// BenchmarkDescribeVpcEndpoints1000 is one DescribeVpcEndpoints of a
// topology with 1,000 interface endpoints (and the default two), paged at
// 1,000: the request's whole path from Params to the XML body.
func BenchmarkDescribeVpcEndpoints1000(b *testing.B) {
	h := New(newBackend(b, manyEndpoints(b, 1000)))
	p := Params{"Action": {"DescribeVpcEndpoints"}, "Version": {Version}, "MaxResults": {"1000"}}
	b.ReportAllocs()
	for b.Loop() {
		w := doParams(h, "DescribeVpcEndpoints", p)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
