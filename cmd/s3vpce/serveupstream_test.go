package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3vpce/s3vpce/certs"
)

// TestServeUpstreamFlags: the upstream flags build the emulator's
// upstream options, credentials from the environment or a profile.
func TestServeUpstreamFlags(t *testing.T) {
	dir := t.TempDir()
	ca, err := certs.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	garbage := filepath.Join(dir, "garbage.pem")
	credsFile := filepath.Join(dir, "credentials")
	for name, data := range map[string][]byte{caFile: ca.CertPEM(), garbage: []byte("not pem"),
		credsFile: []byte("[up]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = profilesecret\n")} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credsFile)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAENV0000000000001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
	tests := []struct {
		name    string
		args    []string
		wantKey string // "" for no upstream
		wantErr bool
	}{
		{"none", nil, "", false},
		{"region without upstream", []string{"--upstream-region", "eu-west-1"}, "", true},
		{"environment", []string{"--upstream", "http://127.0.0.1:9000", "--upstream-path-style", "--upstream-region", "eu-west-1"}, "AKIAENV0000000000001", false},
		{"profile", []string{"--upstream", "http://127.0.0.1:9000", "--upstream-profile", "up"}, "AKIAPROFILE000000001", false},
		{"missing profile", []string{"--upstream", "http://127.0.0.1:9000", "--upstream-profile", "nosuch"}, "", true},
		{"CA", []string{"--upstream", "https://127.0.0.1:9000", "--upstream-ca", caFile}, "AKIAENV0000000000001", false},
		{"CA not PEM", []string{"--upstream", "https://127.0.0.1:9000", "--upstream-ca", garbage}, "", true},
		{"CA missing", []string{"--upstream", "https://127.0.0.1:9000", "--upstream-ca", filepath.Join(dir, "nope")}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, f := newServeFlags(io.Discard)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			up, err := f.up.options(t.Context())
			if tc.wantErr {
				if err == nil {
					t.Fatalf("options accepted %v", tc.args)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantKey == "" {
				if up != nil {
					t.Fatalf("options = %+v, want none", up)
				}
				return
			}
			creds, err := up.Credentials.Retrieve(t.Context())
			if err != nil || creds.AccessKeyID != tc.wantKey {
				t.Fatalf("credentials %q, %v; want %q", creds.AccessKeyID, err, tc.wantKey)
			}
			if up.PathStyle != (f.up.pathStyle) || up.Region != f.up.region || (f.up.ca != "") != (up.RootCAs != nil) {
				t.Fatalf("options %+v from %v", up, tc.args)
			}
		})
	}
}
