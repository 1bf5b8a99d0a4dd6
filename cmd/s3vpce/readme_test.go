package main

// The documentation's examples, run: every ```go block of README.md and
// docs/clients.md is compiled and its tests run, and every shell block
// marked runnable is executed against a real s3vpce serve, its output
// compared with what the document shows.
//
// Markers are HTML comments on the line before a fence:
//
//	<!-- readme-test: run -->            run this sh block
//	<!-- readme-test: run pyenv -->      the same, pyenv's Python first on PATH
//	                                     (aws CLI v1, boto3)
//	<!-- readme-test: file=s3ls/main.go --> where a block is written in the
//	                                     example module (a go block's default:
//	                                     its own package, readme_goN/snippet_test.go;
//	                                     other blocks only with this marker)
//
// In a runnable block a line starting "$ " is a command (a trailing "\"
// continues it); the lines after it, up to the next command, are its
// expected output, stdout and stderr together. Dates are normalised, "…"
// matches the rest of a line, and a line holding only "…" any number of
// lines. A command shown without output must exit 0; one shown with output
// must print it (which a failure would not). Commands run with sh -c, in
// one working directory per document (the example Go module, with the
// repository's testdata/ linked in), with HOME a temporary directory whose
// ~/.local/share/s3vpce is the running serve's state directory.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// docsWithBlocks are the documents whose blocks the tests run, relative to
// the repository root.
// repoRoot (compose_test.go) is the repository root.
var docsWithBlocks = []string{"README.md", "docs/clients.md"}

// mdBlock is one fenced code block of a Markdown document.
type mdBlock struct {
	doc, lang, marker string
	line              int // of the opening fence, 1-based
	text              string
}

var markerRE = regexp.MustCompile(`^<!--\s*readme-test:\s*(.*?)\s*-->$`)

// parseBlocks returns the fenced blocks of a Markdown text, each with the
// readme-test marker on the line before its fence, if any.
func parseBlocks(doc, text string) ([]mdBlock, error) {
	var blocks []mdBlock
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "```") {
			continue
		}
		b := mdBlock{doc: doc, lang: strings.TrimSpace(strings.TrimPrefix(l, "```")), line: i + 1}
		if i > 0 {
			if m := markerRE.FindStringSubmatch(strings.TrimSpace(lines[i-1])); m != nil {
				b.marker = m[1]
			}
		}
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s:%d: code block never closed", doc, b.line)
		}
		b.text = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func readDocBlocks(t *testing.T) []mdBlock {
	t.Helper()
	var all []mdBlock
	for _, doc := range docsWithBlocks {
		text, err := os.ReadFile(filepath.Join(repoRoot, doc))
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseBlocks(doc, string(text))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.marker != "" && !strings.HasPrefix(b.marker, "run") && !strings.HasPrefix(b.marker, "file=") {
				t.Fatalf("%s:%d: unknown readme-test marker %q", b.doc, b.line, b.marker)
			}
			if strings.HasPrefix(b.marker, "run") && b.lang != "sh" {
				t.Fatalf("%s:%d: a runnable block must be sh, not %q", b.doc, b.line, b.lang)
			}
		}
		all = append(all, blocks...)
	}
	return all
}

// goEnv is the environment for the go command on the example module: the
// machine's caches, no network, no workspace.
func goEnv(t *testing.T) []string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin")
	env := []string{"PATH=" + goBin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local"}
	out, err := exec.Command(filepath.Join(goBin, "go"), "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	vals := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		env = append(env, k+"="+vals[i])
	}
	return env
}

// exampleModule writes, in dir, a Go module that requires this repository
// (replaced by the checkout) and its dependencies at the versions of its
// go.sum, every go block and every block marked file= at its path; it
// returns what it wrote.
func exampleModule(t *testing.T, dir string, blocks []mdBlock) []string {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := strings.Replace(string(gomod), "module github.com/s3vpce/s3vpce", "module readmeexample", 1)
	mod += "\nrequire github.com/s3vpce/s3vpce v0.0.0\n\nreplace github.com/s3vpce/s3vpce => " + root + "\n"
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte(mod), "go.sum": gosum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	for i, b := range blocks {
		rel, ok := strings.CutPrefix(b.marker, "file=")
		switch {
		case !ok && b.lang != "go":
			continue
		case !ok:
			rel = fmt.Sprintf("readme_go%d/snippet_test.go", i)
		}
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, fmt.Sprintf("%s:%d -> %s", b.doc, b.line, rel))
	}
	return files
}

// TestREADMEGoBlocks compiles every go block of the documents as shown,
// vets it and runs its tests (the README's TestUpload runs against
// emulatortest).
func TestREADMEGoBlocks(t *testing.T) {
	t.Parallel()
	blocks := readDocBlocks(t)
	dir := t.TempDir()
	files := exampleModule(t, dir, blocks)
	if len(files) == 0 {
		t.Fatal("the documents have no go block")
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = dir
		cmd.Env = append(goEnv(t), "HOME="+dir)
		cmd.Path = filepath.Join(runtime.GOROOT(), "bin", "go")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s on the documents' go blocks (%s): %v\n%s", strings.Join(args, " "), strings.Join(files, ", "), err, out)
		}
	}
}

// step is one command of a runnable block and the output it shows.
type step struct {
	line int
	cmd  string
	want []string
}

func parseSteps(b mdBlock) ([]step, error) {
	var steps []step
	lines := strings.Split(strings.TrimRight(b.text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if c, ok := strings.CutPrefix(l, "$ "); ok {
			s := step{line: b.line + 1 + i, cmd: c}
			for strings.HasSuffix(s.cmd, "\\") && i+1 < len(lines) {
				i++
				s.cmd += "\n" + lines[i] // sh joins a backslash-newline itself
			}
			steps = append(steps, s)
			continue
		}
		if len(steps) == 0 {
			return nil, fmt.Errorf("%s:%d: output before the first $ command", b.doc, b.line+1+i)
		}
		steps[len(steps)-1].want = append(steps[len(steps)-1].want, l)
	}
	for i := range steps {
		steps[i].want = trimBlank(steps[i].want)
	}
	return steps, nil
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

var dateRE = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?\b`)

// outputRE turns the output a document shows into a regular expression
// for the real output: dates are any date, "…" the rest of a line, a line
// of "…" alone any number of lines.
func outputRE(want []string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^`)
	for i, l := range want {
		if i > 0 {
			b.WriteString(`\n`)
		}
		l = strings.TrimRight(l, " \t")
		if l == "…" {
			b.WriteString(`(?s:.*)`)
			continue
		}
		var parts []string
		for _, p := range strings.Split(dateRE.ReplaceAllString(l, "\x00"), "…") {
			p = regexp.QuoteMeta(p)
			parts = append(parts, strings.ReplaceAll(p, "\x00", `\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?`))
		}
		b.WriteString(strings.Join(parts, `.*`))
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func normaliseOutput(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		// What a terminal shows: the text after the last carriage return
		// (the aws CLI's progress lines end in one).
		l = strings.TrimRight(l, "\r")
		if j := strings.LastIndexByte(l, '\r'); j >= 0 {
			l = l[j+1:]
		}
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(trimBlank(lines), "\n")
}

// TestREADMEShellBlocks runs every runnable sh block of the documents, in
// order, against one s3vpce serve per document.
func TestREADMEShellBlocks(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	blocks := readDocBlocks(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\n%s=1 exec '%s' \"$@\"\n", envAsMain, self)
	if err := os.WriteFile(filepath.Join(bin, "s3vpce"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	pyenv := ""
	if home, err := os.UserHomeDir(); err == nil {
		if m, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/bin/aws")); len(m) > 0 {
			pyenv = filepath.Dir(m[0])
		}
	}
	testdata, err := filepath.Abs(filepath.Join(repoRoot, "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	goenv := goEnv(t)
	if !slices.ContainsFunc(blocks, func(b mdBlock) bool { return strings.HasPrefix(b.marker, "run") }) {
		t.Fatal("the documents have no runnable block")
	}
	for _, doc := range docsWithBlocks {
		var docBlocks []mdBlock
		for _, b := range blocks {
			if b.doc == doc {
				docBlocks = append(docBlocks, b)
			}
		}
		t.Run(doc, func(t *testing.T) {
			t.Parallel() // each document its own home, serve and working directory
			home := t.TempDir()
			state := filepath.Join(home, ".local", "share", "s3vpce")
			if err := os.MkdirAll(state, 0o700); err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			exampleModule(t, work, docBlocks)
			if err := os.Symlink(testdata, filepath.Join(work, "testdata")); err != nil {
				t.Fatal(err)
			}
			started := false
			for _, b := range docBlocks {
				if !strings.HasPrefix(b.marker, "run") {
					continue
				}
				steps, err := parseSteps(b)
				if err != nil {
					t.Fatal(err)
				}
				if !started {
					startServe(t, state)
					started = true
				}
				path := bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:" + filepath.Join(runtime.GOROOT(), "bin")
				if strings.Contains(b.marker, "pyenv") {
					if pyenv == "" {
						t.Fatalf("%s:%d needs pyenv's Python with the aws CLI v1 and boto3 (~/.pyenv/versions/*/bin/aws)", b.doc, b.line)
					}
					path = pyenv + ":" + path
				}
				env := append([]string{}, goenv...)
				env = append(env,
					"PATH="+path,
					"HOME="+home,
					"S3VPCE_HOME="+state,
					"AWS_PAGER=",
					"AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt", // as this machine presets it
					"LANG=C.UTF-8",
				)
				t.Run(fmt.Sprintf("line%d", b.line), func(t *testing.T) {
					for _, s := range steps {
						cmd := exec.CommandContext(t.Context(), "/bin/sh", "-c", s.cmd)
						cmd.Dir, cmd.Env = work, env
						var out bytes.Buffer
						cmd.Stdout, cmd.Stderr = &out, &out
						err := cmd.Run()
						got := normaliseOutput(out.String())
						if len(s.want) == 0 {
							if err != nil {
								t.Fatalf("%s:%d: $ %s: %v\n%s", b.doc, s.line, s.cmd, err, got)
							}
							continue
						}
						if re := outputRE(s.want); !re.MatchString(got) {
							t.Fatalf("%s:%d: $ %s (%v)\n got:\n%s\nwant:\n%s", b.doc, s.line, s.cmd, err, got, strings.Join(s.want, "\n"))
						}
					}
				})
			}
		})
	}
}

// TestREADMEOutputMatching pins the rules by which shown output is
// compared with real output.
func TestREADMEOutputMatching(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		want []string
		got  string
		ok   bool
	}{
		{"exact", []string{"make_bucket: wsgbucket"}, "make_bucket: wsgbucket", true},
		{"other text", []string{"make_bucket: wsgbucket"}, "make_bucket failed: s3://wsgbucket", false},
		{"date normalised", []string{"2026-11-25 14:30:12 wsgbucket"}, "2031-01-02 03:04:05 wsgbucket", true},
		{"date is not a wildcard", []string{"2026-11-25 14:30:12 wsgbucket"}, "2031-01-02 03:04:05 other", false},
		{"ellipsis ends a line", []string{"doesn't match either of 'a', …"}, "doesn't match either of 'a', 'b', 'c'", true},
		{"ellipsis stays in its line", []string{"a …", "c"}, "a b\nx\nc", false},
		{"ellipsis line spans lines", []string{"a", "…", "c"}, "a\nb\nb\nc", true},
		{"missing line", []string{"a", "b"}, "a", false},
		{"regexp characters literal", []string{"s3://b/(x).txt"}, "s3://b/(x)Xtxt", false},
		{"progress overwritten", []string{"upload: ./a to s3://b/a"}, "Completed 6 Bytes\rupload: ./a to s3://b/a\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := outputRE(tc.want).MatchString(normaliseOutput(tc.got)); got != tc.ok {
				t.Errorf("shown %q, real %q: match %v, want %v", tc.want, tc.got, got, tc.ok)
			}
		})
	}
}

// TestREADMEParse pins how blocks, markers and steps are read.
func TestREADMEParse(t *testing.T) {
	t.Parallel()
	doc := strings.Join([]string{
		"text",
		"<!-- readme-test: run -->",
		"```sh",
		"$ echo a \\",
		"  b",
		"a b",
		"",
		"$ true",
		"```",
		"",
		"<!-- readme-test: run -->",
		"",
		"```go",
		"package main",
		"```",
		"```sh",
		"$ not marked",
		"```",
	}, "\n")
	blocks, err := parseBlocks("doc.md", doc)
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ lang, marker string }
	want := []got{{"sh", "run"}, {"go", ""}, {"sh", ""}}
	if len(blocks) != len(want) {
		t.Fatalf("%d blocks, want %d: %+v", len(blocks), len(want), blocks)
	}
	for i, b := range blocks {
		if (got{b.lang, b.marker}) != want[i] {
			t.Errorf("block %d: %q marked %q, want %q marked %q (the marker must be on the line before the fence)", i, b.lang, b.marker, want[i].lang, want[i].marker)
		}
	}
	steps, err := parseSteps(blocks[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || steps[0].cmd != "echo a \\\n  b" || strings.Join(steps[0].want, "|") != "a b" || steps[0].line != 4 ||
		steps[1].cmd != "true" || len(steps[1].want) != 0 {
		t.Errorf("steps: %+v", steps)
	}

	for name, bad := range map[string]string{
		"unclosed fence":        "```sh\n$ true\n",
		"output before command": "<!-- readme-test: run -->\n```sh\noutput\n$ true\n```\n",
	} {
		t.Run(name, func(t *testing.T) {
			blocks, err := parseBlocks("doc.md", bad)
			if err == nil {
				_, err = parseSteps(blocks[0])
			}
			if err == nil || !strings.Contains(err.Error(), "doc.md:") {
				t.Errorf("%q: error %v, want one naming doc.md and the line", bad, err)
			}
		})
	}
}
