package certs

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubjectHashMatchesOpenSSL compares SubjectHash with "openssl x509
// -hash" for a fresh CA and every certificate of the system bundle.
func TestSubjectHashMatchesOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: apt-get install openssl")
	}
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	certs := map[string][]byte{"s3vpce CA": ca.CertPEM()}
	if _, system, err := ReadSystemBundle(); err == nil {
		for _, c := range ParsePEMCertificates(system) {
			certs[c.Subject.String()] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
	}
	if len(certs) < 2 {
		t.Log("no system bundle: comparing the s3vpce CA only")
	}
	for name, p := range certs {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(openssl, "x509", "-noout", "-hash")
			cmd.Stdin = bytes.NewReader(p)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("openssl x509 -hash: %v", err)
			}
			c := ParsePEMCertificates(p)[0]
			h, err := SubjectHash(c)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprintf("%08x", h), strings.TrimSpace(string(out)); got != want {
				t.Errorf("SubjectHash = %s, openssl says %s", got, want)
			}
		})
	}
}

func TestBundle(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caPEM := ca.CertPEM()
	for _, tc := range []struct {
		name, system string
	}{
		{"empty system bundle", ""},
		{"system bundle without final newline", "# a comment"},
		{"system bundle", "# a comment\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Bundle([]byte(tc.system), caPEM)
			if !bytes.HasPrefix(b, []byte(tc.system)) {
				t.Errorf("bundle does not start with the system bundle:\n%s", b)
			}
			got := ParsePEMCertificates(b)
			if len(got) != 1 || !got[0].Equal(ca.Certificate()) {
				t.Errorf("bundle holds %d certificates, want the CA:\n%s", len(got), b)
			}
			if again := Bundle(b, caPEM); !bytes.Equal(again, b) {
				t.Errorf("adding the CA twice changed the bundle")
			}
		})
	}
}

func TestReadSystemBundle(t *testing.T) {
	path, data, err := ReadSystemBundle()
	if err != nil {
		t.Skipf("no system bundle here: %v", err)
	}
	on, statErr := os.ReadFile(path)
	if statErr != nil || !bytes.Equal(on, data) || len(ParsePEMCertificates(data)) == 0 {
		t.Errorf("ReadSystemBundle = %s with %d bytes and %d certificates", path, len(data), len(ParsePEMCertificates(data)))
	}
}

// TestPythonBundles finds certifi's, pip's and botocore's bundles under a
// PATH directory's prefix and pyenv's versions, each once.
func TestPythonBundles(t *testing.T) {
	root := t.TempDir()
	files := []string{
		"venv/lib/python3.12/site-packages/certifi/cacert.pem",
		"venv/lib/python3.12/site-packages/botocore/cacert.pem",
		"home/.pyenv/versions/3.11.7/lib/python3.11/site-packages/certifi/cacert.pem",
		"home/.pyenv/versions/3.11.7/lib/python3.11/site-packages/pip/_vendor/certifi/cacert.pem",
		"venv/lib/python3.12/site-packages/other/cacert.pem", // not a known bundle
	}
	for _, f := range files {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("# bundle\n"), 0o644)
	}
	// A link to a bundle already found is dropped.
	link := filepath.Join(root, "venv2/lib/python3.12/site-packages/certifi/cacert.pem")
	os.MkdirAll(filepath.Dir(link), 0o755)
	os.Symlink(filepath.Join(root, files[0]), link)
	got := PythonBundles(strings.Join([]string{filepath.Join(root, "venv", "bin"), filepath.Join(root, "venv2", "bin"), filepath.Join(root, "venv", "bin")}, ":"), filepath.Join(root, "home"))
	var mine []string
	for _, g := range got {
		if rel, err := filepath.Rel(root, g); err == nil && !strings.HasPrefix(rel, "..") {
			mine = append(mine, rel)
		}
	}
	want := files[:4]
	if strings.Join(mine, "\n") != strings.Join(want, "\n") {
		t.Errorf("PythonBundles found\n%s\nwant\n%s", strings.Join(mine, "\n"), strings.Join(want, "\n"))
	}
}
