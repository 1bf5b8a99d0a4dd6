package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLICompletion: each script names every subcommand of the usage text
// and every serve flag, and its shell accepts its syntax.
func TestCLICompletion(t *testing.T) {
	t.Parallel()
	var commands []string
	for _, m := range usageCommandRE.FindAllStringSubmatch(usage, -1) {
		commands = append(commands, m[1])
	}
	if len(commands) < 8 {
		t.Fatalf("found only %q in the usage text", commands)
	}
	fs, _ := newServeFlags(io.Discard)
	var serveFlags []string
	fs.VisitAll(func(f *flag.Flag) { serveFlags = append(serveFlags, f.Name) })
	for _, tc := range []struct {
		shell string
		flag  func(name string) string // how the script spells a flag
		check []string                 // syntax check: shell and its flags
	}{
		{"bash", dashed, []string{"bash", "-n"}},
		{"zsh", dashed, []string{"zsh", "-n"}},
		{"fish", func(n string) string {
			if len(n) == 1 {
				return "-s " + n
			}
			return "-l " + n
		}, []string{"fish", "--no-execute"}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(t.Context(), []string{"completion", tc.shell}, nil, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			script := out.String()
			for _, c := range commands {
				if !regexp.MustCompile(`[\s('"]` + regexp.QuoteMeta(c) + `[\s)'"]`).MatchString(script) {
					t.Errorf("script lacks command %q", c)
				}
			}
			for _, f := range serveFlags {
				if !strings.Contains(script, tc.flag(f)) {
					t.Errorf("script lacks serve flag %q", tc.flag(f))
				}
			}
			path, err := exec.LookPath(tc.check[0])
			if err != nil {
				t.Skipf("%s is not installed: its syntax check is skipped (the content checks above ran)", tc.check[0])
			}
			file := filepath.Join(t.TempDir(), "s3vpce."+tc.shell)
			os.WriteFile(file, out.Bytes(), 0o600)
			if b, err := exec.CommandContext(t.Context(), path, append(tc.check[1:], file)...).CombinedOutput(); err != nil {
				t.Errorf("%s %v: %v\n%s", tc.check[0], tc.check[1:], err, b)
			}
		})
	}
}

// TestCLICompletionBashCompletes runs the bash function on command lines
// and checks what it offers.
func TestCLICompletionBashCompletes(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	var out bytes.Buffer
	if code := run(t.Context(), []string{"completion", "bash"}, nil, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	file := filepath.Join(t.TempDir(), "s3vpce.bash")
	os.WriteFile(file, out.Bytes(), 0o600)
	for _, tc := range []struct {
		name  string
		words []string // the last one is being completed
		want  string
	}{
		{"commands", []string{"s3vpce", "ex"}, "exec explain"},
		{"global flags", []string{"s3vpce", "--v"}, "--version"},
		{"command after global home", []string{"s3vpce", "--home", "/h", "endpoint-p"}, "endpoint-policy"},
		{"verbs after home", []string{"s3vpce", "endpoint-policy", "--home", "/h", ""}, "get set reset"},
		{"serve flags", []string{"s3vpce", "serve", "--https"}, "--https-addr"},
		{"no verbs after the verb", []string{"s3vpce", "endpoint-policy", "set", "zz"}, ""},
		{"completion shells", []string{"s3vpce", "completion", ""}, "bash zsh fish"},
		{"flag value is not completed as a verb", []string{"s3vpce", "explain", "--home", ""}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _s3vpce; echo "${COMPREPLY[*]}"`
			b, err := exec.CommandContext(t.Context(), bash, append([]string{"-c", script, "bash", file}, tc.words...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(b)); got != tc.want {
				t.Errorf("%q: got %q, want %q", tc.words, got, tc.want)
			}
		})
	}
}

// TestCLICompletionZshRegisters: sourced after compinit, the zsh script
// registers its function for s3vpce.
func TestCLICompletionZshRegisters(t *testing.T) {
	t.Parallel()
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not installed: the registration check is skipped")
	}
	var out bytes.Buffer
	if code := run(t.Context(), []string{"completion", "zsh"}, nil, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "s3vpce.zsh")
	os.WriteFile(file, out.Bytes(), 0o600)
	script := `autoload -U compinit && compinit -u -d "$2" && source "$1" && print -r -- "$_comps[s3vpce]"`
	cmd := exec.CommandContext(t.Context(), zsh, "-f", "-c", script, "zsh", file, filepath.Join(dir, "zcompdump"))
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin"}
	b, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(b)) != "_s3vpce" {
		t.Errorf("zsh: %v, output %q; want _s3vpce registered", err, b)
	}
}
