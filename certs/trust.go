package certs

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// SystemBundlePaths returns where Linux distributions keep the system CA
// bundle that TLS libraries read by default: Debian and Ubuntu, Fedora and
// RHEL, openSUSE, Alpine and Arch, in that order.
func SystemBundlePaths() []string {
	return []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/ca-bundle.pem",
		"/etc/ssl/cert.pem",
	}
}

// ReadSystemBundle returns the first system CA bundle of
// SystemBundlePaths that exists, and its path. A system without one
// gives an error wrapping fs.ErrNotExist.
func ReadSystemBundle() (path string, pemData []byte, err error) {
	for _, p := range SystemBundlePaths() {
		b, err := os.ReadFile(p)
		if err == nil {
			return p, b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("certs: read system CA bundle: %w", err)
		}
	}
	return "", nil, fmt.Errorf("certs: no system CA bundle (looked for %s): %w", strings.Join(SystemBundlePaths(), ", "), fs.ErrNotExist)
}

// Bundle returns the system bundle with caPEM appended, under a comment
// naming it. A bundle that already holds caPEM is returned unchanged.
func Bundle(system, caPEM []byte) []byte {
	caPEM = bytes.TrimSpace(caPEM)
	if len(caPEM) > 0 && bytes.Contains(system, caPEM) {
		return append([]byte(nil), system...)
	}
	var b bytes.Buffer
	b.Write(system)
	if len(system) > 0 && !bytes.HasSuffix(system, []byte("\n")) {
		b.WriteByte('\n')
	}
	b.WriteString("# s3vpce local CA (added by s3vpce for this namespace only)\n")
	b.Write(caPEM)
	b.WriteByte('\n')
	return b.Bytes()
}

// ParsePEMCertificates returns every certificate in a PEM bundle, skipping
// blocks of other types and certificates Go cannot parse (a system bundle
// may hold a few with negative serials or odd encodings).
func ParsePEMCertificates(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

// SubjectHash returns OpenSSL's subject name hash of cert (X509_NAME_hash,
// as printed by "openssl x509 -hash"): the name of the HASH.0 link that
// OpenSSL looks for in a hashed certificate directory such as
// /etc/ssl/certs.
func SubjectHash(cert *x509.Certificate) (uint32, error) {
	var rdns []asn1.RawValue
	if rest, err := asn1.Unmarshal(cert.RawSubject, &rdns); err != nil || len(rest) > 0 {
		return 0, fmt.Errorf("certs: subject hash: parse subject: %v", err)
	}
	var canon []byte
	for _, rdn := range rdns {
		var avas []struct {
			Type  asn1.ObjectIdentifier
			Value asn1.RawValue
		}
		if _, err := asn1.UnmarshalWithParams(rdn.FullBytes, &avas, "set"); err != nil {
			return 0, fmt.Errorf("certs: subject hash: parse RDN: %w", err)
		}
		var set []byte
		for _, ava := range avas {
			value := ava.Value.FullBytes
			if isDirectoryString(ava.Value.Tag) && ava.Value.Class == asn1.ClassUniversal {
				s, err := decodeDirectoryString(ava.Value)
				if err != nil {
					return 0, err
				}
				value, err = asn1.Marshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(canonicalString(s))})
				if err != nil {
					return 0, fmt.Errorf("certs: subject hash: %w", err)
				}
			}
			oid, err := asn1.Marshal(ava.Type)
			if err != nil {
				return 0, fmt.Errorf("certs: subject hash: %w", err)
			}
			seq, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(oid, value...)})
			if err != nil {
				return 0, fmt.Errorf("certs: subject hash: %w", err)
			}
			set = append(set, seq...)
		}
		enc, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: set})
		if err != nil {
			return 0, fmt.Errorf("certs: subject hash: %w", err)
		}
		canon = append(canon, enc...)
	}
	sum := sha1.Sum(canon)
	return binary.LittleEndian.Uint32(sum[:4]), nil
}

// isDirectoryString reports whether OpenSSL canonicalises a value of this
// universal tag (ASN1_MASK_CANON) to a lower-cased UTF8String.
func isDirectoryString(tag int) bool {
	switch tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagT61String, asn1.TagIA5String,
		28 /* UniversalString */, 30 /* BMPString */, 26 /* VisibleString */ :
		return true
	}
	return false
}

func decodeDirectoryString(v asn1.RawValue) (string, error) {
	switch v.Tag {
	case 30: // BMPString: UCS-2 big-endian
		return decodeUCS(v.Bytes, 2, "BMPString")
	case 28: // UniversalString: UCS-4 big-endian
		return decodeUCS(v.Bytes, 4, "UniversalString")
	case asn1.TagT61String:
		// OpenSSL treats T61String as Latin-1.
		var b strings.Builder
		for _, c := range v.Bytes {
			b.WriteRune(rune(c))
		}
		return b.String(), nil
	}
	if !utf8.Valid(v.Bytes) {
		return "", errors.New("certs: subject hash: invalid UTF-8 in name")
	}
	return string(v.Bytes), nil
}

// canonicalString is OpenSSL's asn1_string_canon: leading and trailing
// space dropped, inner runs of space collapsed to one, ASCII lower-cased.
func canonicalString(s string) string {
	isSpace := func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' }
	var b strings.Builder
	for i, f := range strings.FieldsFunc(s, isSpace) {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range f {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PythonBundles returns the CA bundles that Python clients read instead of
// the system store, found next to the Python installations this
// environment would run: certifi's cacert.pem (requests, botocore, the
// aws CLI v1 and boto3 from pip), pip's and botocore's vendored copies,
// under each PATH directory's ../lib/python3*/site-packages, under
// pyenv's versions and ~/.local in each of homes, and in the system's
// dist-packages. Symbolic
// links are resolved and duplicates dropped; Debian's python3-certifi,
// which already points at the system bundle, resolves to it.
func PythonBundles(pathEnv string, homes ...string) []string {
	var prefixes []string
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir != "" {
			prefixes = append(prefixes, filepath.Dir(dir))
		}
	}
	prefixes = append(prefixes, "/usr", "/usr/local")
	for _, home := range homes {
		if home == "" {
			continue
		}
		if vs, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", "*")); len(vs) > 0 {
			prefixes = append(prefixes, vs...)
		}
		prefixes = append(prefixes, filepath.Join(home, ".local"))
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range SystemBundlePaths() {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			seen[real] = true
		}
	}
	// PATH names the same installation many times (/usr/bin and /usr/sbin,
	// /bin through the /lib -> usr/lib link): look in each lib once.
	libs := map[string]bool{}
	for _, prefix := range prefixes {
		lib, err := filepath.EvalSymlinks(filepath.Join(prefix, "lib"))
		if err != nil || libs[lib] {
			continue
		}
		libs[lib] = true
		for _, pkgs := range []string{"lib/python3*/site-packages", "lib/python3*/dist-packages", "lib/python3/dist-packages"} {
			for _, rel := range []string{"certifi/cacert.pem", "pip/_vendor/certifi/cacert.pem", "botocore/cacert.pem"} {
				m, _ := filepath.Glob(filepath.Join(prefix, pkgs, rel))
				for _, f := range m {
					real, err := filepath.EvalSymlinks(f)
					if err != nil || seen[real] {
						continue
					}
					seen[real] = true
					out = append(out, real)
				}
			}
		}
	}
	return out
}

// decodeUCS decodes big-endian UCS-2 (width 2) or UCS-4 (width 4).
func decodeUCS(data []byte, width int, kind string) (string, error) {
	if len(data)%width != 0 {
		return "", fmt.Errorf("certs: subject hash: %s of %d bytes", kind, len(data))
	}
	var b strings.Builder
	for i := 0; i < len(data); i += width {
		if width == 2 {
			b.WriteRune(rune(binary.BigEndian.Uint16(data[i:])))
		} else {
			b.WriteRune(rune(binary.BigEndian.Uint32(data[i:])))
		}
	}
	return b.String(), nil
}
