package postpolicy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

func b64(doc string) string { return base64.StdEncoding.EncodeToString([]byte(doc)) }

func s3Error(t *testing.T, err error) *s3err.Error {
	t.Helper()
	var e *s3err.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *s3err.Error", err, err)
	}
	return e
}

func TestParse(t *testing.T) {
	const exp = `"expiration": "2030-01-01T00:00:00.000Z"`
	tests := []struct {
		name    string
		doc     string
		wantErr string // message; "" for a valid policy
		check   func(t *testing.T, p *Policy)
	}{
		{name: "every condition form", doc: `{` + exp + `, "conditions": [{"bUcKeT": "b"}, ["StArTs-WiTh", "$KeY", "user/"],
			["eq", "$acl", "private"], ["content-length-range", 1, 1024], {"success_action_status": 201}]}`,
			check: func(t *testing.T, p *Policy) {
				want := []Condition{{"eq", "bucket", "bUcKeT", "b"}, {"starts-with", "key", "KeY", "user/"},
					{"eq", "acl", "acl", "private"}, {"eq", "success_action_status", "success_action_status", "201"}}
				if fmt.Sprint(p.Conditions) != fmt.Sprint(want) {
					t.Errorf("conditions = %v, want %v", p.Conditions, want)
				}
				if p.Length == nil || *p.Length != (Range{1, 1024}) {
					t.Errorf("length = %v, want [1, 1024]", p.Length)
				}
				if !p.Expiration.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("expiration = %v", p.Expiration)
				}
			}},
		{name: "expiration without fraction", doc: `{"expiration": "2030-01-01T00:00:00Z", "conditions": []}`},
		{name: "expiration with an offset (the Go SDK's local time)", doc: `{"expiration": "2030-01-01T01:00:00+01:00", "conditions": []}`,
			check: func(t *testing.T, p *Policy) {
				if !p.Expiration.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("expiration = %v", p.Expiration)
				}
			}},
		{name: "not JSON", doc: `{expiration`, wantErr: "Invalid Policy: Invalid JSON."},
		{name: "missing expiration", doc: `{"conditions": []}`, wantErr: "Invalid Policy: Policy missing expiration."},
		{name: "expiration is case-sensitive", doc: `{"EXPIRATION": "2030-01-01T00:00:00Z", "conditions": []}`, wantErr: "Invalid Policy: Policy missing expiration."},
		{name: "bad expiration", doc: `{"expiration": "2030-01-01 00:00:00+00:00", "conditions": []}`,
			wantErr: "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00+00:00'"},
		{name: "missing conditions", doc: `{` + exp + `}`, wantErr: "Invalid Policy: Policy missing conditions."},
		{name: "conditions is case-sensitive", doc: `{` + exp + `, "CONDITIONS": []}`, wantErr: "Invalid Policy: Policy missing conditions."},
		{name: "conditions not a list", doc: `{` + exp + `, "conditions": {}}`, wantErr: "Invalid Policy: Invalid 'conditions' value: must be a List."},
		{name: "empty simple condition", doc: `{` + exp + `, "conditions": [{}]}`,
			wantErr: "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
		{name: "two-property simple condition", doc: `{` + exp + `, "conditions": [{"a": "1", "b": "2"}]}`,
			wantErr: "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
		{name: "range with one bound", doc: `{` + exp + `, "conditions": [["content-length-range", 0]]}`,
			wantErr: "Invalid Policy: Invalid content-length-range condition: it needs a minimum and a maximum."},
		{name: "negative range", doc: `{` + exp + `, "conditions": [["content-length-range", -1, 0]]}`,
			wantErr: "Invalid Policy: Invalid content-length-range condition: the range must be two integers 0 <= min <= max."},
		{name: "field without $", doc: `{` + exp + `, "conditions": [["eq", "key", "k"]]}`,
			wantErr: `Invalid Policy: Invalid 'eq' condition: arguments must be a "$field" and a string.`},
		{name: "unknown operator", doc: `{` + exp + `, "conditions": [["ends-with", "$key", "k"]]}`,
			wantErr: "Invalid Policy: Invalid Condition: unknown condition 'ends-with'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(b64(tt.doc))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse succeeded, want %q", tt.wantErr)
				}
				e := s3Error(t, err)
				if e.Status != http.StatusBadRequest || e.Code != "InvalidPolicyDocument" || e.Message != tt.wantErr {
					t.Errorf("error = %d %s %q, want 400 InvalidPolicyDocument %q", e.Status, e.Code, e.Message, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
	t.Run("not base64", func(t *testing.T) {
		if _, err := Parse("%%%"); err == nil || s3Error(t, err).Code != "InvalidPolicyDocument" {
			t.Errorf("Parse(%%%%%%) = %v, want InvalidPolicyDocument", err)
		}
	})
}

func TestCheck(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pol := func(conds ...Condition) *Policy { return &Policy{Expiration: now.Add(time.Hour), Conditions: conds} }
	form := func(kv ...string) *Form {
		f := &Form{FileName: "photo.jpg"}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Fields = append(f.Fields, Field{kv[i], kv[i+1]})
		}
		return f
	}
	tests := []struct {
		name    string
		p       *Policy
		f       *Form
		bucket  string
		wantMsg string // "" allowed
	}{
		{name: "every field covered", p: pol(Condition{"eq", "bucket", "bucket", "b"}, Condition{"starts-with", "key", "key", "user/"}),
			f: form("key", "user/a", "x-amz-signature", "s", "policy", "p", "x-ignore-me", "1"), bucket: "b"},
		{name: "field names fold case", p: pol(Condition{"eq", "acl", "AcL", "private"}, Condition{"eq", "key", "key", "k"}),
			f: form("kEy", "k", "aCl", "private", "pOLICy", "p")},
		{name: "key expands ${filename}", p: pol(Condition{"eq", "key", "key", "up/photo.jpg"}), f: form("key", "up/${filename}")},
		{name: "expired", p: &Policy{Expiration: now}, f: form(), wantMsg: "Invalid according to Policy: Policy expired."},
		{name: "eq fails", p: pol(Condition{"eq", "acl", "acl", "private"}), f: form("acl", "public-read"),
			wantMsg: `Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "private"]`},
		{name: "starts-with fails on a missing field", p: pol(Condition{"starts-with", "x-amz-meta-foo", "x-amz-meta-foo", "bar"}), f: form(),
			wantMsg: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-foo", "bar"]`},
		{name: "bucket is the request's", p: pol(Condition{"eq", "bucket", "bucket", "a"}), f: form("bucket", "a"), bucket: "b",
			wantMsg: `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "a"]`},
		{name: "extra field", p: pol(Condition{"eq", "key", "key", "k"}), f: form("key", "k", "x-amz-meta-foo", "bar"),
			wantMsg: "Invalid according to Policy: Extra input fields: x-amz-meta-foo"},
		{name: "SigV2 fields are exempt", p: pol(), f: form("AWSAccessKeyId", "a", "Signature", "s")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Check(tt.f, tt.bucket, now)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check allowed, want %q", tt.wantMsg)
			}
			if e := s3Error(t, err); e.Status != http.StatusForbidden || e.Code != "AccessDenied" || e.Message != tt.wantMsg {
				t.Errorf("error = %d %s %q, want 403 AccessDenied %q", e.Status, e.Code, e.Message, tt.wantMsg)
			}
		})
	}
}

func TestCheckLength(t *testing.T) {
	r := &Range{Min: 2, Max: 4}
	tests := []struct {
		name     string
		n        int64
		wantCode string
		elem     string
	}{
		{"below", 1, "EntityTooSmall", "MinSizeAllowed"},
		{"at min", 2, "", ""},
		{"at max", 4, "", ""},
		{"above", 5, "EntityTooLarge", "MaxSizeAllowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.CheckLength(tt.n)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("CheckLength(%d): %v", tt.n, err)
				}
				return
			}
			e := s3Error(t, err)
			if e.Status != http.StatusBadRequest || e.Code != tt.wantCode || e.Elem("ProposedSize") != fmt.Sprint(tt.n) || e.Elem(tt.elem) == "" {
				t.Errorf("CheckLength(%d) = %d %s %v", tt.n, e.Status, e.Code, e.Extra)
			}
		})
	}
	var none *Range
	if err := none.CheckLength(1 << 40); err != nil {
		t.Errorf("nil range refused: %v", err)
	}
}

// multipartBody builds a form: fields in order, then a file part unless
// file is nil.
func multipartBody(t *testing.T, fields [][2]string, file []byte) (http.Header, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", "photo.jpg")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
		mw.WriteField("submit", "after the file: ignored")
	}
	mw.Close()
	return http.Header{"Content-Type": {mw.FormDataContentType()}}, &buf
}

func TestReadForm(t *testing.T) {
	t.Run("fields then file", func(t *testing.T) {
		h, body := multipartBody(t, [][2]string{{"key", "a/${filename}"}, {"Content-Type", "image/jpeg"}}, []byte("data"))
		f, file, err := ReadForm(h, body)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Value("KEY"); got != "a/photo.jpg" {
			t.Errorf("key = %q, want a/photo.jpg", got)
		}
		if got := f.Value("content-type"); got != "image/jpeg" {
			t.Errorf("content-type = %q", got)
		}
		var data bytes.Buffer
		data.ReadFrom(file)
		if data.String() != "data" {
			t.Errorf("file = %q", data.String())
		}
		if len(f.Fields) != 2 {
			t.Errorf("fields = %v, want the two before the file", f.Fields)
		}
	})
	tests := []struct {
		name     string
		header   http.Header
		body     string
		fields   [][2]string
		noFile   bool
		wantCode string
	}{
		{name: "no file", fields: [][2]string{{"key", "k"}}, noFile: true, wantCode: "InvalidArgument"},
		{name: "fields too large", fields: [][2]string{{"x-amz-meta-big", strings.Repeat("x", MaxPreData)}}, wantCode: "MaxPostPreDataLengthExceededError"},
		{name: "no boundary", header: http.Header{"Content-Type": {"multipart/form-data"}}, wantCode: "MalformedPOSTRequest"},
		{name: "not multipart", header: http.Header{"Content-Type": {"text/plain"}}, wantCode: "MalformedPOSTRequest"},
		{name: "truncated", header: http.Header{"Content-Type": {"multipart/form-data; boundary=xx"}}, body: "--xx\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk",
			wantCode: "MalformedPOSTRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, body := tt.header, bytes.NewBufferString(tt.body)
			if h == nil {
				var file []byte
				if !tt.noFile {
					file = []byte("x")
				}
				h, body = multipartBody(t, tt.fields, file)
			}
			_, _, err := ReadForm(h, body)
			if err == nil {
				t.Fatalf("ReadForm succeeded, want %s", tt.wantCode)
			}
			if e := s3Error(t, err); e.Status != http.StatusBadRequest || e.Code != tt.wantCode {
				t.Errorf("error = %d %s, want 400 %s", e.Status, e.Code, tt.wantCode)
			}
		})
	}
}

// FuzzParse: Parse never panics, fails only with InvalidPolicyDocument,
// and a policy it accepts, written back as a document, parses to the same
// policy.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [{"bucket": "b"}, ["starts-with", "$key", ""], ["content-length-range", 0, 10]]}`,
		`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$acl", "private"], {"x-amz-meta-n": 1}]}`,
		`{"expiration": "x", "conditions": []}`, `{"conditions": [{}]}`, `[]`, `null`, `{"expiration": "2030-01-01T00:00:00Z", "conditions": [[]]}`,
	} {
		f.Add(b64(seed))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse(doc)
		if err != nil {
			if e := s3Error(t, err); e.Code != "InvalidPolicyDocument" {
				t.Fatalf("error code %s", e.Code)
			}
			return
		}
		conds := []any{}
		for _, c := range p.Conditions {
			conds = append(conds, []string{c.Op, "$" + c.Name, c.Value})
		}
		if p.Length != nil {
			conds = append(conds, []any{"content-length-range", p.Length.Min, p.Length.Max})
		}
		out, err := json.Marshal(map[string]any{"expiration": p.Expiration.Format(time.RFC3339Nano), "conditions": conds})
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(base64.StdEncoding.EncodeToString(out))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		sameLength := (q.Length == nil) == (p.Length == nil) && (q.Length == nil || *q.Length == *p.Length)
		if fmt.Sprint(q.Conditions) != fmt.Sprint(p.Conditions) || !q.Expiration.Equal(p.Expiration) || !sameLength {
			t.Fatalf("round trip: %+v != %+v", q, p)
		}
	})
}
