package soak

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
)

// content names the bytes of one object version: a ChaCha8 stream keyed by
// SHA-256(seed, key, generation), so any range can be regenerated to check
// what a GET returns without keeping a copy.
type content struct {
	seed uint64
	key  string
	gen  uint64
}

func (c content) stream() *rand.ChaCha8 {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], c.seed)
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], c.gen)
	h.Write(b[:])
	h.Write([]byte(c.key))
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return rand.NewChaCha8(s)
}

// bytes returns the first n bytes.
func (c content) bytes(n int64) []byte {
	p := make([]byte, n)
	c.stream().Read(p)
	return p
}

// etag is S3's ETag of a single-PUT object: the hex MD5 of its bytes, quoted.
func etag(p []byte) string {
	sum := md5.Sum(p)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// multipartETag is S3's ETag of a multipart object: the MD5 of the parts'
// binary MD5s, a dash and the number of parts.
func multipartETag(parts [][]byte) string {
	h := md5.New()
	for _, p := range parts {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(parts))
}

// verifyBody reads r to its end and compares what it returns with bytes
// [off, off+n) of c. It returns the bytes read, a description of the first
// difference ("" when the body is exactly those bytes) and the read error.
// A body cut short by a read error is an error, not a mismatch; differing
// bytes before it are a mismatch as well.
func verifyBody(r io.Reader, c content, off, n int64) (read int64, mismatch string, err error) {
	want := c.stream()
	const chunk = 64 << 10
	got, exp := make([]byte, chunk), make([]byte, chunk)
	for skip := off; skip > 0; skip -= min(skip, chunk) {
		want.Read(exp[:min(skip, chunk)])
	}
	for {
		k, rerr := r.Read(got)
		if k > 0 && mismatch == "" {
			m := max(0, min(int64(k), n-read))
			want.Read(exp[:m])
			if i := firstDiff(got[:m], exp[:m]); i >= 0 {
				mismatch = fmt.Sprintf("byte %d differs: got %#02x, want %#02x", off+read+int64(i), got[i], exp[i])
			}
		}
		read += int64(k)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return read, mismatch, rerr
		}
	}
	if mismatch == "" && read != n {
		mismatch = fmt.Sprintf("%d bytes, want %d", read, n)
	}
	return read, mismatch, nil
}

// firstDiff is the index of the first byte where a and b (of one length)
// differ, or -1.
func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
