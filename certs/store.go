package certs

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names inside the state directory.
const (
	CertFile = "rootCA.pem"
	KeyFile  = "rootCA-key.pem"
)

// DefaultDir returns the state directory: $S3VPCE_HOME, else
// $XDG_DATA_HOME/s3vpce, else ~/.local/share/s3vpce. getenv is os.Getenv in
// production and a map lookup in tests.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("S3VPCE_HOME"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "s3vpce"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("certs: no state directory: set S3VPCE_HOME, XDG_DATA_HOME or HOME")
	}
	return filepath.Join(home, ".local", "share", "s3vpce"), nil
}

// LoadOrCreate loads the CA persisted in dir, or creates one and writes it
// there (directory 0700, certificate 0644, key 0600). created reports which.
func LoadOrCreate(dir string) (ca *CA, created bool, err error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	ca, err = Load(dir)
	if err == nil {
		return ca, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if _, statErr := os.Stat(keyPath); statErr == nil {
		return nil, false, fmt.Errorf("certs: %s exists but %s does not: remove the key or restore the certificate", keyPath, certPath)
	}
	ca, err = NewCA()
	if err != nil {
		return nil, false, err
	}
	if err := ca.Save(dir); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

// Load reads the CA from dir. A missing certificate gives an error wrapping
// fs.ErrNotExist.
func Load(dir string) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("certs: read CA certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("certs: read CA key (the certificate %s exists): %w", certPath, err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("certs: %s: no CERTIFICATE PEM block", certPath)
	}
	kblock, _ := pem.Decode(keyPEM)
	if kblock == nil || kblock.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("certs: %s: no PRIVATE KEY PEM block", keyPath)
	}
	key, err := x509.ParsePKCS8PrivateKey(kblock.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certs: %s: %w", keyPath, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("certs: %s: key of type %T cannot sign", keyPath, key)
	}
	ca, err := newCA(block.Bytes, signer)
	if err != nil {
		return nil, fmt.Errorf("certs: %s: %w", certPath, err)
	}
	return ca, nil
}

// Save writes the CA to dir: the certificate 0644, the key 0600.
func (ca *CA) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("certs: create state directory: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return fmt.Errorf("certs: marshal CA key: %w", err)
	}
	keyPath := filepath.Join(dir, KeyFile)
	if err := writeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, CertFile), ca.certPEM, 0o644)
}

// writeFile writes data atomically with exactly the given mode.
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return fmt.Errorf("certs: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("certs: write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("certs: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("certs: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("certs: write %s: %w", path, err)
	}
	return nil
}
