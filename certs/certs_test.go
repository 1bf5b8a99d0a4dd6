package certs

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLoadOrCreatePersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	ca1, created, err := LoadOrCreate(dir)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created=%v err=%v", created, err)
	}
	for name, want := range map[string]os.FileMode{"": 0o700, KeyFile: 0o600, CertFile: 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %v, want %v", filepath.Join(dir, name), got, want)
		}
	}
	ca2, created, err := LoadOrCreate(dir)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	if !ca1.Certificate().Equal(ca2.Certificate()) {
		t.Error("second start made a new CA instead of reusing the persisted one")
	}
	// A leaf from the reloaded CA verifies against the first CA's pool.
	leaf, err := ca2.Issue("bucket.example.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca1.Pool(), DNSName: "bucket.example.test"}); err != nil {
		t.Errorf("leaf of reloaded CA does not verify: %v", err)
	}
}

func TestLoadOrCreateRefusesOrphanKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(dir); err == nil {
		t.Fatal("LoadOrCreate overwrote an existing key without its certificate")
	}
}

func TestLoadRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, CertFile), []byte("not pem"), 0o644)
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("not pem"), 0o600)
	if _, err := Load(dir); err == nil {
		t.Fatal("Load accepted garbage")
	}
}

func TestIssueKeepsOrderAndVerifies(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Certificate().IsCA || !ca.Certificate().MaxPathLenZero || len(ca.Certificate().SubjectKeyId) == 0 {
		t.Errorf("CA certificate lacks IsCA/MaxPathLenZero/SKI")
	}
	names := []string{"s3.us-east-1.amazonaws.com", "bucket.vpce-1-x.example", "*.bucket.vpce-1-x.example"}
	leaf, err := ca.Issue(names...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(leaf.Leaf.DNSNames, names) {
		t.Errorf("DNSNames = %v, want %v in order", leaf.Leaf.DNSNames, names)
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{{"bucket.vpce-1-x.example", true}, {"my.bucket.vpce-1-x.example", true}, {"vpce-1-x.example", false}, {"a.b.bucket.vpce-1-x.example", false}} {
		_, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: tc.host})
		if (err == nil) != tc.ok {
			t.Errorf("verify %s: err=%v, want ok=%v", tc.host, err, tc.ok)
		}
	}
	if len(leaf.Certificate) != 2 || leaf.PrivateKey == nil {
		t.Errorf("leaf chain has %d certificates, want leaf + CA, and a key", len(leaf.Certificate))
	}
	if _, err := ca.Issue(); err == nil {
		t.Error("Issue with no names succeeded")
	}
}

func TestDefaultDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
		err  bool
	}{
		{map[string]string{"S3VPCE_HOME": "/s", "XDG_DATA_HOME": "/x", "HOME": "/h"}, "/s", false},
		{map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/h"}, "/x/s3vpce", false},
		{map[string]string{"HOME": "/h"}, "/h/.local/share/s3vpce", false},
		{map[string]string{}, "", true},
	}
	for _, tt := range tests {
		got, err := DefaultDir(func(k string) string { return tt.env[k] })
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("DefaultDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}
