package emulator_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// postForm sends a browser-style POST upload: fields in order, then the
// file (named "photo.jpg"), then a submit field S3 ignores.
func postForm(t *testing.T, c *http.Client, url string, fields [][2]string, file []byte) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write(file)
	mw.WriteField("submit", "Upload")
	mw.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", "https://app.example.com")
	tr := *c
	tr.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := tr.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// presignedFields signs a POST policy with the Go SDK's presigner and
// returns the URL and the form fields in a fixed order, extra ones last.
func presignedFields(t *testing.T, c *s3.Client, bucket, key string, expires time.Duration, conds []any, extra ...[2]string) (string, [][2]string) {
	t.Helper()
	p, err := s3.NewPresignClient(c).PresignPostObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) { o.Expires, o.Conditions = expires, conds })
	if err != nil {
		t.Fatal(err)
	}
	var fields [][2]string
	for _, k := range []string{"key", "policy", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature"} {
		fields = append(fields, [2]string{k, p.Values[k]})
	}
	return p.URL, append(fields, extra...)
}

func TestPostObject(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("up", "other"))
	c := sdkClient(srv.Server, srv.URL(), false)
	hc := srv.Client()
	meta := []any{map[string]string{"Content-Type": "text/plain"}, []any{"starts-with", "$x-amz-meta-tag", ""},
		[]any{"content-length-range", 1, 64}}

	t.Run("presigned by the SDK, 204 and the object stored", func(t *testing.T) {
		url, fields := presignedFields(t, c, "up", "docs/a.txt", time.Hour, meta, [2]string{"Content-Type", "text/plain"}, [2]string{"x-amz-meta-tag", "v1"})
		resp, body := postForm(t, hc, url, fields, []byte("hello"))
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if d := srv.LastDecision(); d.Operation != "PutObject" || !strings.HasSuffix(d.Principal, ":user/s3vpce") || !d.Allowed() {
			t.Errorf("decision: operation %q principal %q allowed %v", d.Operation, d.Principal, d.Allowed())
		}
		if resp.Header.Get("ETag") != `"5d41402abc4b2a76b9719d911017c592"` || !strings.HasSuffix(resp.Header.Get("Location"), "/docs/a.txt") {
			t.Errorf("ETag %q Location %q", resp.Header.Get("ETag"), resp.Header.Get("Location"))
		}
		out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("up"), Key: aws.String("docs/a.txt")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		if string(got) != "hello" || aws.ToString(out.ContentType) != "text/plain" || out.Metadata["tag"] != "v1" {
			t.Errorf("object %q type %q meta %v", got, aws.ToString(out.ContentType), out.Metadata)
		}
	})

	t.Run("success_action_status 201 answers PostResponse", func(t *testing.T) {
		url, fields := presignedFields(t, c, "up", "b.txt", time.Hour, []any{map[string]string{"success_action_status": "201"}},
			[2]string{"success_action_status", "201"})
		resp, body := postForm(t, hc, url, fields, []byte("x"))
		var pr struct {
			Bucket, Key, ETag, Location string
		}
		if err := xml.Unmarshal(body, &pr); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("status %d, body %s (%v)", resp.StatusCode, body, err)
		}
		if pr.Bucket != "up" || pr.Key != "b.txt" || pr.ETag != `"9dd4e461268c8034f5c8564e155c67a6"` || !strings.HasSuffix(pr.Location, "/b.txt") {
			t.Errorf("PostResponse %+v", pr)
		}
	})

	t.Run("success_action_redirect answers 303 with bucket, key and etag", func(t *testing.T) {
		url, fields := presignedFields(t, c, "up", "c.txt", time.Hour, []any{map[string]string{"success_action_redirect": "https://app.example.com/done?x=1"}},
			[2]string{"success_action_redirect", "https://app.example.com/done?x=1"})
		resp, body := postForm(t, hc, url, fields, []byte("x"))
		want := "https://app.example.com/done?x=1&bucket=up&key=c.txt&etag=%229dd4e461268c8034f5c8564e155c67a6%22"
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("status %d Location %q, want 303 %q (%s)", resp.StatusCode, resp.Header.Get("Location"), want, body)
		}
	})

	t.Run("virtual-hosted URL", func(t *testing.T) {
		_, fields := presignedFields(t, c, "up", "p.txt", time.Hour, nil)
		resp, body := postForm(t, hc, strings.Replace(srv.URL(), "https://bucket.", "https://up.bucket.", 1), fields, []byte("x"))
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})

	refusals := []struct {
		name      string
		key       string
		expires   time.Duration
		conds     []any
		extra     [][2]string
		tamper    func(fields [][2]string)
		url       func(string) string
		file      []byte
		status    int
		code, msg string
	}{
		{name: "tampered signature", tamper: func(f [][2]string) { f[5][1] = strings.Repeat("0", 64) }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "unknown access key", tamper: func(f [][2]string) {
			f[3][1] = strings.Replace(f[3][1], emulator.DefaultAccessKeyID, "AKIANOTAKEY00000000", 1)
		},
			status: 403, code: "InvalidAccessKeyId"},
		{name: "expired policy", expires: -time.Minute, status: 403, code: "AccessDenied", msg: "Invalid according to Policy: Policy expired."},
		{name: "field without a condition", extra: [][2]string{{"x-amz-meta-extra", "1"}}, status: 403, code: "AccessDenied",
			msg: "Invalid according to Policy: Extra input fields: x-amz-meta-extra"},
		{name: "condition failed", conds: []any{map[string]string{"acl": "private"}}, extra: [][2]string{{"acl", "public-read"}}, status: 403,
			code: "AccessDenied", msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "private"]`},
		{name: "another bucket's URL", url: func(u string) string { return strings.TrimSuffix(u, "/up") + "/other" }, status: 403,
			code: "AccessDenied", msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "up"]`},
		{name: "file too large", conds: []any{[]any{"content-length-range", 0, 3}}, file: []byte("four"), status: 400, code: "EntityTooLarge"},
		{name: "file too small", conds: []any{[]any{"content-length-range", 5, 10}}, file: []byte("four"), status: 400, code: "EntityTooSmall"},
		{name: "no key field", tamper: func(f [][2]string) { f[0][0] = "x-ignore-key" }, status: 400, code: "InvalidArgument",
			msg: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields."},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			key := "refused-" + strings.ReplaceAll(tt.name, " ", "-")
			exp := tt.expires
			if exp == 0 {
				exp = time.Hour
			}
			url, fields := presignedFields(t, c, "up", key, exp, tt.conds, tt.extra...)
			if tt.tamper != nil {
				tt.tamper(fields)
			}
			if tt.url != nil {
				url = tt.url(url)
			}
			file := tt.file
			if file == nil {
				file = []byte("x")
			}
			resp, body := postForm(t, hc, url, fields, file)
			var e xmlError
			xml.Unmarshal(body, &e)
			if resp.StatusCode != tt.status || e.Code != tt.code || tt.msg != "" && e.Message != tt.msg {
				t.Errorf("got %d %s %q, want %d %s %q", resp.StatusCode, e.Code, e.Message, tt.status, tt.code, tt.msg)
			}
			if _, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("up"), Key: aws.String(key)}); err == nil {
				t.Errorf("refused upload %s was stored", key)
			}
		})
	}
}

// TestPostObjectGate: a POST upload is a PutObject to the endpoint and
// bucket policies, and an anonymous one needs a policy that lets anyone
// write.
func TestPostObjectGate(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("gated", "open"))
	c := sdkClient(srv.Server, srv.URL(), false)
	srv.SetBucketPolicy("gated", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"NotThisEndpoint","Effect":"Deny","Principal":"*",
		"Action":"s3:PutObject","Resource":"arn:aws:s3:::gated/*","Condition":{"StringEquals":{"aws:SourceVpce":"%s"}}}]}`, vpce.DefaultEndpointID))
	srv.SetBucketPolicy("open", `{"Version":"2012-10-17","Statement":[{"Sid":"AnyoneWrites","Effect":"Allow","Principal":"*",
		"Action":"s3:PutObject","Resource":"arn:aws:s3:::open/*"}]}`)

	url, fields := presignedFields(t, c, "gated", "k", time.Hour, nil)
	resp, body := postForm(t, srv.Client(), url, fields, []byte("x"))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	srv.RequireDeniedBy("NotThisEndpoint")
	if d := srv.LastDecision(); d.Operation != "PutObject" || len(d.Checks) == 0 || d.Checks[0].Action != "s3:PutObject" {
		t.Errorf("decision %+v", d)
	}

	for _, tt := range []struct {
		bucket string
		status int
	}{{"gated", http.StatusForbidden}, {"open", http.StatusNoContent}} {
		t.Run("anonymous to "+tt.bucket, func(t *testing.T) {
			u := strings.Replace(srv.URL(), "https://bucket.", "https://"+tt.bucket+".bucket.", 1)
			resp, body := postForm(t, srv.Client(), u, [][2]string{{"key", "anon.txt"}}, []byte("x"))
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
		})
	}
}

// TestPostObjectSigV2: S3 refuses SigV2 forms for every bucket created
// since 24 June 2020; Options.SigV2Post models an older bucket.
func TestPostObjectSigV2(t *testing.T) {
	doc := base64.StdEncoding.EncodeToString([]byte(`{"expiration":"2099-01-01T00:00:00Z","conditions":[{"bucket":"legacy"},["starts-with","$key",""]]}`))
	mac := hmac.New(sha1.New, []byte(emulator.DefaultSecretAccessKey))
	mac.Write([]byte(doc))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	fields := [][2]string{{"key", "v2.txt"}, {"AWSAccessKeyId", emulator.DefaultAccessKeyID}, {"policy", doc}, {"signature", sig}}
	for _, tt := range []struct {
		name   string
		on     bool
		status int
		code   string
	}{{"refused by default", false, 400, "InvalidRequest"}, {"accepted with SigV2Post", true, 204, ""}} {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulatortest.WithBuckets("legacy"), emulatortest.WithOptions(func(o *emulator.Options) { o.SigV2Post = tt.on }))
			u := srv.URL() + "/legacy"
			resp, body := postForm(t, srv.Client(), u, fields, []byte("x"))
			var e xmlError
			xml.Unmarshal(body, &e)
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Errorf("got %d %s, want %d %s: %s", resp.StatusCode, e.Code, tt.status, tt.code, body)
			}
		})
	}
}
