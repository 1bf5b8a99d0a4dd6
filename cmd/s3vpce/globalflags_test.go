package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

func TestCLIGlobalFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		version bool
		wantErr string
	}{
		{name: "home before endpoint-policy", args: []string{"--home", "/h", "endpoint-policy", "set", "f.json"}, want: []string{"endpoint-policy", "--home", "/h", "set", "f.json"}},
		{name: "home= before explain", args: []string{"-home=/h", "explain", "ID"}, want: []string{"explain", "--home", "/h", "ID"}},
		{name: "home before exec keeps the command", args: []string{"--home", "/h", "exec", "--", "aws", "--home"}, want: []string{"exec", "--home", "/h", "--", "aws", "--home"}},
		{name: "no global flags", args: []string{"serve", "--home", "/h"}, want: []string{"serve", "--home", "/h"}},
		{name: "version", args: []string{"--version"}, want: []string{}, version: true},
		{name: "home for a command without state", args: []string{"--home", "/h", "policy", "validate", "f"}, wantErr: `--home does not apply to "policy"`},
		{name: "home without value", args: []string{"--home"}, wantErr: "needs an argument"},
		{name: "unknown global flag", args: []string{"--json", "explain"}, wantErr: "unknown global flag --json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, rest, err := parseGlobalFlags(tc.args)
			if err == nil && len(rest) > 0 {
				rest, err = g.apply(rest)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.version != tc.version || !slices.Equal(rest, tc.want) {
				t.Errorf("got version=%v args %q, want version=%v args %q", g.version, rest, tc.version, tc.want)
			}
		})
	}
}

func TestCLIParseInterspersed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		wantPos  []string
		wantHome string
		wantJSON bool
	}{
		{"flags first", []string{"--home", "/h", "set", "f"}, []string{"set", "f"}, "/h", false},
		{"flags between", []string{"set", "--home", "/h", "f"}, []string{"set", "f"}, "/h", false},
		{"flags last", []string{"set", "f", "--json", "--home=/h"}, []string{"set", "f"}, "/h", true},
		{"stdin dash", []string{"set", "-", "--home", "/h"}, []string{"set", "-"}, "/h", false},
		{"double dash ends flags", []string{"get", "--", "--json"}, []string{"get", "--json"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			home := fs.String("home", "", "")
			asJSON := fs.Bool("json", false, "")
			pos, err := parseInterspersed(fs, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tc.wantPos) || *home != tc.wantHome || *asJSON != tc.wantJSON {
				t.Errorf("got %q home=%q json=%v, want %q home=%q json=%v", pos, *home, *asJSON, tc.wantPos, tc.wantHome, tc.wantJSON)
			}
		})
	}
}

// adminHome serves srv's admin API in a fresh state directory, as serve
// does, and returns the directory. $S3VPCE_HOME points elsewhere, so that a
// command that lost --home fails instead of finding it.
func adminHome(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	t.Setenv("S3VPCE_HOME", t.TempDir())
	home := t.TempDir()
	a, err := listenAdmin(filepath.Join(home, adminSocket), srv.AdminHandler())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return home
}

// TestCLIHomeBeforeOrAfterSubcommand: every place --home may be written
// reaches the same running serve.
func TestCLIHomeBeforeOrAfterSubcommand(t *testing.T) {
	srv := emulatortest.New(t)
	home := adminHome(t, srv.Server)
	doc := filepath.Join(t.TempDir(), "deny-put.json")
	data, err := os.ReadFile("../../testdata/policies/deny-put.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(doc, data, 0o600)
	for _, tc := range []struct {
		name string
		args []string
		want string // in stdout
	}{
		{"set, global before", []string{"--home", home, "endpoint-policy", "set", doc}, ""},
		{"set, after the verb", []string{"endpoint-policy", "set", "--home", home, doc}, ""},
		{"set, last", []string{"endpoint-policy", "set", doc, "--home", home}, ""},
		{"get, global before", []string{"--home", home, "endpoint-policy", "get"}, "DenyPut"},
		{"get, after the verb", []string{"endpoint-policy", "get", "--home", home}, "DenyPut"},
		{"explain, global before", []string{"--home=" + home, "explain"}, "no requests yet"},
		{"explain, after", []string{"explain", "--home", home}, "no requests yet"},
		{"reset, after", []string{"endpoint-policy", "reset", "--home", home}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(t.Context(), tc.args, nil, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("stdout %q lacks %q", out.String(), tc.want)
			}
		})
	}
	t.Run("without home", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := run(t.Context(), []string{"endpoint-policy", "get"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no running s3vpce serve") {
			t.Errorf("exit %d, stderr %q: want 1 and no running serve", code, errb.String())
		}
	})
	if p, _ := srv.EndpointPolicy(srv.Topology().Endpoints()[0].ID); p != emulator.DefaultEndpointPolicy {
		t.Errorf("policy after reset is not the default: %s", p)
	}
}
