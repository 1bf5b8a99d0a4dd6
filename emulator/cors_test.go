package emulator_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

func corsRequest(t *testing.T, c *http.Client, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestCORS(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("web", "plain"))
	c := sdkClient(srv.Server, srv.URL(), false)
	_, err := c.PutBucketCors(t.Context(), &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{
			{AllowedMethods: []string{"GET", "HEAD"}, AllowedOrigins: []string{"https://*.example.com"}, AllowedHeaders: []string{"x-amz-*", "Content-Type"},
				ExposeHeaders: []string{"ETag", "x-amz-version-id"}, MaxAgeSeconds: aws.Int32(600)},
			{AllowedMethods: []string{"PUT", "POST"}, AllowedOrigins: []string{"*"}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	base := srv.URL()
	tests := []struct {
		name       string
		method     string
		path       string
		hdr        map[string]string
		status     int
		code, msg  string
		allowOrig  string
		allowMeths string
		allowHdrs  string
		maxAge     string
	}{
		{name: "preflight allowed by a wildcard origin", method: "OPTIONS", path: "/web/k",
			hdr:    map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Amz-Date, content-type"},
			status: 200, allowOrig: "https://app.example.com", allowMeths: "GET, HEAD", allowHdrs: "x-amz-date, content-type", maxAge: "600"},
		{name: "preflight for any origin answers *", method: "OPTIONS", path: "/web",
			hdr:    map[string]string{"Origin": "https://elsewhere.org", "Access-Control-Request-Method": "PUT"},
			status: 200, allowOrig: "*", allowMeths: "PUT, POST"},
		{name: "presigned URL's query is ignored", method: "OPTIONS", path: "/web/k?X-Amz-Signature=bogus&X-Amz-Credential=x",
			hdr: map[string]string{"Origin": "https://a.example.com", "Access-Control-Request-Method": "HEAD"}, status: 200, allowOrig: "https://a.example.com", allowMeths: "GET, HEAD", maxAge: "600"},
		{name: "header not allowed", method: "OPTIONS", path: "/web/k",
			hdr:    map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-custom"},
			status: 403, code: "AccessForbidden", msg: "CORSResponse: This CORS request is not allowed."},
		{name: "method not allowed for the origin", method: "OPTIONS", path: "/web/k",
			hdr: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"}, status: 403, code: "AccessForbidden"},
		{name: "wildcard needs the suffix", method: "OPTIONS", path: "/web/k",
			hdr: map[string]string{"Origin": "https://app.example.com.evil", "Access-Control-Request-Method": "GET"}, status: 403, code: "AccessForbidden"},
		{name: "no CORS configuration", method: "OPTIONS", path: "/plain/k",
			hdr:    map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
			status: 403, code: "AccessForbidden", msg: "CORSResponse: CORS is not enabled for this bucket."},
		{name: "no Origin", method: "OPTIONS", path: "/web/k", hdr: map[string]string{"Access-Control-Request-Method": "GET"},
			status: 400, code: "BadRequest", msg: "Insufficient information. Origin request header needed."},
		{name: "no Access-Control-Request-Method", method: "OPTIONS", path: "/web/k", hdr: map[string]string{"Origin": "https://app.example.com"},
			status: 400, code: "BadRequest"},
		{name: "actual GET with an allowed Origin", method: "GET", path: "/web/k", hdr: map[string]string{"Origin": "https://app.example.com"},
			status: 403, code: "AccessDenied", allowOrig: "https://app.example.com", allowMeths: "GET, HEAD", maxAge: "600"},
		{name: "actual GET from an origin no rule allows", method: "GET", path: "/web/k", hdr: map[string]string{"Origin": "https://other.org"},
			status: 403, code: "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := corsRequest(t, srv.Client(), tt.method, base+tt.path, tt.hdr)
			var e struct{ Code, Message, Method, ResourceType string }
			xml.Unmarshal(body, &e)
			if resp.StatusCode != tt.status || e.Code != tt.code || tt.msg != "" && !strings.HasPrefix(e.Message, tt.msg) {
				t.Errorf("got %d %s %q, want %d %s %q", resp.StatusCode, e.Code, e.Message, tt.status, tt.code, tt.msg)
			}
			if e.Code == "AccessForbidden" && (e.Method == "" || e.ResourceType == "") {
				t.Errorf("AccessForbidden without Method/ResourceType: %s", body)
			}
			h := resp.Header
			for name, want := range map[string]string{"Access-Control-Allow-Origin": tt.allowOrig, "Access-Control-Allow-Methods": tt.allowMeths,
				"Access-Control-Allow-Headers": tt.allowHdrs, "Access-Control-Max-Age": tt.maxAge} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if tt.allowOrig != "" && h.Get("Vary") == "" {
				t.Errorf("CORS answer without Vary")
			}
		})
	}
	t.Run("actual GET carries the expose headers", func(t *testing.T) {
		resp, _ := corsRequest(t, srv.Client(), "GET", base+"/web/k", map[string]string{"Origin": "https://app.example.com"})
		if got := resp.Header.Get("Access-Control-Expose-Headers"); got != "ETag, x-amz-version-id" {
			t.Errorf("Expose-Headers %q", got)
		}
	})
}
