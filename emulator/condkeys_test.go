package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// keyCase is a request that carries a condition key with value want, and
// a control request that carries another value (or none).
type keyCase struct {
	key, op                 string
	method, path            string
	hdr, controlHdr         map[string]string
	query, controlQuery     string
	operator, want, control string // control: another path for the control request
}

// TestGateSuppliesOperationKeys: for every operation-specific condition key
// s3vpce claims to supply (SuppliedConditionKeys), an endpoint policy that
// denies on the key's value denies a request carrying that value and not
// one carrying another. A key with no case here fails the test.
func TestGateSuppliesOperationKeys(t *testing.T) {
	cases := []keyCase{
		{key: "s3:prefix", op: "ListObjects", method: "GET", path: "/cond", query: "prefix=p1", controlQuery: "prefix=p2", want: "p1"},
		{key: "s3:delimiter", op: "ListObjects", method: "GET", path: "/cond", query: "delimiter=/", controlQuery: "delimiter=-", want: "/"},
		{key: "s3:max-keys", op: "ListObjects", method: "GET", path: "/cond", query: "max-keys=5", controlQuery: "max-keys=6", want: "5"},
		{key: "s3:VersionId", op: "GetObject", method: "GET", path: "/cond/tagged-red", query: "versionId=v1", controlQuery: "versionId=v2", want: "v1"},
		{key: "s3:x-amz-acl", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-acl", "private"), controlHdr: h("x-amz-acl", "bucket-owner-full-control"), want: "private"},
		{key: "s3:x-amz-grant-read", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-grant-read", "id=a"), controlHdr: h("x-amz-grant-read", "id=b"), want: "id=a"},
		{key: "s3:x-amz-grant-write", op: "PutBucketAcl", method: "PUT", path: "/cond", query: "acl", hdr: h("x-amz-grant-write", "id=a"), controlHdr: h("x-amz-grant-write", "id=b"), want: "id=a"},
		{key: "s3:x-amz-grant-read-acp", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-grant-read-acp", "id=a"), controlHdr: h("x-amz-grant-read-acp", "id=b"), want: "id=a"},
		{key: "s3:x-amz-grant-write-acp", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-grant-write-acp", "id=a"), controlHdr: h("x-amz-grant-write-acp", "id=b"), want: "id=a"},
		{key: "s3:x-amz-grant-full-control", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-grant-full-control", "id=a"), controlHdr: h("x-amz-grant-full-control", "id=b"), want: "id=a"},
		{key: "s3:x-amz-copy-source", op: "CopyObject", method: "PUT", path: "/cond/copy", hdr: h("x-amz-copy-source", "/cond/tagged-red"), controlHdr: h("x-amz-copy-source", "/cond/tagged-blue"), want: "/cond/tagged-red"},
		{key: "s3:x-amz-metadata-directive", op: "CopyObject", method: "PUT", path: "/cond/copy", hdr: h("x-amz-copy-source", "/cond/tagged-red", "x-amz-metadata-directive", "COPY"), controlHdr: h("x-amz-copy-source", "/cond/tagged-red", "x-amz-metadata-directive", "REPLACE"), want: "COPY"},
		{key: "s3:x-amz-server-side-encryption", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-server-side-encryption", "AES256"), controlHdr: h("x-amz-server-side-encryption", "aws:kms"), want: "AES256"},
		{key: "s3:x-amz-server-side-encryption-aws-kms-key-id", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-server-side-encryption", "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", "k1"), controlHdr: h("x-amz-server-side-encryption", "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", "k2"), want: "k1"},
		{key: "s3:x-amz-server-side-encryption-customer-algorithm", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-server-side-encryption-customer-algorithm", "AES256"), controlHdr: h("x-amz-server-side-encryption-customer-algorithm", "AES192"), want: "AES256"},
		{key: "s3:x-amz-storage-class", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-storage-class", "STANDARD_IA"), controlHdr: h("x-amz-storage-class", "STANDARD"), want: "STANDARD_IA"},
		{key: "s3:x-amz-website-redirect-location", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-website-redirect-location", "/a"), controlHdr: h("x-amz-website-redirect-location", "/b"), want: "/a"},
		{key: "s3:x-amz-object-ownership", op: "CreateBucket", method: "PUT", path: "/cond-new", hdr: h("x-amz-object-ownership", "ObjectWriter"), controlHdr: h("x-amz-object-ownership", "BucketOwnerEnforced"), want: "ObjectWriter"},
		{key: "s3:object-lock-mode", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-object-lock-mode", "GOVERNANCE"), controlHdr: h("x-amz-object-lock-mode", "COMPLIANCE"), want: "GOVERNANCE"},
		{key: "s3:object-lock-retain-until-date", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-object-lock-retain-until-date", "2030-01-02T00:00:00Z"), controlHdr: h("x-amz-object-lock-retain-until-date", "2031-01-02T00:00:00Z"), want: "2030-01-02T00:00:00Z"},
		{key: "s3:object-lock-legal-hold", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-object-lock-legal-hold", "ON"), controlHdr: h("x-amz-object-lock-legal-hold", "OFF"), want: "ON"},
		{key: "s3:RequestObjectTagKeys", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-tagging", "team=red"), controlHdr: h("x-amz-tagging", "owner=red"), want: "team"},
		{key: "s3:RequestObjectTag/team", op: "PutObject", method: "PUT", path: "/cond/new", hdr: h("x-amz-tagging", "team=red"), controlHdr: h("x-amz-tagging", "team=blue"), want: "red"},
		{key: "s3:ExistingObjectTag/team", op: "GetObject", method: "GET", path: "/cond/tagged-red", want: "red", control: "/cond/tagged-blue"},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		k := strings.ToLower(c.key)
		if i := strings.Index(k, "/"); i >= 0 {
			k = k[:i+1]
		}
		covered[k] = true
	}
	for _, k := range emulator.SuppliedConditionKeys() {
		if !covered[strings.ToLower(k)] {
			t.Errorf("supplied key %s has no case in this test", k)
		}
	}

	srv := emulatortest.New(t, emulatortest.WithBuckets("cond"))
	c := srv.Client()
	put := func(key, tags string) {
		resp, body := do(t, c, "PUT", srv.URL()+"/cond/"+key, bytes.NewReader([]byte("x")), h("x-amz-tagging", tags), false)
		if resp.StatusCode != 200 {
			t.Fatalf("put %s: %d %s", key, resp.StatusCode, body)
		}
	}
	put("tagged-red", "team=red")
	put("tagged-blue", "team=blue")
	ep := vpce.DefaultEndpoint().ID
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			op := tc.operator
			if op == "" {
				op = "StringEquals"
			}
			doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
				map[string]any{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
				map[string]any{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
					"Condition": map[string]any{op: map[string]string{tc.key: tc.want}}},
			}})
			srv.SetEndpointPolicy(ep, string(doc))
			t.Cleanup(func() { srv.SetEndpointPolicy(ep, "") })
			send := func(path, query string, hdr map[string]string) (int, string) {
				u := srv.URL() + path
				if query != "" {
					u += "?" + query
				}
				var body *bytes.Reader
				if tc.method == "PUT" {
					body = bytes.NewReader(nil)
				}
				var resp *http.Response
				var b []byte
				if body != nil {
					resp, b = do(t, c, tc.method, u, body, hdr, false)
				} else {
					resp, b = do(t, c, tc.method, u, nil, hdr, false)
				}
				return resp.StatusCode, string(b)
			}
			status, body := send(tc.path, tc.query, tc.hdr)
			if status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
				t.Errorf("request with %s=%s: %d %s; want 403 AccessDenied from the endpoint policy", tc.key, tc.want, status, body)
			}
			controlPath := tc.path
			if tc.control != "" {
				controlPath = tc.control
			}
			status, body = send(controlPath, tc.controlQuery, tc.controlHdr)
			if status == 403 {
				t.Errorf("control request: %d %s; the deny should not apply", status, body)
			}
		})
	}
}

// h builds a header map from name, value pairs.
func h(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
