package awschunked

import (
	"bytes"
	"errors"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"io"
	"strings"
	"testing"
)

func TestReaderDecodes(t *testing.T) {
	crc := [][2]string{{"x-amz-checksum-crc32", ""}}
	tests := []struct {
		name    string
		payload []byte
		frame   frame
		opts    Options
	}{
		{"unsigned trailer crc32 one chunk", payloadOf(1000), frame{trailer: true, trailers: crc},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 1000}},
		{"unsigned trailer crc32 many chunks", payloadOf(100000), frame{chunk: 8192, trailer: true, trailers: crc},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 100000}},
		{"unsigned trailer empty payload", nil, frame{trailer: true, trailers: crc},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 0}},
		{"unsigned trailer no trailers sent", payloadOf(10), frame{trailer: true},
			Options{Trailer: true, DecodedLength: 10}},
		{"unsigned unknown length", payloadOf(70000), frame{chunk: 65536, trailer: true, trailers: crc},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: -1}},
		{"content-encoding only", payloadOf(300), frame{chunk: 100},
			Options{DecodedLength: 300}},
		{"crc32c", payloadOf(5000), frame{chunk: 4096, trailer: true, trailers: [][2]string{{"x-amz-checksum-crc32c", ""}}},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32c"}, DecodedLength: 5000}},
		{"crc64nvme", payloadOf(5000), frame{chunk: 4096, trailer: true, trailers: [][2]string{{"x-amz-checksum-crc64nvme", ""}}},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc64nvme"}, DecodedLength: 5000}},
		{"sha1", payloadOf(5000), frame{chunk: 4096, trailer: true, trailers: [][2]string{{"x-amz-checksum-sha1", ""}}},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-sha1"}, DecodedLength: 5000}},
		{"sha256", payloadOf(5000), frame{chunk: 4096, trailer: true, trailers: [][2]string{{"x-amz-checksum-sha256", ""}}},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-sha256"}, DecodedLength: 5000}},
		{"two trailers", payloadOf(5000), frame{chunk: 4096, trailer: true, trailers: [][2]string{{"x-amz-checksum-sha256", ""}, {"x-amz-meta-note", "hi"}}},
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-sha256", "x-amz-meta-note"}, DecodedLength: 5000}},
		{"signed hmac verified", payloadOf(66560), frame{chunk: 65536, signing: SignedHMAC, signer: docVerifier(strings.Repeat("1", 64))},
			Options{Signing: SignedHMAC, DecodedLength: 66560, Verifier: docVerifier(strings.Repeat("1", 64))}},
		{"signed hmac unverified", payloadOf(66560), frame{chunk: 65536, signing: SignedHMAC},
			Options{Signing: SignedHMAC, DecodedLength: 66560}},
		{"signed hmac trailer verified", payloadOf(66560), frame{chunk: 65536, signing: SignedHMAC, signer: docVerifier(strings.Repeat("2", 64)), trailer: true, trailers: crc},
			Options{Signing: SignedHMAC, Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 66560, Verifier: docVerifier(strings.Repeat("2", 64))}},
		{"signed ecdsa", payloadOf(20000), frame{chunk: 8192, signing: SignedECDSA},
			Options{Signing: SignedECDSA, DecodedLength: 20000}},
		{"signed ecdsa trailer", payloadOf(20000), frame{chunk: 8192, signing: SignedECDSA, trailer: true, trailers: crc},
			Options{Signing: SignedECDSA, Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 20000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := encode(t, tt.payload, tt.frame)
			for _, readSize := range []int{1, 7, 4096, 1 << 20} {
				r := NewReader(bytes.NewReader(body), tt.opts)
				got, err := readAllSized(r, readSize)
				if err != nil {
					t.Fatalf("read size %d: %v", readSize, err)
				}
				if !bytes.Equal(got, tt.payload) {
					t.Fatalf("read size %d: payload differs: got %d bytes, want %d", readSize, len(got), len(tt.payload))
				}
				tr := r.Trailers()
				for _, kv := range tt.frame.trailers {
					if tr.Get(kv[0]) == "" {
						t.Errorf("trailer %s missing from %v", kv[0], tr)
					}
				}
				if tt.opts.Signing != Unsigned && tt.opts.Trailer && tr.Get(HeaderTrailerSignature) == "" {
					t.Errorf("x-amz-trailer-signature missing from %v", tr)
				}
			}
		})
	}
}

// readAllSized reads r to EOF with reads of at most n bytes.
func readAllSized(r io.Reader, n int) ([]byte, error) {
	var out []byte
	buf := make([]byte, n)
	for {
		m, err := r.Read(buf)
		out = append(out, buf[:m]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestReaderRejects(t *testing.T) {
	sig := strings.Repeat("0", 64)
	unsignedCRC := Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: -1}
	unsigned := Options{DecodedLength: -1}
	signed := Options{Signing: SignedHMAC, DecodedLength: -1}
	// crc32("hello") = 0x3610a686 -> NhCmhg==
	tests := []struct {
		name string
		body string
		opts Options
		want error
	}{
		{"bad hex size", "zz\r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"empty size", "\r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"size with 0x", "0x5\r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"size with space", "5 \r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"negative size", "-5\r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"header LF only", "5\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"data without CRLF", "5\r\nhelloX\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"data longer than size", "4\r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"header line too long", strings.Repeat("0", 5000) + "\r\n", unsigned, ErrMalformedChunk},
		{"unknown extension", "5;foo=bar\r\nhello\r\n0\r\n\r\n", unsigned, ErrMalformedChunk},
		{"signature in unsigned", "5;chunk-signature=" + sig + "\r\nhello\r\n0\r\n\r\n", unsigned, ErrUnexpectedSignature},
		{"signature missing", "5\r\nhello\r\n0;chunk-signature=" + sig + "\r\n\r\n", signed, ErrMissingSignature},
		{"signature missing final", "5;chunk-signature=" + sig + "\r\nhello\r\n0\r\n\r\n", signed, ErrMissingSignature},
		{"signature other extension", "5;x=" + sig + "\r\nhello\r\n0\r\n\r\n", signed, ErrMissingSignature},
		{"signature short", "5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=" + sig + "\r\n\r\n", signed, ErrMalformedChunk},
		{"signature upper case", "5;chunk-signature=" + strings.Repeat("A", 64) + "\r\nhello\r\n0;chunk-signature=" + sig + "\r\n\r\n", signed, ErrMalformedChunk},
		{"size 17 digits", "10000000000000000\r\n", unsigned, ErrChunkSizeOverflow},
		{"size over int64", "8000000000000000\r\n", unsigned, ErrChunkSizeOverflow},
		{"trailing garbage", "5\r\nhello\r\n0\r\n\r\nX", unsigned, ErrTrailingData},
		{"trailing CRLF", "5\r\nhello\r\n0\r\n\r\n\r\n", unsigned, ErrTrailingData},
		{"truncated in data", "a\r\nhello", unsigned, ErrTruncated},
		{"truncated in header", "5\r\nhello\r\n0", unsigned, ErrTruncated},
		{"truncated before final", "5\r\nhello\r\n", unsigned, ErrTruncated},
		{"truncated no final CRLF", "5\r\nhello\r\n0\r\n", unsigned, ErrTruncated},
		{"truncated data CRLF", "5\r\nhello\r", unsigned, ErrTruncated},
		{"empty body", "", unsigned, ErrTruncated},
		{"decoded length short", "5\r\nhello\r\n0\r\n\r\n", Options{DecodedLength: 6}, ErrLengthMismatch},
		{"decoded length long", "5\r\nhello\r\n0\r\n\r\n", Options{DecodedLength: 4}, ErrLengthMismatch},
		{"checksum mismatch", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", unsignedCRC, ErrChecksumMismatch},
		{"checksum not base64", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:!!!!\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"checksum wrong size", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAAAA\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"checksum missing", "5\r\nhello\r\n0\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"trailer undeclared", "5\r\nhello\r\n0\r\nx-amz-checksum-sha1:qvTGHdzF6KLavt4PO0gs2a6pQ00=\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"trailer duplicate", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"trailer without colon", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"trailer bad name", "5\r\nhello\r\n0\r\nx amz:1\r\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"trailer LF only", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\n\r\n", unsignedCRC, ErrMalformedTrailer},
		{"trailer where none allowed", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", unsigned, ErrMalformedTrailer},
		{"trailer signature unsigned", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:" + sig + "\r\n\r\n", unsignedCRC, ErrUnexpectedSignature},
		{"trailer signature missing", "5;chunk-signature=" + sig + "\r\nhello\r\n0;chunk-signature=" + sig + "\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
			Options{Signing: SignedHMAC, Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 5}, ErrMissingSignature},
		{"trailer after signature", "5;chunk-signature=" + sig + "\r\nhello\r\n0;chunk-signature=" + sig + "\r\nx-amz-trailer-signature:" + sig + "\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
			Options{Signing: SignedHMAC, Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 5}, ErrMalformedTrailer},
		{"chunk signature mismatch", "5;chunk-signature=" + sig + "\r\nhello\r\n0;chunk-signature=" + sig + "\r\n\r\n",
			Options{Signing: SignedHMAC, DecodedLength: 5, Verifier: docVerifier(sig)}, ErrSignatureMismatch},
		{"ecdsa signature hex only", "5;chunk-signature=" + sig + "\r\nhello\r\n0;chunk-signature=" + sig + "\r\n\r\n",
			Options{Signing: SignedECDSA, DecodedLength: 5}, ErrMalformedChunk},
		{"unknown checksum declared", "0\r\n\r\n", Options{Trailer: true, Trailers: []string{"x-amz-checksum-md5"}, DecodedLength: -1}, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.body), tt.opts)
			got, err := io.ReadAll(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "awschunked: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if len(got) > len(tt.body) {
				t.Errorf("returned %d bytes from a %d-byte body", len(got), len(tt.body))
			}
			if _, ok := ToS3Error(err); !ok {
				t.Errorf("ToS3Error(%v) not ok", err)
			}
			// The error is sticky.
			if _, err2 := r.Read(make([]byte, 1)); err2 != err {
				t.Errorf("second Read: %v, want %v", err2, err)
			}
			if r.Trailers() != nil {
				t.Errorf("Trailers() = %v after error, want nil", r.Trailers())
			}
		})
	}
}

// TestReaderSignedTampering flips bytes of a correctly signed body and
// expects a signature (or framing) error, never success.
func TestReaderSignedTampering(t *testing.T) {
	seed := strings.Repeat("3", 64)
	payload := payloadOf(20000)
	body := encode(t, payload, frame{chunk: 8192, signing: SignedHMAC, signer: docVerifier(seed), trailer: true,
		trailers: [][2]string{{"x-amz-checksum-crc32", ""}}})
	opts := Options{Signing: SignedHMAC, Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: -1, Verifier: docVerifier(seed)}
	tests := []struct {
		name string
		at   int // offset of the byte to change
		want error
	}{
		{"first chunk data", bytes.Index(body, []byte("\r\n")) + 10, ErrSignatureMismatch},
		{"last chunk data", bytes.LastIndex(body, []byte("\r\n0;")) - 1, ErrSignatureMismatch},
		{"final chunk signature", bytes.LastIndex(body, []byte("\r\n0;")) + 2 + len("0;chunk-signature=") + 3, ErrSignatureMismatch},
		{"trailer signature", len(body) - 10, ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(body)
			if bad[tt.at] == '1' {
				bad[tt.at] = '2'
			} else {
				bad[tt.at] = '1'
			}
			_, err := io.ReadAll(NewReader(bytes.NewReader(bad), opts))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("wrong seed", func(t *testing.T) {
		o := opts
		o.Verifier = docVerifier(strings.Repeat("4", 64))
		_, err := io.ReadAll(NewReader(bytes.NewReader(body), o))
		if !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("err = %v, want ErrSignatureMismatch", err)
		}
	})
}

func TestChecksumErrorDetail(t *testing.T) {
	body := "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	_, err := io.ReadAll(NewReader(strings.NewReader(body), Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 5}))
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ChecksumError", err)
	}
	if ce.Algorithm != CRC32 || ce.Want != "AAAAAA==" || ce.Got != "NhCmhg==" {
		t.Errorf("ChecksumError = %+v", ce)
	}
	s3, _ := ToS3Error(err)
	if want := (s3err.Error{Status: 400, Code: "BadDigest", Message: "The CRC32 you specified did not match the calculated checksum."}); s3 == nil || s3.Status != want.Status || s3.Code != want.Code || s3.Message != want.Message {
		t.Errorf("ToS3Error = %+v, want %+v", s3, want)
	}
}
