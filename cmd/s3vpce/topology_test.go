package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// seedDescribe is where the describe-* outputs of an account like the
// seed's are, from this package.
var seedDescribe = filepath.Join("..", "..", "internal", "topoimport", "testdata", "seed")

func seedDescribeFiles(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(seedDescribe, n)
	}
	return out
}

// transcript runs s3vpce with args and renders the run as the golden files
// show it, paths from the repository root.
func transcript(t *testing.T, args ...string) (string, int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, nil, &stdout, &stderr)
	root := filepath.Join("..", "..") + string(filepath.Separator)
	out := fmt.Sprintf("$ s3vpce %s\nexit status %d\n--- stdout\n%s--- stderr\n%s",
		strings.Join(args, " "), code, stdout.String(), stderr.String())
	return strings.ReplaceAll(out, root, ""), code, stdout.String()
}

// TestCLITopologyImportGolden: import turns the describe-* outputs into a
// topology file on standard output, with the warnings and a summary on
// standard error; -o writes the same file; bad input is located.
func TestCLITopologyImportGolden(t *testing.T) {
	t.Parallel()
	files := seedDescribeFiles("vpcs.json", "vpc-attribute-my-vpc.json", "subnets.json", "security-groups.json", "route-tables.json",
		"internet-gateways.json", "instances.json", "vpc-endpoints.json", "network-interfaces.json")
	got, code, stdout := transcript(t, append([]string{"topology", "import"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, got)
	}
	golden(t, "topology-import-seed.golden", got)
	if _, err := vpce.ParseTopology([]byte(stdout)); err != nil {
		t.Errorf("the imported topology does not parse: %v", err)
	}

	t.Run("-o", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "topology.json")
		var out, errb bytes.Buffer
		args := append([]string{"topology", "import", "-o", path}, files...)
		if code := run(t.Context(), args, nil, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		written, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(written) != stdout || out.Len() != 0 {
			t.Errorf("-o wrote %d bytes (standard output %d), want the %d of the topology file", len(written), out.Len(), len(stdout))
		}
		if !strings.HasSuffix(errb.String(), "to "+path+" (3 warnings)\n") {
			t.Errorf("summary %q does not name %s", errb.String(), path)
		}
	})
	t.Run("errors", func(t *testing.T) {
		var all strings.Builder
		tmp := t.TempDir()
		bad := func(name string) string { return filepath.Join("testdata", "topology", name) }
		for _, args := range [][]string{
			{"topology", "import", seedDescribeFiles("vpcs.json")[0], bad("describe-truncated.json")},
			{"topology", "import", bad("describe-bad-cidr.json")},
			{"topology", "import", seedDescribeFiles("vpcs.json")[0], bad("describe-overlapping-subnets.json")},
			{"topology", "import", bad("unknown-field.json")},
			{"topology", "import", filepath.Join(tmp, "missing.json")},
			{"topology", "import", seedDescribeFiles("subnets.json")[0]},
		} {
			got, code, _ := transcript(t, args...)
			if code != 1 {
				t.Errorf("%q: exit %d, want 1", args, code)
			}
			all.WriteString(strings.ReplaceAll(got, tmp, "TMP") + "\n")
		}
		golden(t, "topology-import-errors.golden", all.String())
	})
}

// TestCLITopologyValidateGolden: validate prints what a good file holds,
// and each bad file's error with its field, line and column.
func TestCLITopologyValidateGolden(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"topology", "validate", filepath.Join("..", "..", "testdata", "topology.json")}, 0},
		{[]string{"topology", "validate", filepath.Join("testdata", "topology", "unknown-field.json"),
			filepath.Join("testdata", "topology", "malformed.json"),
			filepath.Join("testdata", "topology", "route-to-detached-igw.json"),
			filepath.Join("..", "..", "testdata", "topology.json")}, 1},
	} {
		got, code, _ := transcript(t, tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d", tc.args, code, tc.code)
		}
		all.WriteString(got + "\n")
	}
	golden(t, "topology-validate.golden", all.String())
}

// TestCLITopologyExport: export reads a running serve's current topology
// over the admin socket: the file parses to that very topology, after a
// change made at run time too; --home works before the command and after.
func TestCLITopologyExport(t *testing.T) {
	srv := emulatortest.New(t)
	home := adminHome(t, srv.Server)
	deny := `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}`
	srv.SetEndpointPolicy(vpce.DefaultEndpointID, deny)
	want := srv.Topology().Spec()
	if want.Endpoints[0].Policy != deny {
		t.Fatal("the policy change did not take")
	}
	out := filepath.Join(t.TempDir(), "exported.json")
	for _, tc := range []struct {
		name string
		args []string
		file string
	}{
		{"stdout", []string{"topology", "export", "--home", home}, ""},
		{"global --home, -o", []string{"--home", home, "topology", "export", "-o", out}, out},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, nil, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			data := stdout.Bytes()
			if tc.file != "" {
				var err error
				if data, err = os.ReadFile(tc.file); err != nil {
					t.Fatal(err)
				}
			}
			topo, err := vpce.ParseTopology(data)
			if err != nil {
				t.Fatalf("the exported file does not parse: %v\n%s", err, data)
			}
			got := reflect.ValueOf(topo.Spec())
			for i := range got.NumField() {
				g, w := got.Field(i).Interface(), reflect.ValueOf(want).Field(i).Interface()
				if !reflect.DeepEqual(g, w) {
					t.Errorf("the exported topology's %s differ from the server's:\n%+v\nwant\n%+v", got.Type().Field(i).Name, g, w)
				}
			}
		})
	}
	t.Run("no serve", func(t *testing.T) {
		empty := t.TempDir()
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"topology", "export", "--home", empty}, nil, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "no running s3vpce serve with state directory "+empty) {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	})
}
