package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestExecAsOtherUserSaysWhatToDo: an unprivileged exec pointed at root's
// state directory fails, before any namespace, with a message that names
// the owner and what to run instead, not a bare "permission denied".
func TestExecAsOtherUserSaysWhatToDo(t *testing.T) {
	t.Parallel()
	needNamespaces(t) // root, to become nobody
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(publicTempDir(t), "s3vpce.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		serve bool
		want  []string
	}{
		{"serve running", true, []string{"a serve is running in", "belongs to uid 0", `"sudo s3vpce exec --home `, "in a state directory you own"}},
		{"no serve", false, []string{"permission denied", "belongs to uid 0", "--home DIR or S3VPCE_HOME=DIR"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := publicTempDir(t)
			if tc.serve {
				startServe(t, home)
			} else if r := runS3vpce(t, home, "exec", "--", "true"); r.code != 0 { // creates root's CA
				t.Fatalf("exec as root: %d %s", r.code, r.stderr)
			}
			cmd := exec.CommandContext(t.Context(), bin, "exec", "--home", home, "--", "true")
			cmd.Env = []string{envAsMain + "=1", "PATH=/usr/bin:/bin", "HOME=/nonexistent"}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			r := runCmd(t, cmd)
			if r.code != 125 {
				t.Errorf("exit %d, want 125; stderr:\n%s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// publicTempDir is a temporary directory that other users can traverse
// (t.TempDir's parent is private to root).
func publicTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "s3vpce-other-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// caNamespaceScript runs "s3vpce ca install", again, then "uninstall" in a
// private mount namespace where the trust stores are copies: the host's
// are never written. update-ca-certificates' hooks (Debian's Java hook
// runs dpkg triggers) are hidden, so keytool's own step is exercised.
const caNamespaceScript = `set -e
for d in /etc/ssl /usr/local/share/ca-certificates /var/lib/ca-certificates-java; do
  [ -d "$d" ] || continue
  mkdir -p "$T/root$d"; cp -a "$d/." "$T/root$d/"; mount --bind "$T/root$d" "$d"
done
if [ -d /etc/ca-certificates/update.d ]; then mkdir -p "$T/no-hooks"; mount --bind "$T/no-hooks" /etc/ca-certificates/update.d; fi
cp /etc/ssl/certs/ca-certificates.crt "$T/before.crt"
"$SELF" ca install > "$T/install.out"
cp /etc/ssl/certs/ca-certificates.crt "$T/installed.crt"
"$SELF" ca install > "$T/again.out"
"$SELF" ca uninstall > "$T/uninstall.out"
cp /etc/ssl/certs/ca-certificates.crt "$T/after.crt"
if command -v keytool >/dev/null; then
  keytool -list -cacerts -storepass changeit -alias s3vpce > "$T/keytool.out" 2>&1 || echo "exit $?" >> "$T/keytool.out"
fi
`

// TestCAInstallUninstallInThrowawayNamespace: install puts the CA in the
// system bundle (and Java's cacerts), says what it changed, is idempotent,
// and uninstall leaves the bundle byte for byte as it was.
func TestCAInstallUninstallInThrowawayNamespace(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	for _, p := range []string{"unshare", "update-ca-certificates"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is missing (Debian's ca-certificates and util-linux)", p)
		}
	}
	if _, err := os.Stat("/usr/local/share/ca-certificates"); err != nil {
		t.Skip("not a Debian-style system store")
	}
	_, java := exec.LookPath("keytool")
	hostFiles := []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/java/cacerts"}
	before := map[string][]byte{}
	for _, f := range hostFiles {
		before[f], _ = os.ReadFile(f)
	}
	home := t.TempDir()
	out := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := s3vpceCmd(t, home, "ca", "path")
	cmd.Path, _ = exec.LookPath("unshare")
	cmd.Args = []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", caNamespaceScript}
	cmd.Env = append(cmd.Env, "SELF="+self, "T="+out)
	if r := runCmd(t, cmd); r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	caPEM, err := os.ReadFile(filepath.Join(home, "rootCA.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(read("installed.crt"), strings.TrimSpace(string(caPEM))) {
		t.Errorf("after install the system bundle lacks the CA")
	}
	if read("after.crt") != read("before.crt") {
		t.Errorf("after uninstall the system bundle differs from before install")
	}
	steps := []struct{ file, want string }{
		{"install.out", "system store: wrote /usr/local/share/ca-certificates/s3vpce.crt and ran update-ca-certificates"},
		{"again.out", "system store: /usr/local/share/ca-certificates/s3vpce.crt is there already"},
		{"uninstall.out", "system store: removed /usr/local/share/ca-certificates/s3vpce.crt and ran update-ca-certificates"},
	}
	if java == nil {
		steps = append(steps,
			struct{ file, want string }{"install.out", `Java cacerts: added alias "s3vpce"`},
			struct{ file, want string }{"again.out", `Java cacerts: alias "s3vpce" is there already`},
			struct{ file, want string }{"uninstall.out", `Java cacerts: removed alias "s3vpce"`},
			struct{ file, want string }{"keytool.out", "does not exist"},
		)
	}
	t.Logf("ca install:\n%s\nca uninstall:\n%s", read("install.out"), read("uninstall.out"))
	for _, s := range steps {
		if got := read(s.file); !strings.Contains(got, s.want) {
			t.Errorf("%s lacks %q:\n%s", s.file, s.want, got)
		}
	}
	for _, f := range hostFiles {
		if now, _ := os.ReadFile(f); !bytes.Equal(now, before[f]) {
			t.Errorf("the host's %s changed: the namespace leaked", f)
		}
	}
	if _, err := os.Stat("/usr/local/share/ca-certificates/s3vpce.crt"); err == nil {
		t.Errorf("the host has /usr/local/share/ca-certificates/s3vpce.crt: the namespace leaked")
	}
}
