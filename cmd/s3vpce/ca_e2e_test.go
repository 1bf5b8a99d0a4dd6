package main

import (
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
