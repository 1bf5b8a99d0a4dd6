package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/s3vpce/s3vpce/certs"
	"software.sslmate.com/src/go-pkcs12"
)

func TestCAEnvVars(t *testing.T) {
	t.Parallel()
	trust := caTrust{CAFile: "/h/rootCA.pem", JavaTrustStore: "/h/ts.p12"}
	java := "-Djavax.net.ssl.trustStore=/h/ts.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit"
	all := map[string]bool{"AWS_CA_BUNDLE": true, "SSL_CERT_FILE": true, "REQUESTS_CA_BUNDLE": true, "CURL_CA_BUNDLE": true}
	for _, tc := range []struct {
		name     string
		mode     string
		env      []string
		trust    caTrust
		wantSet  map[string]string
		wantDrop map[string]bool
	}{
		{"none", caEnvNone, []string{"AWS_CA_BUNDLE=/x"}, trust, map[string]string{}, map[string]bool{}},
		{"default", caEnvDefault, nil, trust,
			map[string]string{"NODE_EXTRA_CA_CERTS": "/h/rootCA.pem", "JAVA_TOOL_OPTIONS": java}, all},
		{"default keeps the caller's Java options", caEnvDefault, []string{"JAVA_TOOL_OPTIONS=-Xmx1g"}, trust,
			map[string]string{"NODE_EXTRA_CA_CERTS": "/h/rootCA.pem", "JAVA_TOOL_OPTIONS": "-Xmx1g " + java}, all},
		{"default without a Java trust store", caEnvDefault, nil, caTrust{CAFile: "/h/rootCA.pem"},
			map[string]string{"NODE_EXTRA_CA_CERTS": "/h/rootCA.pem"}, all},
		{"all", caEnvAll, nil, trust, map[string]string{
			"NODE_EXTRA_CA_CERTS": "/h/rootCA.pem", "JAVA_TOOL_OPTIONS": java, "AWS_CA_BUNDLE": "/h/rootCA.pem",
			"SSL_CERT_FILE": "/h/rootCA.pem", "REQUESTS_CA_BUNDLE": "/h/rootCA.pem", "CURL_CA_BUNDLE": "/h/rootCA.pem",
		}, map[string]bool{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, drop := caEnvVars(tc.env, tc.mode, tc.trust)
			if !reflect.DeepEqual(set, tc.wantSet) {
				t.Errorf("set %v\nwant %v", set, tc.wantSet)
			}
			if !reflect.DeepEqual(drop, tc.wantDrop) {
				t.Errorf("drop %v\nwant %v", drop, tc.wantDrop)
			}
		})
	}
}

// TestJavaTrustStore: the store decodes with Java's default password and
// holds the system CAs and ours; it is kept in the state directory and
// reused, and written to a temporary file when that is not writable.
func TestJavaTrustStore(t *testing.T) {
	t.Parallel()
	ca, err := certs.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	_, system, _ := certs.ReadSystemBundle()
	wantN := len(certs.ParsePEMCertificates(system)) + 1
	check := func(t *testing.T, path string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pkcs12.DecodeTrustStore(data, "changeit")
		if err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		found := false
		for _, c := range got {
			found = found || c.Equal(ca.Certificate())
		}
		if !found || len(got) != wantN {
			t.Errorf("%s holds %d certificates (ours: %v), want %d with ours", path, len(got), found, wantN)
		}
	}
	t.Run("state directory", func(t *testing.T) {
		dir := t.TempDir()
		path, cleanup, err := javaTrustStore(dir, ca.CertPEM())
		if err != nil {
			t.Fatal(err)
		}
		cleanup()
		if filepath.Dir(path) != dir {
			t.Errorf("store %s, want it in %s", path, dir)
		}
		check(t, path)
		fi, _ := os.Stat(path)
		again, _, err := javaTrustStore(dir, ca.CertPEM())
		fi2, _ := os.Stat(again)
		if err != nil || again != path || !os.SameFile(fi, fi2) {
			t.Errorf("second call: %s, %v; want the same file %s reused", again, err, path)
		}
		other, _ := certs.NewCA()
		third, _, err := javaTrustStore(dir, other.CertPEM())
		if err != nil || third == path {
			t.Fatalf("another CA: %s, %v; want a new store", third, err)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("the stale store %s was not removed", path)
		}
	})
	t.Run("read-only state directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "missing") // cannot be written into
		path, cleanup, err := javaTrustStore(dir, ca.CertPEM())
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(path) == dir {
			t.Fatalf("store %s in the unwritable directory", path)
		}
		check(t, path)
		cleanup()
		if _, err := os.Stat(path); err == nil {
			t.Errorf("cleanup left %s", path)
		}
	})
}
