package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
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
	bundle := certs.Bundle(system, caPEM)
	// The name carries a digest of what it is made from: a changed system
	// store or CA gives another file, an unchanged one is reused as it is
	// (without parsing the bundle: exec starts faster).
	sum := sha256.Sum256(bundle)
	name := "java-truststore-" + hex.EncodeToString(sum[:])[:16] + ".p12"
	path = filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, cleanup, nil
	}
	all := certs.ParsePEMCertificates(bundle)
	if len(all) == 0 {
		return "", cleanup, fmt.Errorf("no certificate in %d bytes of bundle", len(bundle))
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

// pythonHomes are the home directories whose pyenv and ~/.local Python
// installations exec looks at: $HOME, and the user's home in the password
// database when HOME points elsewhere.
func pythonHomes() []string {
	homes := []string{os.Getenv("HOME")}
	if u, err := user.Current(); err == nil && u.HomeDir != homes[0] {
		homes = append(homes, u.HomeDir)
	}
	return homes
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

func runCA(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce ca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	home := fs.String("home", "", "state directory (as for serve)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: s3vpce ca [--home DIR] path|install|uninstall

  path       print the path of the CA certificate (PEM), creating the CA if
             there is none yet
  install    trust the CA on this host, as mkcert -install does: the system
             store (Debian/Ubuntu/Alpine/SUSE: update-ca-certificates,
             Fedora/RHEL/Arch: update-ca-trust), the NSS database
             ~/.pki/nssdb when certutil is installed, and Java's cacerts
             when keytool is installed and the system store's hook did not
             already add it; prints what it changed. Needs root for the
             system store.
  uninstall  remove what install added, and print it

Inside "s3vpce exec" none of this is needed: the namespace trusts the CA.
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	dir, err := stateDir(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce ca: %v\n", err)
		return 1
	}
	certPath := filepath.Join(dir, certs.CertFile)
	t := hostTrust{out: stdout, home: os.Getenv("HOME")}
	if fs.Arg(0) != "uninstall" { // uninstall goes by names: it needs no CA
		if _, err := os.Stat(certPath); err != nil {
			if _, _, err := certs.LoadOrCreate(dir); err != nil {
				fmt.Fprintf(stderr, "s3vpce ca: %v\n", err)
				return 1
			}
		}
		pemData, err := os.ReadFile(certPath)
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce ca: %v\n", err)
			return 1
		}
		cas := certs.ParsePEMCertificates(pemData)
		if len(cas) == 0 {
			fmt.Fprintf(stderr, "s3vpce ca: %s: no certificate\n", certPath)
			return 1
		}
		t.ca, t.pem = cas[0], pemData
	}
	switch fs.Arg(0) {
	case "path":
		fmt.Fprintln(stdout, certPath)
		return 0
	case "install":
		fmt.Fprintf(stdout, "Trusting the CA %s (%s) on this host:\n", certPath, t.ca.Subject.CommonName)
		err = t.install(ctx)
	case "uninstall":
		fmt.Fprintf(stdout, "Removing s3vpce's CA from this host's trust stores:\n")
		err = t.uninstall(ctx)
	default:
		fmt.Fprintf(stderr, "s3vpce ca: unknown subcommand %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce ca %s: %v\n", fs.Arg(0), err)
		if errors.Is(err, os.ErrPermission) && os.Geteuid() != 0 {
			fmt.Fprintf(stderr, "The system store needs root: sudo s3vpce ca --home %s %s\n", dir, fs.Arg(0))
		}
		return 1
	}
	return 0
}

// hostTrust adds the CA to, or removes it from, the host's trust stores.
type hostTrust struct {
	ca   *x509.Certificate
	pem  []byte
	out  io.Writer
	home string
}

// systemStore is a distribution's way of adding a local CA: a directory of
// anchors and the command that rebuilds the bundles from it.
type systemStore struct {
	dir     string   // anchors directory
	file    string   // our file's name in it
	rebuild []string // command
}

// systemStores lists the distributions' anchor directories, in the order
// they are tried; the first whose directory and command exist is used.
func systemStores() []systemStore {
	return []systemStore{
		{"/usr/local/share/ca-certificates", "s3vpce.crt", []string{"update-ca-certificates"}},     // Debian, Ubuntu, Alpine
		{"/etc/pki/ca-trust/source/anchors", "s3vpce.pem", []string{"update-ca-trust", "extract"}}, // Fedora, RHEL
		{"/etc/ca-certificates/trust-source/anchors", "s3vpce.crt", []string{"update-ca-trust"}},   // Arch
		{"/usr/share/pki/trust/anchors", "s3vpce.pem", []string{"update-ca-certificates"}},         // openSUSE
	}
}

func (t hostTrust) systemStore() (systemStore, bool) {
	for _, s := range systemStores() {
		if fi, err := os.Stat(s.dir); err != nil || !fi.IsDir() {
			continue
		}
		if _, err := exec.LookPath(s.rebuild[0]); err != nil {
			continue
		}
		return s, true
	}
	return systemStore{}, false
}

const nssNickname = "s3vpce local CA"

// javaAlias is the alias of the CA in Java's cacerts when install adds it.
const javaAlias = "s3vpce"

func (t hostTrust) install(ctx context.Context) error {
	if s, ok := t.systemStore(); ok {
		path := filepath.Join(s.dir, s.file)
		old, err := os.ReadFile(path)
		switch {
		case err == nil && bytes.Equal(old, t.pem):
			fmt.Fprintf(t.out, "  system store: %s is there already\n", path)
		default:
			if err := os.WriteFile(path, t.pem, 0o644); err != nil {
				return fmt.Errorf("system store: %w", err)
			}
			if err := run1(ctx, s.rebuild...); err != nil {
				return fmt.Errorf("system store: %w", err)
			}
			what := "wrote"
			if old != nil {
				what = "replaced (it held another s3vpce CA)"
			}
			fmt.Fprintf(t.out, "  system store: %s %s and ran %s\n", what, path, strings.Join(s.rebuild, " "))
		}
	} else {
		fmt.Fprintf(t.out, "  system store: no known anchors directory with its update command (%s): skipped\n", anchorDirs())
	}
	for _, db := range t.nssDBs() {
		if err := run1(ctx, "certutil", "-L", "-d", "sql:"+db, "-n", nssNickname); err == nil {
			fmt.Fprintf(t.out, "  NSS %s: %q is there already\n", db, nssNickname)
			continue
		}
		tmp, err := tempPEM(t.pem)
		if err != nil {
			return err
		}
		err = run1(ctx, "certutil", "-A", "-d", "sql:"+db, "-t", "C,,", "-n", nssNickname, "-i", tmp)
		os.Remove(tmp)
		if err != nil {
			return fmt.Errorf("NSS %s: %w", db, err)
		}
		fmt.Fprintf(t.out, "  NSS %s: added %q\n", db, nssNickname)
	}
	if _, err := exec.LookPath("keytool"); err == nil {
		list, err := keytool(ctx, "-list", "-v")
		if err != nil {
			return fmt.Errorf("Java cacerts: %w", err)
		}
		switch {
		case strings.Contains(list, "Alias name: "+javaAlias+"\n"):
			fmt.Fprintf(t.out, "  Java cacerts: alias %q is there already\n", javaAlias)
		case strings.Contains(list, javaFingerprint(t.ca)):
			fmt.Fprintf(t.out, "  Java cacerts: trusts it already (added by the system store's update)\n")
		default:
			tmp, err := tempPEM(t.pem)
			if err != nil {
				return err
			}
			_, err = keytool(ctx, "-importcert", "-noprompt", "-alias", javaAlias, "-file", tmp)
			os.Remove(tmp)
			if err != nil {
				return fmt.Errorf("Java cacerts: %w", err)
			}
			fmt.Fprintf(t.out, "  Java cacerts: added alias %q\n", javaAlias)
		}
	}
	return nil
}

func (t hostTrust) uninstall(ctx context.Context) error {
	if s, ok := t.systemStore(); ok {
		path := filepath.Join(s.dir, s.file)
		if _, err := os.Stat(path); err == nil {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("system store: %w", err)
			}
			if err := run1(ctx, s.rebuild...); err != nil {
				return fmt.Errorf("system store: %w", err)
			}
			fmt.Fprintf(t.out, "  system store: removed %s and ran %s\n", path, strings.Join(s.rebuild, " "))
		} else {
			fmt.Fprintf(t.out, "  system store: no %s: nothing to remove\n", path)
		}
	}
	for _, db := range t.nssDBs() {
		if err := run1(ctx, "certutil", "-L", "-d", "sql:"+db, "-n", nssNickname); err != nil {
			continue
		}
		if err := run1(ctx, "certutil", "-D", "-d", "sql:"+db, "-n", nssNickname); err != nil {
			return fmt.Errorf("NSS %s: %w", db, err)
		}
		fmt.Fprintf(t.out, "  NSS %s: removed %q\n", db, nssNickname)
	}
	if _, err := exec.LookPath("keytool"); err == nil {
		if _, err := keytool(ctx, "-list", "-alias", javaAlias); err == nil {
			if _, err := keytool(ctx, "-delete", "-alias", javaAlias); err != nil {
				return fmt.Errorf("Java cacerts: %w", err)
			}
			fmt.Fprintf(t.out, "  Java cacerts: removed alias %q\n", javaAlias)
		}
	}
	return nil
}

// nssDBs are the NSS databases to change: ~/.pki/nssdb (Chrome, curl
// built with NSS) when it exists and certutil is installed.
func (t hostTrust) nssDBs() []string {
	if t.home == "" {
		return nil
	}
	if _, err := exec.LookPath("certutil"); err != nil {
		return nil
	}
	db := filepath.Join(t.home, ".pki", "nssdb")
	if _, err := os.Stat(filepath.Join(db, "cert9.db")); err != nil {
		return nil
	}
	return []string{db}
}

func anchorDirs() string {
	var d []string
	for _, s := range systemStores() {
		d = append(d, s.dir)
	}
	return strings.Join(d, ", ")
}

// keytool runs keytool on the JDK's cacerts with its default password.
func keytool(ctx context.Context, args ...string) (string, error) {
	args = append(append([]string{}, args...), "-cacerts", "-storepass", javaTrustStorePassword)
	out, err := exec.CommandContext(ctx, "keytool", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("keytool %s: %v: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// javaFingerprint is the SHA-256 fingerprint as keytool -list -v prints it.
func javaFingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// run1 runs a command, its output part of the error when it fails.
func run1(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func tempPEM(data []byte) (string, error) {
	f, err := os.CreateTemp("", "s3vpce-ca-*.pem")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
