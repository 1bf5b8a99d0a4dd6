package sigv4

import (
	"bufio"
	"context"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	akid   = "AKIAS3VPCE0EXAMPLE01"
	secret = "s3vpceLocalSecretKeyDoNotUseOnAWS0000001"
	host   = "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com:4443"
	empty  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

var now = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

// serverSide turns a client request into what an http.Server hands a
// handler, by writing it on the wire and reading it back.
func serverSide(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var b strings.Builder
	if err := req.Write(&b); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

func signed(t *testing.T, method, target, payload string, hdr map[string]string, at time.Time, region string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, "https://"+host+target, strings.NewReader(""))
	req.RequestURI = ""
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(), creds, req, payload, "s3", region, at); err != nil {
		t.Fatal(err)
	}
	return serverSide(t, req)
}

func presigned(t *testing.T, method, target string, at time.Time, expires time.Duration) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, "https://"+host+target, nil)
	req.RequestURI = ""
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	u, hdr, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).PresignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := http.NewRequest(method, u, nil)
	for k, v := range hdr {
		out.Header[k] = v
	}
	return serverSide(t, out)
}

func verify(r *http.Request, region string, at time.Time) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	if a.Kind == Anonymous {
		return nil
	}
	if err := a.CheckScope(Expect{Region: region, Service: "s3", Now: at}); err != nil {
		return err
	}
	if a.AccessKeyID != akid {
		return &s3err.Error{Code: "InvalidAccessKeyId"}
	}
	_, err = a.Verify(r, secret)
	return err
}

func TestVerifiesWhatTheSDKSigns(t *testing.T) {
	tests := []struct {
		name, method, target string
		hdr                  map[string]string
	}{
		{"list buckets", "GET", "/", nil},
		{"list objects with query", "GET", "/wsgbucket?list-type=2&prefix=a%2Fb&delimiter=%2F&max-keys=10", nil},
		{"key with spaces and unicode", "PUT", "/wsgbucket/dir/a%20b%2Bc/%C3%A9t%C3%A9.txt", map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Note": "  two   spaces  "}},
		{"key with reserved chars", "GET", "/b/k%3Dv%26x%3Fy%23z~_-.", nil},
		{"subresource with empty value", "GET", "/b?policy", nil},
		{"uploads", "POST", "/b/k?uploads", nil},
		{"tilde and plus in query", "GET", "/b?prefix=a~b%2Bc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signed(t, tt.method, tt.target, empty, tt.hdr, now, "us-east-1")
			if err := verify(r, "us-east-1", now.Add(time.Minute)); err != nil {
				t.Fatalf("verify: %v\n%+v", err, err)
			}
		})
	}
	t.Run("presigned", func(t *testing.T) {
		r := presigned(t, "GET", "/wsgbucket/dir/a%20b.txt", now, 15*time.Minute)
		if err := verify(r, "us-east-1", now.Add(time.Minute)); err != nil {
			t.Fatalf("verify presigned: %v", err)
		}
	})
}

func TestForgeries(t *testing.T) {
	good := func() *http.Request {
		return signed(t, "GET", "/b/k?x=1", empty, map[string]string{"X-Amz-Meta-A": "1"}, now, "us-east-1")
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		at     time.Time
		region string
		code   string
	}{
		{"tampered signature", func() *http.Request {
			r := good()
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-4]+"0000")
			return r
		}, now, "us-east-1", "SignatureDoesNotMatch"},
		{"tampered signed header", func() *http.Request { r := good(); r.Header.Set("X-Amz-Meta-A", "2"); return r }, now, "us-east-1", "SignatureDoesNotMatch"},
		{"tampered query", func() *http.Request { r := good(); r.URL.RawQuery = "x=2"; return r }, now, "us-east-1", "SignatureDoesNotMatch"},
		{"tampered path", func() *http.Request { r := good(); r.RequestURI = "/b/other?x=1"; return r }, now, "us-east-1", "SignatureDoesNotMatch"},
		{"tampered method", func() *http.Request { r := good(); r.Method = "DELETE"; return r }, now, "us-east-1", "SignatureDoesNotMatch"},
		{"tampered host", func() *http.Request { r := good(); r.Host = "evil.example"; return r }, now, "us-east-1", "SignatureDoesNotMatch"},
		{"claimed payload hash changed", func() *http.Request {
			r := good()
			r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
			return r
		}, now, "us-east-1", "SignatureDoesNotMatch"},
		{"wrong region", func() *http.Request { return signed(t, "GET", "/", empty, nil, now, "us-west-2") }, now, "us-east-1", "AuthorizationHeaderMalformed"},
		{"clock skew future", good, now.Add(-16 * time.Minute), "us-east-1", "RequestTimeTooSkewed"},
		{"clock skew past", good, now.Add(16 * time.Minute), "us-east-1", "RequestTimeTooSkewed"},
		{"missing content sha256", func() *http.Request { r := good(); r.Header.Del("X-Amz-Content-Sha256"); return r }, now, "us-east-1", "InvalidRequest"},
		{"mangled authorization", func() *http.Request {
			r := good()
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			return r
		}, now, "us-east-1", "AuthorizationHeaderMalformed"},
		{"sigv2", func() *http.Request { r := good(); r.Header.Set("Authorization", "AWS AKID:sig"); return r }, now, "us-east-1", "InvalidRequest"},
		{"bad date header", func() *http.Request { r := good(); r.Header.Set("X-Amz-Date", "yesterday"); return r }, now, "us-east-1", "AccessDenied"},
		{"expired presign", func() *http.Request { return presigned(t, "GET", "/b/k", now, time.Minute) }, now.Add(2 * time.Minute), "us-east-1", "AccessDenied"},
		{"presign too long", func() *http.Request { return presigned(t, "GET", "/b/k", now, 8*24*time.Hour) }, now, "us-east-1", "AuthorizationQueryParametersError"},
		{"tampered presign query", func() *http.Request {
			r := presigned(t, "GET", "/b/k", now, time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1)
			r.RequestURI = r.URL.RequestURI()
			return r
		}, now, "us-east-1", "SignatureDoesNotMatch"},
		{"presign from the future", func() *http.Request { return presigned(t, "GET", "/b/k", now.Add(time.Hour), time.Hour) }, now, "us-east-1", "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify(tt.req(), tt.region, tt.at)
			e, ok := err.(*s3err.Error)
			if !ok || e.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if e.Code == "SignatureDoesNotMatch" && (e.Elem("StringToSign") == "" || e.Elem("CanonicalRequest") == "") {
				t.Errorf("SignatureDoesNotMatch without StringToSign/CanonicalRequest")
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	r := httptest.NewRequest("GET", "https://"+host+"/b/k", nil)
	a, err := Parse(r)
	if err != nil || a.Kind != Anonymous {
		t.Fatalf("Parse = %+v, %v; want anonymous", a, err)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAS3VPCE0EXAMPLE01/20261125/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + strings.Repeat("a", 64))
	f.Add("AWS AKID:sig")
	f.Add("AWS4-HMAC-SHA256 Credential=/,,=")
	f.Fuzz(func(t *testing.T, v string) {
		a, err := ParseAuthorization(v)
		if err != nil {
			if _, ok := err.(*s3err.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if a.AccessKeyID == "" || len(a.Signature) != 64 || len(a.SignedHeaders) == 0 || !strings.Contains(v, a.Scope()) {
			t.Fatalf("accepted %q as %+v", v, a)
		}
	})
}
