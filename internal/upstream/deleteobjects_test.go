package upstream

import (
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type parsedResult struct {
	Deleted []DeleteEntry `xml:"Deleted"`
	Errors  []DeniedEntry `xml:"Error"`
}

func TestMergeDeleteResult(t *testing.T) {
	denied := []DeniedEntry{{DeleteEntry{Key: "a<b"}, "AccessDenied", "Access Denied"}, {DeleteEntry{Key: "v", VersionID: "1"}, "AccessDenied", "Access Denied"}}
	tests := []struct {
		name        string
		result      string
		wantDeleted int
		wantErrors  int
		wantErr     bool
	}{
		{"S3's shape", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Deleted><Key>x</Key></Deleted><Error><Key>y</Key><Code>InternalError</Code><Message>m</Message></Error></DeleteResult>` + "\n", 1, 3, false},
		{"quiet, empty", `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`, 0, 2, false},
		{"quiet, open and close", `<DeleteResult></DeleteResult>`, 0, 2, false},
		{"prefixed", `<s3:DeleteResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Deleted><s3:Key>x</s3:Key></s3:Deleted></s3:DeleteResult>`, 1, 2, false},
		{"not a DeleteResult", `<Error><Code>x</Code></Error>`, 0, 0, true},
		{"not XML", `garbage`, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := MergeDeleteResult([]byte(tc.result), denied)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("merged %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got parsedResult
			if err := xml.Unmarshal(out, &got); err != nil {
				t.Fatalf("merged document does not parse: %v\n%s", err, out)
			}
			if len(got.Deleted) != tc.wantDeleted || len(got.Errors) != tc.wantErrors {
				t.Fatalf("merged %d deleted, %d errors; want %d, %d\n%s", len(got.Deleted), len(got.Errors), tc.wantDeleted, tc.wantErrors, out)
			}
			if last := got.Errors[len(got.Errors)-1]; last != denied[1] {
				t.Fatalf("last error %+v, want %+v", last, denied[1])
			}
		})
	}
}

func TestParseDelete(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []DeleteEntry
		quiet     bool
		wantErr   bool
	}{
		{"two keys", `<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>`,
			[]DeleteEntry{{Key: "a"}, {Key: "b", VersionID: "v"}}, true, false},
		{"no keys", `<Delete></Delete>`, nil, false, true},
		{"too many", "<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", MaxDeleteKeys+1) + "</Delete>", nil, false, true},
		{"other root", `<Remove><Object><Key>a</Key></Object></Remove>`, nil, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			quiet, got, err := ParseDelete([]byte(tc.doc))
			if tc.wantErr {
				if !errors.Is(err, ErrMalformedDelete) {
					t.Fatalf("error = %v, want ErrMalformedDelete", err)
				}
				return
			}
			if err != nil || quiet != tc.quiet || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseDelete = %v, %+v, %v", quiet, got, err)
			}
		})
	}
}

// FuzzParseDelete: whatever parses round-trips through EncodeDelete.
func FuzzParseDelete(f *testing.F) {
	f.Add([]byte(`<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>`))
	f.Add([]byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>&lt;&#x9;</Key></Object></Delete>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		quiet, objs, err := ParseDelete(doc)
		if err != nil {
			return
		}
		q2, objs2, err := ParseDelete(EncodeDelete(quiet, objs))
		if err != nil || q2 != quiet || !reflect.DeepEqual(objs, objs2) {
			t.Fatalf("round trip: %v %+v -> %v %+v, %v", quiet, objs, q2, objs2, err)
		}
	})
}

// FuzzMergeDeleteResult: a merge never panics, and what it returns
// parses with every upstream entry and every denied entry.
func FuzzMergeDeleteResult(f *testing.F) {
	f.Add([]byte(`<DeleteResult><Deleted><Key>x</Key></Deleted></DeleteResult>`), "k")
	f.Add([]byte(`<s3:DeleteResult xmlns:s3="u"></s3:DeleteResult>  `), "a&b")
	f.Add([]byte(`<DeleteResult><!-- </DeleteResult> --></DeleteResult>`), "")
	f.Fuzz(func(t *testing.T, result []byte, key string) {
		var before parsedResult
		beforeErr := xml.Unmarshal(result, &before)
		denied := []DeniedEntry{{DeleteEntry{Key: key}, "AccessDenied", "Access Denied"}}
		out, err := MergeDeleteResult(result, denied)
		if err != nil {
			return
		}
		var after parsedResult
		if err := xml.Unmarshal(out, &after); err != nil {
			t.Fatalf("merged document does not parse: %v\n%q", err, out)
		}
		if beforeErr == nil && (len(after.Deleted) != len(before.Deleted) || len(after.Errors) != len(before.Errors)+1) {
			t.Fatalf("merged %d/%d entries from %d/%d\n%q", len(after.Deleted), len(after.Errors), len(before.Deleted), len(before.Errors), out)
		}
	})
}

// FuzzRewriteErrorIDs: the rewrite never panics and an S3 error keeps
// its Code.
func FuzzRewriteErrorIDs(f *testing.F) {
	f.Add([]byte(`<Error><Code>NoSuchKey</Code><RequestId>x</RequestId><HostId>y</HostId></Error>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, code := RewriteErrorIDs(doc, "OWN", "HOST")
		if code == "" {
			return
		}
		var e struct {
			Code string `xml:"Code"`
		}
		if err := xml.Unmarshal(out, &e); err != nil || e.Code != code {
			t.Fatalf("rewritten %q: code %q, %v; want %q", out, e.Code, err, code)
		}
	})
}
