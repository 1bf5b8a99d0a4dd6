package s3control

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/policy"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	account = "123456789012"
	region  = "us-east-1"
)

// counter is a deterministic random source: 0, 1, 2, …
type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.n
		c.n++
	}
	return len(p), nil
}

func newHandler(t *testing.T) (*Handler, *store.Store) {
	t.Helper()
	st := store.NewMemory(store.Options{})
	t.Cleanup(func() { _ = st.Close() })
	for _, b := range []string{"b", "other"} {
		if err := st.CreateBucket(store.Bucket{Name: b, Owner: account}); err != nil {
			t.Fatal(err)
		}
	}
	h := New(st)
	h.rand = &counter{}
	return h, st
}

type step struct {
	name    string
	method  string
	target  string
	body    string
	account string // x-amz-account-id; "-" for none, "" for the host's
	status  int
	code    string // the error code, when status >= 300
}

func do(t *testing.T, h *Handler, s step) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(s.method, "https://"+account+".control.vpce-0123456789abcdef0-abcdefgh.s3.us-east-1.vpce.amazonaws.com"+s.target, strings.NewReader(s.body))
	r = r.WithContext(s3err.WithRequestID(r.Context(), "REQID", "HOSTID"))
	switch s.account {
	case "":
		r.Header.Set("x-amz-account-id", account)
	case "-":
	default:
		r.Header.Set("x-amz-account-id", s.account)
	}
	req := &Request{HTTP: r, Account: account, Region: region, RequestID: "REQID",
		Now:       time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
		VPCExists: func(id string) bool { return id == "vpc-0a1b2c3d4e5f60718" }}
	op, name, cerr := Classify(r)
	w := httptest.NewRecorder()
	if cerr != nil {
		writeError(w, req, cerr)
		return w
	}
	req.Op, req.Name = op, name
	h.Serve(w, req)
	return w
}

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", strings.NewReplacer(" ", "-", "/", "-").Replace(name)+".golden")
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n%s\nwant:\n%s", p, got, want)
	}
}

const vpcBody = `<CreateAccessPointRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><Bucket>b</Bucket><VpcConfiguration><VpcId>vpc-0a1b2c3d4e5f60718</VpcId></VpcConfiguration></CreateAccessPointRequest>`

func policyBody(doc string) string {
	var b strings.Builder
	b.WriteString(`<PutAccessPointPolicyRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><Policy>`)
	_ = xml.EscapeText(&b, []byte(doc))
	b.WriteString(`</Policy></PutAccessPointPolicyRequest>`)
	return b.String()
}

const denyPrefix = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/secret/*"}]}`

const publicPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/open/object/*"}]}`

// TestServe runs the access point operations in order over one store;
// every response body is a golden file.
func TestServe(t *testing.T) {
	h, _ := newHandler(t)
	steps := []step{
		{name: "create ap1 vpc", method: "PUT", target: "/v20180820/accesspoint/ap1", body: vpcBody, status: 200},
		{name: "create ap2 internet", method: "PUT", target: "/v20180820/accesspoint/ap2", body: `<CreateAccessPointRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><Bucket>other</Bucket><BucketAccountId>123456789012</BucketAccountId><PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration></CreateAccessPointRequest>`, status: 200},
		{name: "create open", method: "PUT", target: "/v20180820/accesspoint/open", body: `<CreateAccessPointRequest><Bucket>b</Bucket><PublicAccessBlockConfiguration><BlockPublicPolicy>false</BlockPublicPolicy></PublicAccessBlockConfiguration></CreateAccessPointRequest>`, status: 200},
		{name: "create duplicate", method: "PUT", target: "/v20180820/accesspoint/ap1", body: vpcBody, status: 409, code: "AccessPointAlreadyOwnedByYou"},
		{name: "create no bucket", method: "PUT", target: "/v20180820/accesspoint/ap3", body: `<CreateAccessPointRequest><Bucket>nope</Bucket></CreateAccessPointRequest>`, status: 404, code: "NoSuchBucket"},
		{name: "create bad name", method: "PUT", target: "/v20180820/accesspoint/AP_1", body: vpcBody, status: 400, code: "InvalidAccessPoint"},
		{name: "create unknown vpc", method: "PUT", target: "/v20180820/accesspoint/ap3", body: strings.Replace(vpcBody, "vpc-0a1b", "vpc-ffff", 1), status: 400, code: "InvalidRequest"},
		{name: "create malformed", method: "PUT", target: "/v20180820/accesspoint/ap3", body: `<CreateAccessPointRequest><Bucket>b`, status: 400, code: "MalformedXML"},
		{name: "create wrong bucket account", method: "PUT", target: "/v20180820/accesspoint/ap3", body: `<CreateAccessPointRequest><Bucket>b</Bucket><BucketAccountId>999988887777</BucketAccountId></CreateAccessPointRequest>`, status: 403, code: "AccessDenied"},
		{name: "get ap1", method: "GET", target: "/v20180820/accesspoint/ap1", status: 200},
		{name: "get ap2", method: "GET", target: "/v20180820/accesspoint/ap2", status: 200},
		{name: "get missing", method: "GET", target: "/v20180820/accesspoint/nope", status: 404, code: "NoSuchAccessPoint"},
		{name: "list all", method: "GET", target: "/v20180820/accesspoint", status: 200},
		{name: "list page 1", method: "GET", target: "/v20180820/accesspoint?maxResults=2", status: 200},
		{name: "list page 2", method: "GET", target: "/v20180820/accesspoint?maxResults=2&nextToken=YXAy", status: 200},
		{name: "list bucket", method: "GET", target: "/v20180820/accesspoint?bucket=other", status: 200},
		{name: "list none", method: "GET", target: "/v20180820/accesspoint?bucket=nope", status: 200},
		{name: "list bad max", method: "GET", target: "/v20180820/accesspoint?maxResults=1001", status: 400, code: "InvalidRequest"},
		{name: "list bad token", method: "GET", target: "/v20180820/accesspoint?nextToken=!!", status: 400, code: "InvalidRequest"},
		{name: "get policy none", method: "GET", target: "/v20180820/accesspoint/ap1/policy", status: 404, code: "NoSuchAccessPointPolicy"},
		{name: "policy status none", method: "GET", target: "/v20180820/accesspoint/ap1/policyStatus", status: 404, code: "NoSuchAccessPointPolicy"},
		{name: "put policy", method: "PUT", target: "/v20180820/accesspoint/ap1/policy", body: policyBody(denyPrefix), status: 200},
		{name: "get policy", method: "GET", target: "/v20180820/accesspoint/ap1/policy", status: 200},
		{name: "policy status private", method: "GET", target: "/v20180820/accesspoint/ap1/policyStatus", status: 200},
		{name: "put public policy blocked", method: "PUT", target: "/v20180820/accesspoint/ap1/policy", body: policyBody(strings.ReplaceAll(publicPolicy, "/open/", "/ap1/")), status: 403, code: "AccessDenied"},
		{name: "put public policy", method: "PUT", target: "/v20180820/accesspoint/open/policy", body: policyBody(publicPolicy), status: 200},
		{name: "policy status public", method: "GET", target: "/v20180820/accesspoint/open/policyStatus", status: 200},
		{name: "put malformed policy", method: "PUT", target: "/v20180820/accesspoint/ap1/policy", body: policyBody(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), status: 400, code: "MalformedPolicy"},
		{name: "put policy not json", method: "PUT", target: "/v20180820/accesspoint/ap1/policy", body: policyBody(`nope`), status: 400, code: "MalformedPolicy"},
		{name: "put policy no policy", method: "PUT", target: "/v20180820/accesspoint/ap1/policy", body: `<PutAccessPointPolicyRequest/>`, status: 400, code: "MalformedXML"},
		{name: "put policy missing ap", method: "PUT", target: "/v20180820/accesspoint/nope/policy", body: policyBody(denyPrefix), status: 404, code: "NoSuchAccessPoint"},
		{name: "delete policy", method: "DELETE", target: "/v20180820/accesspoint/ap1/policy", status: 204},
		{name: "get policy deleted", method: "GET", target: "/v20180820/accesspoint/ap1/policy", status: 404, code: "NoSuchAccessPointPolicy"},
		{name: "no account header", method: "GET", target: "/v20180820/accesspoint/ap1", account: "-", status: 400, code: "InvalidRequest"},
		{name: "other account header", method: "GET", target: "/v20180820/accesspoint/ap1", account: "999988887777", status: 400, code: "InvalidRequest"},
		{name: "bad account header", method: "GET", target: "/v20180820/accesspoint", account: "12345", status: 400, code: "InvalidAccessPoint"},
		{name: "wrong method", method: "POST", target: "/v20180820/accesspoint/ap1", status: 405, code: "MethodNotAllowed"},
		{name: "other api", method: "GET", target: "/v20180820/jobs", status: 501, code: "NotImplemented"},
		{name: "not s3 control", method: "GET", target: "/bucket/key", status: 400, code: "InvalidRequest"},
		{name: "delete ap2", method: "DELETE", target: "/v20180820/accesspoint/ap2", status: 204},
		{name: "delete ap2 again", method: "DELETE", target: "/v20180820/accesspoint/ap2", status: 404, code: "NoSuchAccessPoint"},
		{name: "list after delete", method: "GET", target: "/v20180820/accesspoint", status: 200},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			w := do(t, h, s)
			if w.Code != s.status {
				t.Fatalf("status %d, want %d; body:\n%s", w.Code, s.status, w.Body)
			}
			if got := w.Header().Get("x-amz-request-id"); got != "REQID" {
				t.Errorf("x-amz-request-id = %q", got)
			}
			body := w.Body.Bytes()
			if s.status >= 300 {
				var e struct {
					XMLName   xml.Name `xml:"ErrorResponse"`
					Code      string   `xml:"Error>Code"`
					Message   string   `xml:"Error>Message"`
					RequestID string   `xml:"RequestId"`
					HostID    string   `xml:"HostId"`
				}
				if err := xml.Unmarshal(body, &e); err != nil {
					t.Fatalf("error body does not parse as <ErrorResponse>: %v\n%s", err, body)
				}
				if e.Code != s.code || e.Message == "" || e.RequestID != "REQID" || e.HostID != "HOSTID" {
					t.Errorf("error %+v, want code %s with message and IDs", e, s.code)
				}
			}
			if s.status == 204 && len(body) != 0 {
				t.Errorf("204 with a body: %q", body)
			}
			golden(t, s.name, append([]byte(w.Result().Status+"\n"), body...))
		})
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		method, path   string
		op, name, code string
	}{
		{"PUT", "/v20180820/accesspoint/ap1", OpCreateAccessPoint, "ap1", ""},
		{"GET", "/v20180820/accesspoint/ap1", OpGetAccessPoint, "ap1", ""},
		{"DELETE", "/v20180820/accesspoint/ap1", OpDeleteAccessPoint, "ap1", ""},
		{"GET", "/v20180820/accesspoint", OpListAccessPoints, "", ""},
		{"PUT", "/v20180820/accesspoint/ap1/policy", OpPutAccessPointPolicy, "ap1", ""},
		{"GET", "/v20180820/accesspoint/ap1/policy", OpGetAccessPointPolicy, "ap1", ""},
		{"DELETE", "/v20180820/accesspoint/ap1/policy", OpDeleteAccessPointPolicy, "ap1", ""},
		{"GET", "/v20180820/accesspoint/ap1/policyStatus", OpGetAccessPointPolicyStatus, "ap1", ""},
		{"PUT", "/v20180820/accesspoint", "", "", "MethodNotAllowed"},
		{"PUT", "/v20180820/accesspoint/ap1/policyStatus", "", "", "MethodNotAllowed"},
		{"GET", "/v20180820/accesspoint/", "", "", "InvalidAccessPoint"},
		{"GET", "/v20180820/accesspoint/ap1/", "", "", "InvalidAccessPoint"},
		{"GET", "/v20180820/accesspoint/ap1/tagging", "", "", "NotImplemented"},
		{"GET", "/v20180820/accesspointx", "", "", "NotImplemented"},
		{"GET", "/v20180820/mrap/instances", "", "", "NotImplemented"},
		{"GET", "/", "", "", "InvalidRequest"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			op, name, err := Classify(httptest.NewRequest(c.method, c.path, nil))
			code := ""
			if err != nil {
				code = err.Code
			}
			if op != c.op || name != c.name || code != c.code {
				t.Errorf("Classify = %q %q %v, want %q %q %s", op, name, err, c.op, c.name, c.code)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	cases := map[string]bool{
		"ap1": true, "a-b-c": true, "123": true, strings.Repeat("a", 50): true,
		"ab": false, strings.Repeat("a", 51): false, "-ap": false, "ap-": false, "AP1": false, "a_p": false,
		"a.p": false, "xn--ap": false, "my-s3alias": false, "mys3alias": true, "ap-s3alias": false, "": false,
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			if got := ValidName(name); got != want {
				t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
			}
		})
	}
}

func TestIsPublic(t *testing.T) {
	cases := []struct {
		name, doc string
		want      bool
	}{
		{"allow star", publicPolicy, true},
		{"allow AWS star", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/*"}]}`, true},
		{"deny star", denyPrefix, false},
		{"allow account", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/*"}]}`, false},
		{"allow star from vpc", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}`, false},
		{"allow star any vpc", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/*","Condition":{"StringLike":{"aws:SourceVpc":"*"}}}]}`, true},
		{"allow star other condition", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, true},
		{"allow not principal", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap1/object/*"}]}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(c.doc), policy.WithKind(policyKind))
			if err != nil {
				t.Fatal(err)
			}
			if got := IsPublic(p); got != c.want {
				t.Errorf("IsPublic = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseCreateAccessPoint(t *testing.T) {
	cases := []struct {
		name, body string
		code       string
		want       PublicAccessBlock
		vpc        string
	}{
		{"defaults", `<CreateAccessPointRequest><Bucket>b</Bucket></CreateAccessPointRequest>`, "", PublicAccessBlock{true, true, true, true}, ""},
		{"namespace and vpc", vpcBody, "", PublicAccessBlock{true, true, true, true}, "vpc-0a1b2c3d4e5f60718"},
		{"partial block", `<CreateAccessPointRequest><Bucket>b</Bucket><PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration></CreateAccessPointRequest>`, "", PublicAccessBlock{IgnorePublicAcls: true}, ""},
		{"no bucket", `<CreateAccessPointRequest/>`, "MalformedXML", PublicAccessBlock{}, ""},
		{"empty vpc", `<CreateAccessPointRequest><Bucket>b</Bucket><VpcConfiguration/></CreateAccessPointRequest>`, "MalformedXML", PublicAccessBlock{}, ""},
		{"wrong root", `<Foo><Bucket>b</Bucket></Foo>`, "MalformedXML", PublicAccessBlock{}, ""},
		{"wrong namespace", `<CreateAccessPointRequest xmlns="urn:x"><Bucket>b</Bucket></CreateAccessPointRequest>`, "MalformedXML", PublicAccessBlock{}, ""},
		{"bad bucket account", `<CreateAccessPointRequest><Bucket>b</Bucket><BucketAccountId>12</BucketAccountId></CreateAccessPointRequest>`, "InvalidAccessPoint", PublicAccessBlock{}, ""},
		{"not a bool", `<CreateAccessPointRequest><Bucket>b</Bucket><PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration></CreateAccessPointRequest>`, "MalformedXML", PublicAccessBlock{}, ""},
		{"empty", ``, "MalformedXML", PublicAccessBlock{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := ParseCreateAccessPoint([]byte(c.body))
			if c.code != "" {
				if err == nil || err.Code != c.code {
					t.Fatalf("error %v, want %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			vpc := ""
			if in.VpcConfiguration != nil {
				vpc = in.VpcConfiguration.VpcID
			}
			if in.Bucket != "b" || *in.PublicAccessBlockConfiguration != c.want || vpc != c.vpc {
				t.Errorf("parsed %+v block %+v vpc %q", in, *in.PublicAccessBlockConfiguration, vpc)
			}
		})
	}
}

// TestAlias: aliases are <name prefix>-<34 lower-case alnum>-s3alias, at
// most 63 characters, and differ between access points.
func TestAlias(t *testing.T) {
	h := New(store.NewMemory(store.Options{}))
	seen := map[string]bool{}
	for _, name := range []string{"ap1", "ap1", strings.Repeat("a", 19) + "-b", strings.Repeat("x", 50)} {
		a, err := h.newAlias(name)
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := strings.CutSuffix(a, "-s3alias")
		i := strings.LastIndexByte(rest, '-')
		if !ok || len(a) > 63 || i < 0 || len(rest)-i-1 != 34 || !strings.HasPrefix(name, rest[:i]) || strings.HasSuffix(rest[:i], "-") || seen[a] {
			t.Errorf("alias %q of %q", a, name)
		}
		for _, c := range rest[i+1:] {
			if !strings.ContainsRune(aliasChars, c) {
				t.Errorf("alias %q has %q", a, c)
			}
		}
		seen[a] = true
	}
}

// TestServeCrossAccountIsolation: another account's host sees none of
// the first account's access points.
func TestServeCrossAccountIsolation(t *testing.T) {
	h, st := newHandler(t)
	if w := do(t, h, step{method: "PUT", target: "/v20180820/accesspoint/ap1", body: vpcBody}); w.Code != 200 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	r := httptest.NewRequestWithContext(context.Background(), "GET", "/v20180820/accesspoint/ap1", nil)
	r.Header.Set("x-amz-account-id", "999988887777")
	w := httptest.NewRecorder()
	h.Serve(w, &Request{HTTP: r, Account: "999988887777", Region: region})
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<Code>NoSuchAccessPoint</Code>") {
		t.Errorf("other account's GetAccessPoint: %d %s", w.Code, w.Body)
	}
	if ap, err := st.AccessPoint(account, "ap1"); err != nil || ap.VPCID != "vpc-0a1b2c3d4e5f60718" || ap.Alias == "" || !ap.BlockPublicPolicy {
		t.Errorf("stored %+v, %v", ap, err)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"GET /v20180820/accesspoint", "PUT /v20180820/accesspoint/ap1", "GET /v20180820/accesspoint/ap1/policyStatus", "DELETE /v20180820/accesspoint//policy", "GET /x", "POST /v20180820/accesspoint/a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		method, path, _ := strings.Cut(s, " ")
		r := &http.Request{Method: method, URL: mustURL(path)}
		op, name, err := Classify(r)
		if (err == nil) == (op == "") {
			t.Fatalf("Classify(%q) = %q, %q, %v: an op or an error, not both", s, op, name, err)
		}
		if err != nil && (err.Status < 400 || err.Code == "" || err.Message == "") {
			t.Fatalf("Classify(%q): error %+v", s, err)
		}
		if err == nil && (op == OpListAccessPoints) != (name == "") {
			t.Fatalf("Classify(%q) = %q with name %q", s, op, name)
		}
		if err == nil && strings.Contains(name, "/") {
			t.Fatalf("Classify(%q): name %q has a slash", s, name)
		}
	})
}

func FuzzParseCreateAccessPoint(f *testing.F) {
	f.Add([]byte(vpcBody))
	f.Add([]byte(`<CreateAccessPointRequest><Bucket>b</Bucket><PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration></CreateAccessPointRequest>`))
	f.Add([]byte(`<CreateAccessPointRequest><Bucket>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseCreateAccessPoint(body)
		if err != nil {
			if err.Status != 400 || err.Code == "" {
				t.Fatalf("error %+v", err)
			}
			return
		}
		if in.Bucket == "" || in.PublicAccessBlockConfiguration == nil || (in.VpcConfiguration != nil && in.VpcConfiguration.VpcID == "") {
			t.Fatalf("accepted %q as %+v", body, in)
		}
	})
}

func mustURL(path string) *url.URL {
	u, err := url.Parse(path)
	if err != nil {
		return &url.URL{Path: path}
	}
	return u
}
