package awschunked

import (
	"errors"
	"net/http"
	"slices"
	"testing"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestDecoding(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want bool
	}{
		{"unsigned trailer", hdr("X-Amz-Content-Sha256", UnsignedPayloadTrailer), true},
		{"hmac", hdr("X-Amz-Content-Sha256", HMACPayload), true},
		{"hmac trailer", hdr("X-Amz-Content-Sha256", HMACPayloadTrailer), true},
		{"ecdsa", hdr("X-Amz-Content-Sha256", ECDSAPayload), true},
		{"ecdsa trailer", hdr("X-Amz-Content-Sha256", ECDSAPayloadTrailer), true},
		{"content-encoding", hdr("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD", "Content-Encoding", "aws-chunked"), true},
		{"content-encoding list", hdr("Content-Encoding", "gzip, AWS-Chunked"), true},
		{"content-encoding second value", hdr("Content-Encoding", "gzip", "Content-Encoding", "aws-chunked"), true},
		{"unsigned payload", hdr("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"), false},
		{"gzip", hdr("Content-Encoding", "gzip"), false},
		{"lower-case value", hdr("X-Amz-Content-Sha256", "streaming-unsigned-payload-trailer"), false},
		{"none", hdr(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decoding(tt.h); got != tt.want {
				t.Errorf("Decoding = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptionsFromHeader(t *testing.T) {
	tests := []struct {
		name    string
		h       http.Header
		want    Options
		wantErr error
	}{
		{"sdk default", hdr("X-Amz-Content-Sha256", UnsignedPayloadTrailer, "Content-Encoding", "aws-chunked",
			"X-Amz-Trailer", "x-amz-checksum-crc32", "X-Amz-Decoded-Content-Length", "102400"),
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 102400}, nil},
		{"hmac", hdr("X-Amz-Content-Sha256", HMACPayload, "X-Amz-Decoded-Content-Length", "0"),
			Options{Signing: SignedHMAC, DecodedLength: 0}, nil},
		{"hmac trailer list", hdr("X-Amz-Content-Sha256", HMACPayloadTrailer, "X-Amz-Trailer", "X-Amz-Checksum-SHA256, x-amz-meta-a"),
			Options{Signing: SignedHMAC, Trailer: true, Trailers: []string{"x-amz-checksum-sha256", "x-amz-meta-a"}, DecodedLength: -1}, nil},
		{"ecdsa trailer", hdr("X-Amz-Content-Sha256", ECDSAPayloadTrailer),
			Options{Signing: SignedECDSA, Trailer: true, DecodedLength: -1}, nil},
		{"aws-chunked unsigned payload", hdr("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD", "Content-Encoding", "aws-chunked"),
			Options{DecodedLength: -1}, nil},
		{"aws-chunked with trailer", hdr("Content-Encoding", "aws-chunked", "X-Amz-Trailer", "x-amz-checksum-crc32c"),
			Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32c"}, DecodedLength: -1}, nil},
		{"trailer without trailer mode", hdr("X-Amz-Content-Sha256", HMACPayload, "X-Amz-Trailer", "x-amz-checksum-crc32"), Options{}, ErrUnsupported},
		{"trailer signature declared", hdr("X-Amz-Content-Sha256", HMACPayloadTrailer, "X-Amz-Trailer", "x-amz-trailer-signature"), Options{}, ErrUnsupported},
		{"bad trailer name", hdr("X-Amz-Content-Sha256", UnsignedPayloadTrailer, "X-Amz-Trailer", "a b"), Options{}, ErrUnsupported},
		{"negative length", hdr("X-Amz-Content-Sha256", HMACPayload, "X-Amz-Decoded-Content-Length", "-1"), Options{}, ErrUnsupported},
		{"plus length", hdr("X-Amz-Content-Sha256", HMACPayload, "X-Amz-Decoded-Content-Length", "+1"), Options{}, ErrUnsupported},
		{"huge length", hdr("X-Amz-Content-Sha256", HMACPayload, "X-Amz-Decoded-Content-Length", "9223372036854775808"), Options{}, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OptionsFromHeader(tt.h)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got.Signing != tt.want.Signing || got.Trailer != tt.want.Trailer ||
				got.DecodedLength != tt.want.DecodedLength || !slices.Equal(got.Trailers, tt.want.Trailers) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRewriteHeader(t *testing.T) {
	h := hdr("X-Amz-Content-Sha256", UnsignedPayloadTrailer, "Content-Encoding", "gzip, aws-chunked",
		"X-Amz-Trailer", "x-amz-checksum-crc32", "X-Amz-Decoded-Content-Length", "5", "Content-Length", "48")
	RewriteHeader(h, 5)
	want := hdr("Content-Encoding", "gzip", "Content-Length", "5")
	if len(h) != len(want) {
		t.Fatalf("got %v, want %v", h, want)
	}
	for k := range want {
		if !slices.Equal(h[k], want[k]) {
			t.Errorf("%s = %q, want %q", k, h[k], want[k])
		}
	}
	h = hdr("Content-Encoding", "aws-chunked", "Content-Length", "48")
	RewriteHeader(h, -1)
	if len(h) != 0 {
		t.Errorf("unknown length: got %v", h)
	}
}

func TestToS3Error(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{&ChecksumError{Algorithm: SHA256}, 400, "BadDigest"},
		{&FormatError{Err: ErrSignatureMismatch}, 403, "SignatureDoesNotMatch"},
		{&FormatError{Err: ErrMissingSignature}, 403, "SignatureDoesNotMatch"},
		{&FormatError{Err: ErrTruncated}, 400, "IncompleteBody"},
		{&FormatError{Err: ErrLengthMismatch}, 400, "IncompleteBody"},
		{&FormatError{Err: ErrMalformedTrailer}, 400, "MalformedTrailerError"},
		{&FormatError{Err: ErrUnsupported}, 400, "InvalidRequest"},
		{&FormatError{Err: ErrMalformedChunk}, 400, "InvalidRequest"},
		{&FormatError{Err: ErrChunkSizeOverflow}, 400, "InvalidRequest"},
		{&FormatError{Err: ErrUnexpectedSignature}, 400, "InvalidRequest"},
		{&FormatError{Err: ErrTrailingData}, 400, "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.err.Error(), func(t *testing.T) {
			got, ok := ToS3Error(tt.err)
			if !ok || got.Status != tt.status || got.Code != tt.code || got.Message == "" {
				t.Errorf("ToS3Error = %+v, %v; want %d %s", got, ok, tt.status, tt.code)
			}
		})
	}
	if _, ok := ToS3Error(errors.New("network")); ok {
		t.Error("foreign error mapped")
	}
}
