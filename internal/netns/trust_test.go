package netns

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/certs"
)

// TestTrustCAInNamespace: with Config.TrustCA, the command's system trust
// store trusts the CA (the bundle file, and OpenSSL's hashed directory),
// while the host's files stay as they were.
func TestTrustCAInNamespace(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed: apt-get install openssl")
	}
	bundlePath, hostBundle, err := certs.ReadSystemBundle()
	if err != nil {
		t.Skipf("no system CA bundle here: %v", err)
	}
	hostList := listDir(t, hashedCertDir)
	ca, err := certs.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue("bucket.example.test")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	extra := filepath.Join(t.TempDir(), "cacert.pem") // as certifi's
	extraPEM := []byte("# a certifi bundle\n")
	os.WriteFile(extra, extraPEM, 0o644)
	leafFile := filepath.Join(out, "leaf.pem")
	os.WriteFile(leafFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]}), 0o644)
	script := strings.Join([]string{
		`cp "$BUNDLE" "$OUT/bundle"`,
		`cp "$EXTRA" "$OUT/extra"`,
		`ls -A /etc/ssl/certs > "$OUT/list"`,
		`openssl verify -no-CAfile -CApath /etc/ssl/certs "$LEAF" > "$OUT/capath" 2>&1`,
		`openssl verify -CAfile "$BUNDLE" -no-CApath "$LEAF" > "$OUT/cafile" 2>&1`,
		`exit 0`,
	}, "\n")
	cfg := Config{
		Addrs:        []netip.Addr{netip.MustParseAddr("172.16.10.143")},
		Resolvers:    []netip.Addr{netip.MustParseAddr("172.16.0.2")},
		HTTPSPort:    443,
		Command:      []string{"sh", "-c", script},
		Env:          []string{"PATH=/usr/bin:/bin", "OUT=" + out, "LEAF=" + leafFile, "BUNDLE=" + bundlePath, "EXTRA=" + extra},
		TrustCA:      ca.CertPEM(),
		TrustBundles: []string{extra},
	}
	c, err := Start(t.Context(), cfg, nil, os.Stdout, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	c.Sockets.Close()
	if code, err := c.Run(nil); code != 0 || err != nil {
		t.Fatalf("command: exit %d, %v", code, err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if want := string(certs.Bundle(hostBundle, ca.CertPEM())); read("bundle") != want {
		t.Errorf("%s in the namespace is not the host's bundle plus the CA", bundlePath)
	}
	if want := string(certs.Bundle(extraPEM, ca.CertPEM())); read("extra") != want {
		t.Errorf("the extra bundle in the namespace:\n%s\nwant its own content plus the CA", read("extra"))
	}
	if now, _ := os.ReadFile(extra); !bytes.Equal(now, extraPEM) {
		t.Errorf("the extra bundle changed outside the namespace: %q", now)
	}
	for _, f := range []string{"capath", "cafile"} {
		if got := read(f); !strings.Contains(got, ": OK") {
			t.Errorf("openssl verify with the namespace's %s: %s", f, got)
		}
	}
	hash, _ := certs.SubjectHash(ca.Certificate())
	inside := strings.Fields(read("list"))
	want := append(append([]string(nil), hostList...), TrustedCAName, fmt.Sprintf("%08x.0", hash))
	if !sameSet(inside, want) {
		t.Errorf("/etc/ssl/certs in the namespace has %d entries, want the host's %d plus %s and its hash link", len(inside), len(hostList), TrustedCAName)
	}
	// The host is untouched.
	if now, _ := os.ReadFile(bundlePath); !bytes.Equal(now, hostBundle) {
		t.Errorf("the host's %s changed: sha256 %x", bundlePath, sha256.Sum256(now))
	}
	if now := listDir(t, hashedCertDir); !sameSet(now, hostList) {
		t.Errorf("the host's %s changed", hashedCertDir)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}
