package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/store"
)

// sseKey is an SSE-C key with its headers' values.
type sseKey struct{ raw []byte }

func newSSEKey(fill byte) sseKey { return sseKey{raw: bytes.Repeat([]byte{fill}, 32)} }

func (k sseKey) b64() string { return base64.StdEncoding.EncodeToString(k.raw) }

func (k sseKey) md5() string {
	sum := md5.Sum(k.raw)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// headers are the SSE-C request headers for k: x-amz-server-side-
// encryption-customer-* for prefix "", x-amz-copy-source-server-side-
// encryption-customer-* for "x-amz-copy-source-".
func (k sseKey) headers(prefix string) map[string]string {
	if prefix == "" {
		prefix = "x-amz-"
	}
	return map[string]string{
		prefix + "server-side-encryption-customer-algorithm": "AES256",
		prefix + "server-side-encryption-customer-key":       k.b64(),
		prefix + "server-side-encryption-customer-key-MD5":   k.md5(),
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

// merge is the union of header maps, later ones winning.
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

const (
	testKeyID  = "0b2c9c6e-4b7a-4b8e-9b1e-5f0d6a1c2e31"
	testKeyARN = "arn:aws:kms:us-east-1:" + emulator.DefaultAccountID + ":key/" + testKeyID
	otherARN   = "arn:aws:kms:eu-west-1:999999999999:key/mrk-0123456789abcdef0123456789abcdef"
)

var derivedKeyARN = regexp.MustCompile(`^arn:aws:kms:us-east-1:` + emulator.DefaultAccountID + `:key/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestSSEPutObject: PutObject's encryption headers, accepted and reported
// on the PUT and on a later HEAD and GET as S3 does, or refused with S3's
// error and extra elements.
func TestSSEPutObject(t *testing.T) {
	srv, _ := newServer(t, "sse")
	keyA := newSSEKey('a')
	context := base64.StdEncoding.EncodeToString([]byte(`{"team":"red"}`))
	const sseH, keyH = "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"
	cases := []struct {
		name string
		hdr  map[string]string
		// want: response headers of PUT, HEAD and GET ("*derived" matches
		// a derived key ARN, "" absent); putOnly: of the PUT alone.
		want, putOnly map[string]string
		// readHdr: what HEAD and GET send (SSE-C's key).
		readHdr map[string]string
		status  int
		code    string
		fields  map[string]string
	}{
		{name: "no headers is SSE-S3", want: map[string]string{sseH: "AES256", keyH: ""}},
		{name: "AES256", hdr: h(sseH, "AES256"), want: map[string]string{sseH: "AES256", keyH: ""}},
		{name: "aws:kms without key is the aws/s3 key", hdr: h(sseH, "aws:kms"), want: map[string]string{sseH: "aws:kms", keyH: "*derived"}},
		{name: "aws:kms key ID is the bucket owner's key ARN", hdr: h(sseH, "aws:kms", keyH, testKeyID), want: map[string]string{sseH: "aws:kms", keyH: testKeyARN}},
		{name: "aws:kms key ARN as given", hdr: h(sseH, "aws:kms", keyH, otherARN), want: map[string]string{sseH: "aws:kms", keyH: otherARN}},
		{name: "aws:kms alias", hdr: h(sseH, "aws:kms", keyH, "alias/app"), want: map[string]string{sseH: "aws:kms", keyH: "*derived"}},
		{name: "aws:kms:dsse", hdr: h(sseH, "aws:kms:dsse", keyH, testKeyID, "x-amz-server-side-encryption-bucket-key-enabled", "true"),
			want: map[string]string{sseH: "aws:kms:dsse", keyH: testKeyARN, "x-amz-server-side-encryption-bucket-key-enabled": ""}},
		{name: "bucket key", hdr: h(sseH, "aws:kms", "x-amz-server-side-encryption-bucket-key-enabled", "true"),
			want: map[string]string{sseH: "aws:kms", "x-amz-server-side-encryption-bucket-key-enabled": "true"}},
		{name: "encryption context echoed by the write only", hdr: h(sseH, "aws:kms", "x-amz-server-side-encryption-context", context),
			want: map[string]string{sseH: "aws:kms"}, putOnly: map[string]string{"x-amz-server-side-encryption-context": context}},
		{name: "SSE-C", hdr: keyA.headers(""), readHdr: keyA.headers(""),
			want: map[string]string{sseH: "", "x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key-MD5": keyA.md5()}},

		{name: "unknown method", hdr: h(sseH, "aes:kms"), status: 400, code: "InvalidArgument",
			fields: map[string]string{"Message": "The encryption method specified is not supported", "ArgumentName": sseH, "ArgumentValue": "aes:kms"}},
		{name: "key ID without aws:kms", hdr: h(keyH, testKeyID), status: 400, code: "InvalidArgument",
			fields: map[string]string{"Message": "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", "ArgumentName": keyH}},
		{name: "key ID with AES256", hdr: h(sseH, "AES256", keyH, testKeyID), status: 400, code: "InvalidArgument"},
		{name: "malformed key ID", hdr: h(sseH, "aws:kms", keyH, "testkey-1"), status: 400, code: "KMS.NotFoundException",
			fields: map[string]string{"Message": "Invalid keyId testkey-1"}},
		{name: "context not base64 JSON", hdr: h(sseH, "aws:kms", "x-amz-server-side-encryption-context", "bm90IGpzb24="), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentName": "x-amz-server-side-encryption-context"}},
		{name: "SSE-S3 with SSE-C", hdr: merge(h(sseH, "AES256"), keyA.headers("")), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentName": sseH, "ArgumentValue": "AES256"}},
		{name: "SSE-C without algorithm", hdr: h("x-amz-server-side-encryption-customer-key", keyA.b64(), "x-amz-server-side-encryption-customer-key-MD5", keyA.md5()), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentName": "x-amz-server-side-encryption-customer-algorithm"}},
		{name: "SSE-C AES192", hdr: merge(keyA.headers(""), h("x-amz-server-side-encryption-customer-algorithm", "AES192")), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentValue": "AES192"}},
		{name: "SSE-C without key", hdr: h("x-amz-server-side-encryption-customer-algorithm", "AES256"), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentName": "x-amz-server-side-encryption-customer-key"}},
		{name: "SSE-C short key", hdr: merge(keyA.headers(""), h("x-amz-server-side-encryption-customer-key", base64.StdEncoding.EncodeToString([]byte("short")))), status: 400, code: "InvalidArgument",
			fields: map[string]string{"Message": "The secret key was invalid for the specified algorithm."}},
		{name: "SSE-C without MD5", hdr: h("x-amz-server-side-encryption-customer-algorithm", "AES256", "x-amz-server-side-encryption-customer-key", keyA.b64()), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentName": "x-amz-server-side-encryption-customer-key-md5"}},
		{name: "SSE-C wrong MD5", hdr: merge(keyA.headers(""), h("x-amz-server-side-encryption-customer-key-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")), status: 400, code: "InvalidArgument",
			fields: map[string]string{"Message": "The calculated MD5 hash of the key did not match the hash that was provided."}},
	}
	derived := map[string]string{} // case name -> derived ARN, checked stable below
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := "/sse/obj" + string(rune('a'+i))
			r := do(t, srv, "PUT", path, []byte("body"), tc.hdr)
			if tc.status != 0 {
				if r.Status != tc.status {
					t.Fatalf("PUT: %d %s, want %d", r.Status, r.Body, tc.status)
				}
				f := errorFields(t, r)
				if f["Code"] != tc.code {
					t.Errorf("Code %q, want %q", f["Code"], tc.code)
				}
				for k, v := range tc.fields {
					if f[k] != v {
						t.Errorf("%s %q, want %q", k, f[k], v)
					}
				}
				return
			}
			if r.Status != 200 {
				t.Fatalf("PUT: %d %s", r.Status, r.Body)
			}
			check := func(what string, got http.Header, want map[string]string) {
				for k, v := range want {
					switch g := got.Get(k); {
					case v == "*derived":
						if !derivedKeyARN.MatchString(g) {
							t.Errorf("%s: %s %q, want a key ARN of the bucket owner", what, k, g)
						}
						derived[tc.name] = g
					case g != v:
						t.Errorf("%s: %s %q, want %q", what, k, g, v)
					}
				}
			}
			check("PUT", r.Header, tc.want)
			check("PUT", r.Header, tc.putOnly)
			for _, method := range []string{"HEAD", "GET"} {
				rr := do(t, srv, method, path, nil, tc.readHdr)
				if rr.Status != 200 {
					t.Fatalf("%s: %d %s", method, rr.Status, rr.Body)
				}
				check(method, rr.Header, tc.want)
				for k := range tc.putOnly {
					if rr.Header.Get(k) != "" {
						t.Errorf("%s sends %s; S3 sends it on writes only", method, k)
					}
				}
			}
		})
	}
	t.Run("derived keys are stable and distinct", func(t *testing.T) {
		r := do(t, srv, "PUT", "/sse/again", []byte("x"), h(sseH, "aws:kms", keyH, "alias/aws/s3"))
		def := derived["aws:kms without key is the aws/s3 key"]
		if got := r.Header.Get(keyH); got != def || def == "" {
			t.Errorf("alias/aws/s3 is %q, the default key %q; want the same", got, def)
		}
		if app := derived["aws:kms alias"]; app == def || app == "" {
			t.Errorf("alias/app is %q, the default key %q; want another key", app, def)
		}
	})
}

// TestSSECustomerKeyEnforced: an SSE-C object answers only to its key, on
// GET, HEAD, ranged GET and as a copy source, with S3's errors; other
// objects refuse SSE-C parameters and reads refuse the write-only
// x-amz-server-side-encryption header. The key itself is never stored.
func TestSSECustomerKeyEnforced(t *testing.T) {
	mem := store.NewMemory(store.Options{})
	srv := emulatortest.New(t, emulatortest.WithBuckets("ssec"), emulatortest.WithOptions(func(o *emulator.Options) { o.Store = mem }))
	keyA, keyB := newSSEKey('a'), newSSEKey('b')
	if r := do(t, srv, "PUT", "/ssec/secret", []byte("0123456789"), keyA.headers("")); r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	if r := do(t, srv, "PUT", "/ssec/plain", []byte("plain"), nil); r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		code, message      string
		body               string
	}{
		{name: "GET without key", method: "GET", path: "/ssec/secret", status: 400, code: "InvalidRequest",
			message: "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."},
		{name: "HEAD without key", method: "HEAD", path: "/ssec/secret", status: 400},
		{name: "GET with another key", method: "GET", path: "/ssec/secret", hdr: keyB.headers(""), status: 403, code: "AccessDenied",
			message: "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key."},
		{name: "HEAD with another key", method: "HEAD", path: "/ssec/secret", hdr: keyB.headers(""), status: 403},
		{name: "GET with a bad MD5", method: "GET", path: "/ssec/secret", hdr: merge(keyA.headers(""), h("x-amz-server-side-encryption-customer-key-MD5", keyB.md5())), status: 400, code: "InvalidArgument"},
		{name: "GET with the key", method: "GET", path: "/ssec/secret", hdr: keyA.headers(""), status: 200, body: "0123456789"},
		{name: "ranged GET with the key", method: "GET", path: "/ssec/secret", hdr: merge(keyA.headers(""), h("Range", "bytes=2-4")), status: 206, body: "234"},
		{name: "HEAD with the key", method: "HEAD", path: "/ssec/secret", hdr: keyA.headers(""), status: 200},
		{name: "key for an object without SSE-C", method: "GET", path: "/ssec/plain", hdr: keyA.headers(""), status: 400, code: "InvalidRequest",
			message: "The encryption parameters are not applicable to this object."},
		{name: "x-amz-server-side-encryption on GET", method: "GET", path: "/ssec/plain", hdr: h("x-amz-server-side-encryption", "AES256"), status: 400, code: "InvalidArgument",
			message: "x-amz-server-side-encryption header is not supported for this operation."},
		{name: "x-amz-server-side-encryption on HEAD", method: "HEAD", path: "/ssec/plain", hdr: h("x-amz-server-side-encryption", "aws:kms"), status: 400},
		{name: "copy without the source key", method: "PUT", path: "/ssec/copy", hdr: h("x-amz-copy-source", "/ssec/secret"), status: 400, code: "InvalidRequest"},
		{name: "copy with another source key", method: "PUT", path: "/ssec/copy", hdr: merge(h("x-amz-copy-source", "/ssec/secret"), keyB.headers("x-amz-copy-source-")), status: 403, code: "AccessDenied"},
		{name: "copy with the source key", method: "PUT", path: "/ssec/copy", hdr: merge(h("x-amz-copy-source", "/ssec/secret"), keyA.headers("x-amz-copy-source-")), status: 200},
		{name: "the copy is SSE-S3", method: "GET", path: "/ssec/copy", status: 200, body: "0123456789"},
		{name: "copy to SSE-C under a new key", method: "PUT", path: "/ssec/copy2", hdr: merge(h("x-amz-copy-source", "/ssec/secret"), keyA.headers("x-amz-copy-source-"), keyB.headers("")), status: 200},
		{name: "the new copy answers to the new key", method: "GET", path: "/ssec/copy2", hdr: keyB.headers(""), status: 200, body: "0123456789"},
		{name: "and not to the old", method: "GET", path: "/ssec/copy2", hdr: keyA.headers(""), status: 403, code: "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, tc.method, tc.path, nil, tc.hdr)
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
			if tc.code != "" {
				f := errorFields(t, r)
				if f["Code"] != tc.code || (tc.message != "" && f["Message"] != tc.message) {
					t.Errorf("%s: %s, want %s: %s", f["Code"], f["Message"], tc.code, tc.message)
				}
			}
			if tc.body != "" && string(r.Body) != tc.body {
				t.Errorf("body %q, want %q", r.Body, tc.body)
			}
			if r.Status < 300 && tc.method != "PUT" && tc.hdr["x-amz-server-side-encryption-customer-key"] != "" {
				if got := r.Header.Get("x-amz-server-side-encryption-customer-key-MD5"); got != tc.hdr["x-amz-server-side-encryption-customer-key-MD5"] {
					t.Errorf("key MD5 %q echoed, want the request's", got)
				}
				if got := r.Header.Get("x-amz-server-side-encryption"); got != "" {
					t.Errorf("x-amz-server-side-encryption %q on an SSE-C object, want none", got)
				}
			}
		})
	}
	t.Run("the key is not stored", func(t *testing.T) {
		v, err := mem.Object("ssec", "secret", "")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(v)
		for _, enc := range []string{keyA.b64(), string(keyA.raw), base64.StdEncoding.EncodeToString(keyA.raw[:16])} {
			if strings.Contains(string(raw), enc) {
				t.Errorf("the stored version holds the key (%q): %s", enc, raw)
			}
		}
		if len(v.Extra) == 0 {
			t.Errorf("no key hash stored: %s", raw)
		}
	})
}

// TestSSEMultipart: an upload's encryption is the one CreateMultipartUpload
// asked for, reported by every step; an SSE-C upload's parts, copied parts
// and completion must present its key (400 otherwise, as S3 answers for
// parts).
func TestSSEMultipart(t *testing.T) {
	srv, c := newServer(t, "ssemp")
	ctx := t.Context()
	keyA, keyB := newSSEKey('a'), newSSEKey('b')
	put(t, c, "ssemp", "src", strings.Repeat("s", 100))
	part := strings.Repeat("p", 5<<20)

	t.Run("SSE-KMS", func(t *testing.T) {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssemp"), Key: aws.String("kms"),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(testKeyID), BucketKeyEnabled: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if cr.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(cr.SSEKMSKeyId) != testKeyARN || !aws.ToBool(cr.BucketKeyEnabled) {
			t.Errorf("CreateMultipartUpload: %s %s %v", cr.ServerSideEncryption, aws.ToString(cr.SSEKMSKeyId), aws.ToBool(cr.BucketKeyEnabled))
		}
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssemp"), Key: aws.String("kms"), UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader(part)})
		if err != nil {
			t.Fatal(err)
		}
		if up.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(up.SSEKMSKeyId) != testKeyARN {
			t.Errorf("UploadPart: %s %s", up.ServerSideEncryption, aws.ToString(up.SSEKMSKeyId))
		}
		pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssemp"), Key: aws.String("kms"), UploadId: cr.UploadId, PartNumber: aws.Int32(2), CopySource: aws.String("ssemp/src")})
		if err != nil {
			t.Fatal(err)
		}
		if pc.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(pc.SSEKMSKeyId) != testKeyARN {
			t.Errorf("UploadPartCopy: %s %s", pc.ServerSideEncryption, aws.ToString(pc.SSEKMSKeyId))
		}
		done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssemp"), Key: aws.String("kms"), UploadId: cr.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}, {PartNumber: aws.Int32(2), ETag: pc.CopyPartResult.ETag}}}})
		if err != nil {
			t.Fatal(err)
		}
		if done.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(done.SSEKMSKeyId) != testKeyARN || !aws.ToBool(done.BucketKeyEnabled) {
			t.Errorf("CompleteMultipartUpload: %s %s %v", done.ServerSideEncryption, aws.ToString(done.SSEKMSKeyId), aws.ToBool(done.BucketKeyEnabled))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssemp"), Key: aws.String("kms")})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != testKeyARN {
			t.Errorf("HeadObject: %s %s", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
		}
	})

	t.Run("SSE-C", func(t *testing.T) {
		r := do(t, srv, "POST", "/ssemp/c?uploads", nil, keyA.headers(""))
		if r.Status != 200 || r.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != keyA.md5() {
			t.Fatalf("CreateMultipartUpload: %d %v %s", r.Status, r.Header, r.Body)
		}
		uploadID := regexp.MustCompile(`<UploadId>([^<]+)</UploadId>`).FindStringSubmatch(string(r.Body))[1]
		q := "?uploadId=" + uploadID
		steps := []struct {
			name, method, query string
			hdr                 map[string]string
			body                string
			status              int
			code                string
		}{
			{name: "part without the key", method: "PUT", query: "&partNumber=1", body: part, status: 400, code: "InvalidRequest"},
			{name: "part with another key", method: "PUT", query: "&partNumber=1", body: part, hdr: keyB.headers(""), status: 400, code: "InvalidRequest"},
			{name: "part with the key", method: "PUT", query: "&partNumber=1", body: part, hdr: keyA.headers(""), status: 200},
			{name: "part copy without the key", method: "PUT", query: "&partNumber=2", hdr: h("x-amz-copy-source", "/ssemp/src"), status: 400, code: "InvalidRequest"},
			{name: "part copy with the key", method: "PUT", query: "&partNumber=2", hdr: merge(h("x-amz-copy-source", "/ssemp/src"), keyA.headers("")), status: 200},
		}
		etags := map[string]string{}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				var body []byte
				if s.body != "" {
					body = []byte(s.body)
				}
				r := do(t, srv, s.method, "/ssemp/c"+q+s.query, body, s.hdr)
				if r.Status != s.status {
					t.Fatalf("%d %s, want %d", r.Status, r.Body, s.status)
				}
				if s.code != "" {
					if f := errorFields(t, r); f["Code"] != s.code {
						t.Errorf("Code %s, want %s", f["Code"], s.code)
					}
					return
				}
				if r.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != keyA.md5() || r.Header.Get("x-amz-server-side-encryption") != "" {
					t.Errorf("headers %v, want the upload's key MD5 and no x-amz-server-side-encryption", r.Header)
				}
				etag := r.Header.Get("ETag")
				if m := regexp.MustCompile(`<ETag>([^<]+)</ETag>`).FindStringSubmatch(string(r.Body)); m != nil {
					etag = strings.ReplaceAll(m[1], "&#34;", `"`)
				}
				etags[s.query] = etag
			})
		}
		complete := []byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + etags["&partNumber=1"] +
			`</ETag></Part><Part><PartNumber>2</PartNumber><ETag>` + etags["&partNumber=2"] + `</ETag></Part></CompleteMultipartUpload>`)
		for _, s := range []struct {
			name   string
			hdr    map[string]string
			status int
		}{{"complete without the key", nil, 400}, {"complete with another key", keyB.headers(""), 400}, {"complete with the key", keyA.headers(""), 200}} {
			t.Run(s.name, func(t *testing.T) {
				r := do(t, srv, "POST", "/ssemp/c"+q, complete, s.hdr)
				if r.Status != s.status {
					t.Fatalf("%d %s, want %d", r.Status, r.Body, s.status)
				}
			})
		}
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssemp"), Key: aws.String("c"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(keyA.b64()), SSECustomerKeyMD5: aws.String(keyA.md5())})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(b) != part+strings.Repeat("s", 100) || aws.ToString(got.SSECustomerKeyMD5) != keyA.md5() {
			t.Errorf("GetObject: %d bytes, key MD5 %q", len(b), aws.ToString(got.SSECustomerKeyMD5))
		}
		if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssemp"), Key: aws.String("c")}); !strings.HasPrefix(apiError(err), "InvalidRequest") {
			t.Errorf("GetObject without the key: %v, want InvalidRequest", apiError(err))
		}
	})
}

// TestSSEBucketDefault: the bucket's default encryption is validated,
// applied to writes without encryption headers (not to those with), and
// removed by DeleteBucketEncryption; a default KMS key that is not a key
// is refused on the write, as KMS refuses it.
func TestSSEBucketDefault(t *testing.T) {
	_, c := newServer(t, "ssedef")
	ctx := t.Context()
	setDefault := func(alg types.ServerSideEncryption, keyID string, bucketKey bool) error {
		d := &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
		if keyID != "" {
			d.KMSMasterKeyID = aws.String(keyID)
		}
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("ssedef"),
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: d, BucketKeyEnabled: aws.Bool(bucketKey)}}}})
		return err
	}
	if err := setDefault(types.ServerSideEncryptionAes256, testKeyID, false); !strings.HasPrefix(apiError(err), "InvalidArgument") {
		t.Errorf("AES256 default with a KMS key: %v, want InvalidArgument", apiError(err))
	}
	if err := setDefault("AES128", "", false); !strings.HasPrefix(apiError(err), "MalformedXML") {
		t.Errorf("unknown default algorithm: %v, want MalformedXML", apiError(err))
	}
	if err := setDefault(types.ServerSideEncryptionAwsKms, testKeyID, true); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("ssedef")})
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.ServerSideEncryptionConfiguration.Rules[0]; aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != testKeyID || !aws.ToBool(r.BucketKeyEnabled) {
		t.Errorf("GetBucketEncryption: %+v", r)
	}
	cases := []struct {
		name      string
		in        s3.PutObjectInput
		sse       types.ServerSideEncryption
		keyARN    string
		bucketKey bool
	}{
		{name: "no headers: the default", sse: types.ServerSideEncryptionAwsKms, keyARN: testKeyARN, bucketKey: true},
		{name: "AES256 asked", in: s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAes256}, sse: types.ServerSideEncryptionAes256},
		{name: "another key asked", in: s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(otherARN)},
			sse: types.ServerSideEncryptionAwsKms, keyARN: otherARN, bucketKey: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key, in.Body = aws.String("ssedef"), aws.String(tc.name), strings.NewReader("x")
			out, err := c.PutObject(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if out.ServerSideEncryption != tc.sse || aws.ToString(out.SSEKMSKeyId) != tc.keyARN || aws.ToBool(out.BucketKeyEnabled) != tc.bucketKey {
				t.Errorf("PutObject: %s %q %v, want %s %q %v", out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled), tc.sse, tc.keyARN, tc.bucketKey)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssedef"), Key: aws.String(tc.name)})
			if err != nil {
				t.Fatal(err)
			}
			if head.ServerSideEncryption != tc.sse || aws.ToString(head.SSEKMSKeyId) != tc.keyARN {
				t.Errorf("HeadObject: %s %q", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
			}
		})
	}
	t.Run("copy takes the destination's default, not the source's encryption", func(t *testing.T) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssedef"), Key: aws.String("s3src"), Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
			t.Fatal(err)
		}
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssedef"), Key: aws.String("copied"), CopySource: aws.String("ssedef/s3src")})
		if err != nil {
			t.Fatal(err)
		}
		if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != testKeyARN {
			t.Errorf("CopyObject: %s %q", out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId))
		}
	})
	t.Run("a default key that is not a key", func(t *testing.T) {
		if err := setDefault(types.ServerSideEncryptionAwsKms, "aws/s3", false); err != nil {
			t.Fatal(err)
		}
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssedef"), Key: aws.String("k"), Body: strings.NewReader("x")})
		if got := apiError(err); got != "KMS.NotFoundException: Invalid keyId aws/s3" {
			t.Errorf("PutObject: %s", got)
		}
	})
	t.Run("deleted default is SSE-S3", func(t *testing.T) {
		if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("ssedef")}); err != nil {
			t.Fatal(err)
		}
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssedef"), Key: aws.String("after"), Body: strings.NewReader("x")})
		if err != nil {
			t.Fatal(err)
		}
		if out.ServerSideEncryption != types.ServerSideEncryptionAes256 || out.SSEKMSKeyId != nil {
			t.Errorf("PutObject: %s %v", out.ServerSideEncryption, out.SSEKMSKeyId)
		}
	})
}

// TestSSEDenyPolicies: the bucket policies that require encryption, as AWS
// documents them, exercised both ways through the gate: StringNotEquals
// on s3:x-amz-server-side-encryption, its Null form, and the Null form on
// s3:x-amz-server-side-encryption-customer-algorithm.
func TestSSEDenyPolicies(t *testing.T) {
	srv, _ := newServer(t, "ssepol")
	keyA := newSSEKey('a')
	deny := func(cond map[string]any) string {
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
			"Resource": "arn:aws:s3:::ssepol/*", "Condition": cond}}})
		return string(doc)
	}
	const sseKey = "s3:x-amz-server-side-encryption"
	policies := []struct {
		name, doc string
		// allowed: which requests the policy lets through.
		allowed map[string]bool
	}{
		{name: "StringNotEquals aws:kms", doc: deny(map[string]any{"StringNotEquals": map[string]string{sseKey: "aws:kms"}}),
			allowed: map[string]bool{"aws:kms": true}},
		{name: "Null", doc: deny(map[string]any{"Null": map[string]string{sseKey: "true"}}),
			allowed: map[string]bool{"aws:kms": true, "AES256": true}},
		{name: "Null customer algorithm", doc: deny(map[string]any{"Null": map[string]string{sseKey + "-customer-algorithm": "true"}}),
			allowed: map[string]bool{"SSE-C": true}},
	}
	requests := map[string]map[string]string{
		"none":    nil,
		"AES256":  h("x-amz-server-side-encryption", "AES256"),
		"aws:kms": h("x-amz-server-side-encryption", "aws:kms"),
		"SSE-C":   keyA.headers(""),
	}
	for _, p := range policies {
		t.Run(p.name, func(t *testing.T) {
			srv.SetBucketPolicy("ssepol", p.doc)
			t.Cleanup(func() { srv.SetBucketPolicy("ssepol", "") })
			for name, hdr := range requests {
				r := do(t, srv, "PUT", "/ssepol/obj", []byte("x"), hdr)
				switch {
				case p.allowed[name] && r.Status != 200:
					t.Errorf("%s: %d %s, want 200", name, r.Status, r.Body)
				case !p.allowed[name] && r.Status != 403:
					t.Errorf("%s: %d, want 403 from the bucket policy", name, r.Status)
				case !p.allowed[name]:
					srv.RequireDeniedBy("DenyUnencrypted")
				}
			}
		})
	}
}
