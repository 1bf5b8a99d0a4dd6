package certs

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
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
