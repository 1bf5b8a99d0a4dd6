package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/s3vpce/s3vpce/certs"
	"software.sslmate.com/src/go-pkcs12"
)

// --ca-env values.
const (
	caEnvDefault = "default"
	caEnvNone    = "none"
	caEnvAll     = "all"
)

func validCAEnv(s string) bool { return s == caEnvDefault || s == caEnvNone || s == caEnvAll }

// javaTrustStorePassword is the password of the Java trust store: the JDK's
// own for cacerts. The store holds only public certificates.
const javaTrustStorePassword = "changeit"

// caTrust is where the command finds the CA outside the system store.
type caTrust struct {
	// CAFile is the CA certificate (PEM).
	CAFile string
	// JavaTrustStore is a PKCS#12 store of the system CAs and ours, or "".
	JavaTrustStore string
}

// caFileVars are the variables naming a CA bundle file that some clients
// read instead of the system store.
var caFileVars = []string{"AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}

// caEnvVars returns the variables to set and to drop for --ca-env mode,
// given the caller's environment env.
//
//   - none: nothing.
//   - default: NODE_EXTRA_CA_CERTS names the CA, JAVA_TOOL_OPTIONS (the
//     caller's, extended) names the Java trust store; the caller's CA file
//     variables (caFileVars) are dropped: inside the namespace the system
//     store and Python's certifi bundles already trust the CA, a variable
//     naming another bundle would hide it, and AWS_CA_BUNDLE breaks
//     rclone (the AWS SDK for Go v1 refuses it with a custom transport).
//   - all: default, plus the CA file variables set to the CA.
func caEnvVars(env []string, mode string, t caTrust) (set map[string]string, drop map[string]bool) {
	set, drop = map[string]string{}, map[string]bool{}
	if mode == caEnvNone {
		return set, drop
	}
	set["NODE_EXTRA_CA_CERTS"] = t.CAFile
	for _, k := range caFileVars {
		if mode == caEnvAll {
			set[k] = t.CAFile
		} else {
			drop[k] = true
		}
	}
	if t.JavaTrustStore != "" {
		opts := "-Djavax.net.ssl.trustStore=" + t.JavaTrustStore + " -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=" + javaTrustStorePassword
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "JAVA_TOOL_OPTIONS="); ok && strings.TrimSpace(v) != "" {
				opts = v + " " + opts
			}
		}
		set["JAVA_TOOL_OPTIONS"] = opts
	}
	return set, drop
}

// javaTrustStore returns a PKCS#12 trust store (password "changeit") of the
// host's system CAs and the CA caPEM, for -Djavax.net.ssl.trustStore. It
// is kept in dir and made again when the system bundle or the CA changes;
// when dir is not writable (another user's serve) it is a temporary file
// that cleanup removes. cleanup is never nil.
func javaTrustStore(dir string, caPEM []byte) (path string, cleanup func(), err error) {
	cleanup = func() {}
	_, system, err := certs.ReadSystemBundle()
	if err != nil && !os.IsNotExist(err) {
		return "", cleanup, err
	}
	all := certs.ParsePEMCertificates(certs.Bundle(system, caPEM))
	if len(all) == 0 {
		return "", cleanup, fmt.Errorf("no certificate in %d bytes of bundle", len(system)+len(caPEM))
	}
	sum := sha256.New()
	for _, c := range all {
		sum.Write(c.Raw)
	}
	// The name carries a digest of its content: a changed system store or
	// CA gives another file, an unchanged one is reused as it is.
	name := "java-truststore-" + hex.EncodeToString(sum.Sum(nil))[:16] + ".p12"
	path = filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, cleanup, nil
	}
	data, err := pkcs12.Modern.EncodeTrustStore(all, javaTrustStorePassword)
	if err != nil {
		return "", cleanup, fmt.Errorf("encode PKCS#12 trust store: %w", err)
	}
	if err := writeFileAtomic(path, data); err == nil {
		old, _ := filepath.Glob(filepath.Join(dir, "java-truststore-*.p12"))
		for _, o := range old {
			if o != path {
				os.Remove(o)
			}
		}
		return path, cleanup, nil
	}
	f, err := os.CreateTemp("", "s3vpce-java-truststore-*.p12")
	if err != nil {
		return "", cleanup, err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", cleanup, err
	}
	os.Chmod(f.Name(), 0o644)
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

// writeFileAtomic writes data to path (mode 0644) through a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	tmp.Chmod(0o644)
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// notYourServe explains a serve whose control socket this user may not use.
func notYourServe(dir, sock string, err error) string {
	owner := ownerOf(sock)
	return fmt.Sprintf(`a serve is running in %s, but its control socket %s belongs to %s and you are uid %d (%v).
Run exec as the same user as serve (e.g. "sudo s3vpce exec --home %s -- ..."),
or run your own "s3vpce serve" in a state directory you own (--home or S3VPCE_HOME).`,
		dir, sock, owner, os.Getuid(), err, dir)
}

// notYourHome explains a state directory this user cannot use.
func notYourHome(dir string) string {
	return fmt.Sprintf(`The state directory %s belongs to %s. Use one you own: --home DIR or S3VPCE_HOME=DIR
(exec then starts its own emulator there), or run exec as that user.`, dir, ownerOf(dir))
}

// ownerOf names the owner of path ("uid N"), or "another user".
func ownerOf(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "another user"
	}
	if st, ok := statOwner(fi); ok {
		return fmt.Sprintf("uid %d", st)
	}
	return "another user"
}

func statOwner(fi os.FileInfo) (uint32, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Uid, true
}

// pythonSearchPath is where certs.PythonBundles looks for Python
// installations: the command's own directory when it is given as a path
// (a pyenv or virtualenv aws CLI run by its full name), then PATH.
func pythonSearchPath(command string) string {
	path := os.Getenv("PATH")
	if strings.Contains(command, "/") {
		if abs, err := filepath.Abs(command); err == nil {
			path = filepath.Dir(abs) + ":" + path
		}
	}
	return path
}
