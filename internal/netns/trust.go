package netns

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/s3vpce/s3vpce/certs"
)

// hashedCertDir is the directory of CA certificates that OpenSSL, GnuTLS
// and Go look up by subject hash (Debian, Ubuntu, Alpine, Arch).
const hashedCertDir = "/etc/ssl/certs"

// TrustedCAName is the file name, in /etc/ssl/certs inside the namespace,
// of the CA that exec adds to the namespace's system trust store.
const TrustedCAName = "s3vpce-local-ca.pem"

// trustCA makes the namespace's system trust store trust caPEM, in this
// mount namespace only: every system CA bundle that exists gets a copy
// with caPEM appended mounted over it, and /etc/ssl/certs becomes a tmpfs
// holding the host's entries plus the CA and its subject-hash link. The
// host's files are not changed. Each of extra, more bundles, gets the same
// treatment: a copy with caPEM appended is mounted over it.
func trustCA(caPEM []byte, extra []string) error {
	cas := certs.ParsePEMCertificates(caPEM)
	if len(cas) == 0 {
		return errors.New("trust the CA: no certificate in the CA PEM")
	}
	_, system, err := certs.ReadSystemBundle()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("trust the CA: %w", err)
	}
	bundle := certs.Bundle(system, caPEM)
	overlaid := false
	if fi, err := os.Stat(hashedCertDir); err == nil && fi.IsDir() {
		if err := overlayCertDir(hashedCertDir, cas[0], caPEM, bundle); err != nil {
			return fmt.Errorf("trust the CA: %s: %w", hashedCertDir, err)
		}
		overlaid = true
	}
	src, err := tempBundle(bundle)
	if err != nil {
		return fmt.Errorf("trust the CA: %w", err)
	}
	defer os.Remove(src) // the mounts keep the file
	done := map[string]bool{}
	for _, p := range certs.SystemBundlePaths() {
		real, err := filepath.EvalSymlinks(p)
		if err != nil || done[real] {
			continue // absent, or mounted over already
		}
		done[real] = true
		if overlaid && filepath.Dir(real) == hashedCertDir {
			continue // written into the tmpfs
		}
		if err := syscall.Mount(src, real, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("trust the CA: bind-mount a bundle over %s: %w", real, err)
		}
	}
	for _, p := range extra {
		if err := appendOver(p, caPEM); err != nil {
			return fmt.Errorf("trust the CA: %w", err)
		}
	}
	return nil
}

// appendOver mounts a copy of the bundle at path, with caPEM appended,
// over it.
func appendOver(path string, caPEM []byte) error {
	own, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	src, err := tempBundle(certs.Bundle(own, caPEM))
	if err != nil {
		return err
	}
	defer os.Remove(src)
	if err := syscall.Mount(src, path, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mount a bundle over %s: %w", path, err)
	}
	return nil
}

// tempBundle writes data to a new temporary file (0644) and returns its name.
func tempBundle(data []byte) (string, error) {
	f, err := os.CreateTemp("", "s3vpce-ca-bundle-")
	if err != nil {
		return "", err
	}
	f.Chmod(0o644)
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write bundle: %w", err)
	}
	return f.Name(), nil
}

// overlayCertDir mounts a tmpfs over dir (/etc/ssl/certs) with what it
// held (links as links, files copied, directories bind-mounted), its
// ca-certificates.crt replaced by bundle, and the CA with its HASH.N link
// added.
func overlayCertDir(dir string, ca *x509.Certificate, caPEM, bundle []byte) error {
	hash, err := certs.SubjectHash(ca)
	if err != nil {
		return err
	}
	// The host's directory stays reachable through a private bind mount
	// while the tmpfs hides it.
	orig, err := os.MkdirTemp("", "s3vpce-certs-")
	if err != nil {
		return err
	}
	defer os.Remove(orig)
	if err := syscall.Mount(dir, orig, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", dir, err)
	}
	defer syscall.Unmount(orig, syscall.MNT_DETACH)
	entries, err := os.ReadDir(orig)
	if err != nil {
		return err
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount tmpfs: %w", err)
	}
	bundleName := filepath.Base(certs.SystemBundlePaths()[0])
	for _, e := range entries {
		from, to := filepath.Join(orig, e.Name()), filepath.Join(dir, e.Name())
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(from)
			if err == nil {
				err = os.Symlink(target, to)
			}
			if err != nil {
				return err
			}
		case e.IsDir():
			if err := os.Mkdir(to, 0o755); err != nil {
				return err
			}
			if err := syscall.Mount(from, to, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
				return fmt.Errorf("bind %s: %w", to, err)
			}
		case e.Type().IsRegular():
			data, err := os.ReadFile(from)
			if err != nil {
				return err
			}
			if e.Name() == bundleName {
				data = bundle
			}
			if err := os.WriteFile(to, data, 0o644); err != nil {
				return err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, TrustedCAName), caPEM, 0o644); err != nil {
		return err
	}
	for n := 0; ; n++ {
		link := filepath.Join(dir, fmt.Sprintf("%08x.%s", hash, strconv.Itoa(n)))
		if err := os.Symlink(TrustedCAName, link); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
}
