package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCLIVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, golden string
		bi           *debug.BuildInfo
	}{
		{"release with commit", "version-release.golden", &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Main:      debug.Module{Path: "github.com/s3vpce/s3vpce", Version: "v0.4.0"},
			Settings: []debug.BuildSetting{
				{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
				{Key: "vcs.revision", Value: "321a0b1c0ffee0000000000000000000deadbeef"},
				{Key: "vcs.time", Value: "2026-11-29T12:00:00Z"}, {Key: "vcs.modified", Value: "true"},
			},
		}},
		{"checkout without VCS stamp", "version-devel.golden", &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Main:      debug.Module{Path: "github.com/s3vpce/s3vpce", Version: "(devel)"},
			Settings:  []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := readVersion(tc.bi, true).write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, b.String())
		})
	}
	// The program's own: "version" and "--version" print the same; the
	// variable parts (version, commit, Go, platform) are masked.
	var outs []string
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out, errb bytes.Buffer
		if code := run(t.Context(), args, nil, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		outs = append(outs, out.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("version and --version differ:\n%s\n%s", outs[0], outs[1])
	}
	var masked []string
	for i, line := range strings.Split(strings.TrimSuffix(outs[0], "\n"), "\n") {
		f := strings.Fields(line)
		switch {
		case i == 0 && len(f) == 2 && f[0] == "s3vpce":
			masked = append(masked, "s3vpce VERSION")
		case f[0] == "commit" || f[0] == "date":
			// present only when the build recorded VCS information
		case f[0] == "go" && len(f) == 3 && f[1] == runtime.Version() && f[2] == runtime.GOOS+"/"+runtime.GOARCH:
			masked = append(masked, "go       GOVERSION GOOS/GOARCH")
		default:
			masked = append(masked, "unexpected: "+line)
		}
	}
	golden(t, "version-run.golden", strings.Join(masked, "\n")+"\n")
}
