package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestCLIExplainGolden: explain's table, its JSON, one request's trace and
// its JSON, against a fixed-clock server. Request IDs are masked in order
// of appearance (same width, so the table's columns stay put).
func TestCLIExplainGolden(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	deny, err := os.ReadFile("../../testdata/policies/deny-put.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t, emulatortest.WithOptions(func(o *emulator.Options) {
		o.Now = func() time.Time { return now }
		o.AuthOff = true
		o.DNSAddr = "off"
	}), emulatortest.WithBuckets("photos"))
	srv.SetEndpointPolicy(srv.Topology().Endpoints()[0].ID, string(deny))
	home := adminHome(t, srv.Server)
	base := srv.Topology().Endpoints()[0].BucketURL("", 0)
	client := srv.Client()
	var ids []string
	for _, r := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/photos", http.StatusOK},                 // allowed
		{http.MethodPut, "/photos/cat.jpg", http.StatusForbidden},  // endpoint policy DenyPut
		{http.MethodGet, "/nosuchbucket/key", http.StatusNotFound}, // allowed, NoSuchBucket
		{http.MethodGet, "/photos/%ff", http.StatusBadRequest},     // InvalidURI before authorization
	} {
		req, err := http.NewRequestWithContext(t.Context(), r.method, base+r.path, strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != r.status {
			t.Fatalf("%s %s: status %d, want %d", r.method, r.path, resp.StatusCode, r.status)
		}
		ids = append(ids, resp.Header.Get("x-amz-request-id"))
	}
	mask := func(s string) string {
		for i, id := range ids {
			s = strings.ReplaceAll(s, id, "REQUESTID"+strings.Repeat("0", 6)+string(rune('1'+i)))
		}
		return s
	}
	for _, tc := range []struct {
		name, golden string
		args         []string
	}{
		{"table", "explain-table.golden", []string{"explain", "--home", home}},
		{"table json", "explain-table-json.golden", []string{"explain", "--json", "--home", home}},
		{"one denied", "explain-one.golden", []string{"explain", ids[1], "--home", home}},
		{"one denied json", "explain-one-json.golden", []string{"explain", "--home", home, "--json", ids[1]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(t.Context(), tc.args, nil, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			golden(t, tc.golden, mask(out.String()))
		})
	}
	t.Run("unknown request id", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := run(t.Context(), []string{"explain", "--home", home, "0000000000000000"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no recent request with ID 0000000000000000") {
			t.Errorf("exit %d, stderr %q", code, errb.String())
		}
	})
	if !regexp.MustCompile(`^[0-9A-F]{16}$`).MatchString(ids[0]) {
		t.Errorf("request ID %q is not the 16 hex digits the mask assumes", ids[0])
	}
}

// TestCLIExplainTableColumns: the table splits the server's Detail into
// CODE and POLICY STATEMENT, and lists the hints a server gives.
func TestCLIExplainTableColumns(t *testing.T) {
	t.Setenv("S3VPCE_HOME", t.TempDir())
	home := t.TempDir()
	lines := `[
 {"RequestID":"A000000000000001","Time":"12:00:03.000","Principal":"anonymous","Operation":"GetObject","Decision":"deny","Detail":"InvalidRequest","Hint":"SigV2 presigned URL: set signature_version s3v4"},
 {"RequestID":"A000000000000002","Time":"12:00:02.000","Principal":"arn:aws:iam::123456789012:user/a","Operation":"PutObject","Decision":"deny","Detail":"Deny (ImplicitDeny): no VPC endpoint policy allows it"},
 {"RequestID":"A000000000000003","Time":"12:00:01.000","Principal":"arn:aws:iam::123456789012:user/a","Operation":"ListBuckets","Decision":"allow","Detail":""}
]`
	a, err := listenAdmin(filepath.Join(home, adminSocket), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, lines)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"explain", "--home", home}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	golden(t, "explain-columns.golden", out.String())
}
