package sigv4

import (
	"context"
	"errors"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presignedWith presigns a request carrying hdr as signed headers (not
// hoisted into the query, so the client must send them).
func presignedWith(t *testing.T, method, target string, hdr map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "https://"+host+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "900")
	req.URL.RawQuery = q.Encode()
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping, o.DisableHeaderHoisting = true, true })
	u, signedHdr, err := signer.PresignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", "us-east-1", now)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range signedHdr {
		out.Header[k] = v
	}
	return serverSide(t, out)
}

// signedWithout signs a GET without x-amz-content-sha256 among the signed
// headers (the payload hash still ends the canonical request), as a
// hand-rolled client may, then sends the header with value v.
func signedWithout(t *testing.T, v string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", "https://"+host+"/b/k", nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(), creds, req, empty, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(req.Header.Get("Authorization"), "x-amz-content-sha256") {
		t.Fatal("the header is signed; the test needs it unsigned")
	}
	req.Header.Set("X-Amz-Content-Sha256", v)
	return serverSide(t, req)
}

func TestParseRefuses(t *testing.T) {
	sig := strings.Repeat("a", 64)
	header := func(hdr map[string]string) func() *http.Request {
		return func() *http.Request { return signed(t, "PUT", "/b/k", UnsignedPayload, hdr, now, "us-east-1") }
	}
	presign := func(hdr map[string]string) func() *http.Request {
		return func() *http.Request { return presignedWith(t, "PUT", "/b/k", hdr) }
	}
	add := func(base func() *http.Request, kv ...string) func() *http.Request {
		return func() *http.Request {
			r := base()
			for i := 0; i < len(kv); i += 2 {
				r.Header.Add(kv[i], kv[i+1])
			}
			return r
		}
	}
	addQuery := func(base func() *http.Request, raw string) func() *http.Request {
		return func() *http.Request {
			r := base()
			r.URL.RawQuery += "&" + raw
			r.RequestURI = r.URL.RequestURI()
			return r
		}
	}
	tests := []struct {
		name       string
		req        func() *http.Request
		status     int
		code       string
		notSigned  []string // HeadersNotSigned
		msgHas     string
		argName    string
		argValue   string // prefix
		wantParsed Kind   // when code is ""
	}{
		// Header auth: whoever captured an UNSIGNED-PAYLOAD PUT adds headers.
		{name: "header: unsigned x-amz-copy-source", req: add(header(nil), "X-Amz-Copy-Source", "/b/secret"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-copy-source"}},
		{name: "header: unsigned x-amz-tagging", req: add(header(nil), "X-Amz-Tagging", "a=b"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-tagging"}},
		{name: "header: unsigned x-amz-meta-foo and x-amz-acl, sorted", req: add(header(nil), "X-Amz-Meta-Foo", "1", "X-Amz-Acl", "public-read"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-acl", "x-amz-meta-foo"}},
		{name: "header: unsigned x-amz-storage-class beside a signed x-amz-meta-a", req: add(header(map[string]string{"X-Amz-Meta-A": "1"}), "X-Amz-Storage-Class", "GLACIER"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-storage-class"}},
		{name: "header: non-canonical key is lower-cased", req: func() *http.Request {
			r := signed(t, "PUT", "/b/k", UnsignedPayload, nil, now, "us-east-1")
			r.Header["x-amz-META-Bar"] = []string{"1"}
			return r
		}, status: 403, code: "AccessDenied", notSigned: []string{"x-amz-meta-bar"}},
		{name: "header: unsigned security token", req: add(header(nil), "X-Amz-Security-Token", "token"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-security-token"}},
		{name: "header: second x-amz-content-sha256 value, unsigned", req: func() *http.Request {
			r := signedWithout(t, empty)
			r.Header.Add("X-Amz-Content-Sha256", UnsignedPayload)
			return r
		}, status: 403, code: "AccessDenied", notSigned: []string{"x-amz-content-sha256"}},
		// Presigned: whoever holds the URL adds headers.
		{name: "presigned: unsigned x-amz-copy-source", req: add(presign(nil), "X-Amz-Copy-Source", "/b/secret"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-copy-source"}},
		{name: "presigned: unsigned x-amz-tagging, x-amz-storage-class", req: add(presign(nil), "X-Amz-Tagging", "a=b", "X-Amz-Storage-Class", "GLACIER"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-storage-class", "x-amz-tagging"}},
		{name: "presigned: unsigned x-amz-acl beside a signed x-amz-meta-foo", req: add(presign(map[string]string{"X-Amz-Meta-Foo": "1"}), "X-Amz-Acl", "public-read"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-acl"}},
		{name: "presigned: unsigned x-amz-date header", req: add(presign(nil), "X-Amz-Date", "20261125T140000Z"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-date"}},
		{name: "presigned: unsigned security token header", req: add(presign(nil), "X-Amz-Security-Token", "token"),
			status: 403, code: "AccessDenied", notSigned: []string{"x-amz-security-token"}},
		{name: "presigned: x-amz-content-sha256 header other than the signed UNSIGNED-PAYLOAD", req: add(presign(nil), "X-Amz-Content-Sha256", empty),
			status: 403, code: "SignatureDoesNotMatch"},
		{name: "presigned: x-amz-content-sha256 header beside a different signed query value", req: func() *http.Request {
			r := presignedWith(t, "PUT", "/b/k?X-Amz-Content-Sha256=UNSIGNED-PAYLOAD", nil)
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
			return r
		}, status: 403, code: "AccessDenied", notSigned: []string{"x-amz-content-sha256"}},
		// One of each authentication parameter.
		{name: "presigned: X-Amz-Signature twice", req: addQuery(presign(nil), "X-Amz-Signature="+sig),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Signature"},
		{name: "presigned: X-Amz-Algorithm twice", req: addQuery(presign(nil), "X-Amz-Algorithm="+Algorithm),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Algorithm"},
		{name: "presigned: X-Amz-Credential twice", req: addQuery(presign(nil), "X-Amz-Credential="+url.QueryEscape(akid+"/20261125/us-east-1/s3/aws4_request")),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Credential"},
		{name: "presigned: X-Amz-Date twice", req: addQuery(presign(nil), "X-Amz-Date=20261125T140000Z"),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Date"},
		{name: "presigned: X-Amz-Expires twice", req: addQuery(presign(nil), "X-Amz-Expires=60"),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Expires"},
		{name: "presigned: negative X-Amz-Expires", req: func() *http.Request {
			r := presign(nil)()
			q := r.URL.Query()
			q.Set("X-Amz-Expires", "-7")
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
			return r
		}, status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Expires must be non-negative"},
		{name: "presigned: X-Amz-Expires over a week", req: func() *http.Request {
			r := presign(nil)()
			q := r.URL.Query()
			q.Set("X-Amz-Expires", "604801")
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
			return r
		}, status: 400, code: "AuthorizationQueryParametersError", msgHas: "604800"},
		{name: "presigned: X-Amz-SignedHeaders twice", req: addQuery(presign(nil), "X-Amz-SignedHeaders=host"),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-SignedHeaders"},
		{name: "presigned: X-Amz-Security-Token twice", req: addQuery(presign(nil), "X-Amz-Security-Token=a&X-Amz-Security-Token=b"),
			status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Security-Token"},
		// One mechanism.
		{name: "Authorization header and presigned query", req: func() *http.Request {
			r := presignedWith(t, "GET", "/b/k", nil)
			r.Header.Set("Authorization", signed(t, "GET", "/b/k", empty, nil, now, "us-east-1").Header.Get("Authorization"))
			return r
		}, status: 400, code: "InvalidArgument", msgHas: "Only one auth mechanism allowed", argName: "Authorization", argValue: Algorithm + " Credential="},
		{name: "Bearer header and presigned query", req: add(func() *http.Request { return presignedWith(t, "GET", "/b/k", nil) }, "Authorization", "Bearer t0ken"),
			status: 400, code: "InvalidArgument", msgHas: "Only one auth mechanism allowed", argName: "Authorization", argValue: "Bearer t0ken"},
		{name: "Authorization header and SigV2 Signature query", req: addQuery(func() *http.Request {
			return signed(t, "GET", "/b/k", empty, nil, now, "us-east-1")
		}, "Signature=abc"), status: 400, code: "InvalidArgument", argName: "Authorization", argValue: Algorithm},
		{name: "two Authorization headers", req: func() *http.Request {
			r := signed(t, "GET", "/b/k", empty, nil, now, "us-east-1")
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r
		}, status: 400, code: "AuthorizationHeaderMalformed", msgHas: "more than one Authorization header"},
		// What stays accepted.
		{name: "header: the same headers signed", req: header(map[string]string{"X-Amz-Copy-Source": "/b/src", "X-Amz-Tagging": "a=b",
			"X-Amz-Meta-Foo": "1", "X-Amz-Storage-Class": "STANDARD_IA", "X-Amz-Acl": "private"}), wantParsed: Header},
		{name: "presigned: the same headers signed", req: presign(map[string]string{"X-Amz-Copy-Source": "/b/src", "X-Amz-Tagging": "a=b",
			"X-Amz-Meta-Foo": "1", "X-Amz-Storage-Class": "STANDARD_IA", "X-Amz-Acl": "private"}), wantParsed: Query},
		{name: "header: x-amzn-trace-id unsigned", req: add(header(nil), "X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"), wantParsed: Header},
		{name: "header: unsigned x-amz-content-sha256 equal to the signed payload hash", req: func() *http.Request { return signedWithout(t, empty) }, wantParsed: Header},
		{name: "header: unsigned x-amz-content-sha256 other than the signed payload hash", req: func() *http.Request { return signedWithout(t, UnsignedPayload) },
			status: 403, code: "SignatureDoesNotMatch"},
		{name: "presigned: x-amz-content-sha256 header equal to the signed UNSIGNED-PAYLOAD", req: add(presign(nil), "X-Amz-Content-Sha256", UnsignedPayload), wantParsed: Query},
		{name: "presigned: unsigned content-type and user-agent", req: add(presign(nil), "Content-Type", "text/plain", "User-Agent", "curl"), wantParsed: Query},
		{name: "anonymous with x-amz-acl", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://"+host+"/b/k", nil)
			r.Header.Set("X-Amz-Acl", "public-read")
			return serverSide(t, r)
		}, wantParsed: Anonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req()
			err := verify(r, "us-east-1", now.Add(time.Minute))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if a, _ := Parse(r); a.Kind != tt.wantParsed {
					t.Fatalf("parsed as %v, want %v", a.Kind, tt.wantParsed)
				}
				return
			}
			var e *s3err.Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Status != tt.status {
				t.Fatalf("got %v (%T), want %d %s", err, err, tt.status, tt.code)
			}
			if e.Elem("HeadersNotSigned") != strings.Join(tt.notSigned, ", ") {
				t.Errorf("HeadersNotSigned %q, want %q", e.Elem("HeadersNotSigned"), tt.notSigned)
			}
			if tt.notSigned != nil && e.Message != "There were headers present in the request which were not signed" {
				t.Errorf("message %q", e.Message)
			}
			if !strings.Contains(e.Message, tt.msgHas) {
				t.Errorf("message %q does not contain %q", e.Message, tt.msgHas)
			}
			if e.Elem("ArgumentName") != tt.argName || !strings.HasPrefix(e.Elem("ArgumentValue"), tt.argValue) {
				t.Errorf("argument %q=%q, want %q=%q…", e.Elem("ArgumentName"), e.Elem("ArgumentValue"), tt.argName, tt.argValue)
			}
		})
	}
}

func TestUnsignedHeaders(t *testing.T) {
	a := &Auth{Kind: Header, SignedHeaders: []string{"host", "x-amz-content-sha256", "x-amz-date", "x-amz-meta-a"}, PayloadHash: empty}
	tests := []struct {
		name string
		h    http.Header
		want []string
	}{
		{"none", http.Header{}, nil},
		{"all signed", http.Header{"X-Amz-Date": {"x"}, "X-Amz-Meta-A": {"1"}, "X-Amz-Content-Sha256": {empty, "x"}}, nil},
		{"other prefixes", http.Header{"X-Amzn-Trace-Id": {"x"}, "X-Amz": {"x"}, "Amz-Sdk-Request": {"x"}, "Content-Md5": {"x"}, "X-Am": {"x"}}, nil},
		{"sorted and lower case", http.Header{"X-Amz-Tagging": {"a=b"}, "X-Amz-Acl": {"private"}, "x-amz-meta-B": {"1"}}, []string{"x-amz-acl", "x-amz-meta-b", "x-amz-tagging"}},
		{"two spellings of one name", http.Header{"X-Amz-Acl": {"a"}, "x-amz-acl": {"b"}}, []string{"x-amz-acl"}},
		{"bare prefix", http.Header{"X-Amz-": {"x"}}, []string{"x-amz-"}},
		{"non-ASCII after the prefix", http.Header{"X-Amz-\u00e9": {"x"}}, []string{"x-amz-\u00e9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.UnsignedHeaders(tt.h); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	unsignedHash := &Auth{Kind: Header, SignedHeaders: []string{"host"}, PayloadHash: empty}
	for _, tt := range []struct {
		name string
		vals []string
		want []string
	}{
		{"the signed payload hash", []string{empty}, nil},
		{"another value", []string{UnsignedPayload}, []string{"x-amz-content-sha256"}},
		{"the hash twice", []string{empty, empty}, []string{"x-amz-content-sha256"}},
	} {
		t.Run("unsigned x-amz-content-sha256: "+tt.name, func(t *testing.T) {
			if got := unsignedHash.UnsignedHeaders(http.Header{"X-Amz-Content-Sha256": tt.vals}); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParse: Parse never panics, fails only with *s3err.Error, and accepts no
// request with an unsigned x-amz-* header, a repeated authentication query
// parameter, or both an Authorization header and query authentication.
func FuzzParse(f *testing.F) {
	auth := "AWS4-HMAC-SHA256 Credential=AKIAS3VPCE0EXAMPLE01/20261125/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + strings.Repeat("a", 64)
	query := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAS3VPCE0EXAMPLE01%2F20261125%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261125T140000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("b", 64)
	f.Add(auth, "", "X-Amz-Meta-Foo", "1")
	f.Add(auth, "", "X-Amzn-Trace-Id", "Root=1")
	f.Add(auth, "", "x-amz-date", "20261125T140000Z")
	f.Add(auth, query, "X-Amz-Date", "20261125T140000Z")
	f.Add("", query, "X-Amz-Copy-Source", "/b/k")
	f.Add("", query, "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	f.Add("", query+"&X-Amz-Signature="+strings.Repeat("c", 64), "", "")
	f.Add("Bearer x", query, "", "")
	f.Add("", "Signature=x&AWSAccessKeyId=y", "X-Amz-Acl", "public-read")
	f.Fuzz(func(t *testing.T, authorization, rawQuery, name, value string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/b/k", RawQuery: rawQuery}, Host: host, Header: http.Header{}}
		r.Header.Set("X-Amz-Date", "20261125T140000Z")
		r.Header.Set("X-Amz-Content-Sha256", empty)
		if authorization != "" {
			r.Header["Authorization"] = strings.Split(authorization, "\n")
		}
		if name != "" {
			r.Header[name] = append(r.Header[name], value)
		}
		a, err := Parse(r)
		if err != nil {
			if _, ok := err.(*s3err.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if a.Kind == Anonymous {
			return
		}
		for k, vs := range r.Header {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-amz-") && !slices.Contains(a.SignedHeaders, lk) && !(lk == "x-amz-content-sha256" && len(vs) == 1 && vs[0] == a.PayloadHash) {
				t.Fatalf("accepted with %s unsigned (signed: %q)", k, a.SignedHeaders)
			}
		}
		q := r.URL.Query()
		for _, k := range queryAuthParams {
			if len(q[k]) > 1 {
				t.Fatalf("accepted with %s given %s times", k, strconv.Itoa(len(q[k])))
			}
		}
		if len(r.Header.Values("Authorization")) > 1 || a.Kind == Header && (q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") || q.Has("Signature")) {
			t.Fatalf("accepted %v with Authorization %q and query %q", a.Kind, r.Header.Values("Authorization"), rawQuery)
		}
	})
}
