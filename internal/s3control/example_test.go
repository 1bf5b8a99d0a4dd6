package s3control_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/s3vpce/s3vpce/internal/s3control"
)

func ExampleClassify() {
	for _, r := range []struct{ method, path string }{
		{"PUT", "/v20180820/accesspoint/ap1"},
		{"GET", "/v20180820/accesspoint?bucket=b&maxResults=10"},
		{"GET", "/v20180820/accesspoint/ap1/policyStatus"},
		{"POST", "/v20180820/accesspoint/ap1"},
	} {
		op, name, err := s3control.Classify(httptest.NewRequest(r.method, r.path, nil))
		if err != nil {
			fmt.Println(r.method, r.path, "->", err.Status, err.Code)
			continue
		}
		fmt.Printf("%s %s -> s3:%s %q\n", r.method, r.path, op, name)
	}
	// Output:
	// PUT /v20180820/accesspoint/ap1 -> s3:CreateAccessPoint "ap1"
	// GET /v20180820/accesspoint?bucket=b&maxResults=10 -> s3:ListAccessPoints ""
	// GET /v20180820/accesspoint/ap1/policyStatus -> s3:GetAccessPointPolicyStatus "ap1"
	// POST /v20180820/accesspoint/ap1 -> 405 MethodNotAllowed
}
