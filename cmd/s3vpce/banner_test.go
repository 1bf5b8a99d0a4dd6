package main

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestCLIBannerHome: with a home other than the default, every
// copy-pasteable command line carries --home (quoted for the shell); with
// the default home, none does. The HTTPS port is masked.
func TestCLIBannerHome(t *testing.T) {
	t.Setenv("HOME", "/home/user")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("S3VPCE_HOME", "")
	srv := emulatortest.New(t, emulatortest.WithOptions(func(o *emulator.Options) { o.DNSAddr = "off" }))
	_, port, _ := net.SplitHostPort(srv.Addr())
	for _, tc := range []struct {
		name, home, golden string
		wantHome           bool
	}{
		{"custom home", "/srv/s3vpce state", "banner-custom-home.golden", true},
		{"default home", "/home/user/.local/share/s3vpce", "banner-default-home.golden", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			printBanner(&b, srv.Server, bannerInfo{home: tc.home, homeFlag: homeFlag(tc.home), topology: filepath.Join(tc.home, "data", "topology.json") + " (every change saved; s3vpce topology export" + homeFlag(tc.home) + ")", caFile: filepath.Join(tc.home, "rootCA.pem"),
				data: filepath.Join(tc.home, "data") + " (dir store: kept across restarts)"})
			out := strings.ReplaceAll(b.String(), ":"+port, ":PORT")
			out = strings.ReplaceAll(out, "port "+port, "port PORT")
			golden(t, tc.golden, out)
			for _, line := range strings.Split(out, "\n") {
				line = strings.TrimSpace(line)
				if strings.HasPrefix(line, "s3vpce ") || strings.HasPrefix(line, "eval ") {
					if has := strings.Contains(line, "--home '/srv/s3vpce state'"); has != tc.wantHome {
						t.Errorf("line %q: has --home %v, want %v", line, has, tc.wantHome)
					}
				}
			}
		})
	}
}
