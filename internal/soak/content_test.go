package soak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/smithy-go"
)

func TestContentIsAStream(t *testing.T) {
	c := content{seed: 7, key: "p/c000/k001", gen: 3}
	whole := c.bytes(200_000)
	var chunked []byte
	s := c.stream()
	for _, n := range []int{1, 7, 4096, 65536, 130360} { // 200,000 in all
		p := make([]byte, n)
		s.Read(p)
		chunked = append(chunked, p...)
	}
	if !bytes.Equal(whole, chunked) {
		t.Fatal("reading the stream in chunks gives other bytes than reading it whole")
	}
	for _, other := range []content{{8, c.key, c.gen}, {c.seed, "p/c000/k002", c.gen}, {c.seed, c.key, 4}} {
		if bytes.Equal(whole[:64], other.bytes(64)) {
			t.Errorf("%+v has the same bytes as %+v", other, c)
		}
	}
}

func TestVerifyBody(t *testing.T) {
	c := content{seed: 1, key: "k", gen: 1}
	data := c.bytes(300_000)
	flipped := bytes.Clone(data)
	flipped[123_456] ^= 0x80
	tests := []struct {
		name     string
		body     io.Reader
		off, n   int64
		mismatch string // substring; "" for none
		err      bool
	}{
		{"exact", bytes.NewReader(data), 0, int64(len(data)), "", false},
		{"exact in one-byte reads", iotest.OneByteReader(bytes.NewReader(data[:5000])), 0, 5000, "", false},
		{"a range", bytes.NewReader(data[70_000:200_000]), 70_000, 130_000, "", false},
		{"a flipped byte", bytes.NewReader(flipped), 0, int64(len(data)), "byte 123456 differs", false},
		{"a flipped byte in a range", bytes.NewReader(flipped[100_000:]), 100_000, int64(len(data)) - 100_000, "byte 123456 differs", false},
		{"the wrong range", bytes.NewReader(data[1:1001]), 0, 1000, "byte 0 differs", false},
		{"short", bytes.NewReader(data[:1000]), 0, 1001, "1000 bytes, want 1001", false},
		{"long", bytes.NewReader(data[:1002]), 0, 1001, "1002 bytes, want 1001", false},
		{"empty", bytes.NewReader(nil), 0, 0, "", false},
		{"cut by a read error", io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(io.ErrUnexpectedEOF)), 0, 1000, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, mm, err := verifyBody(tt.body, c, tt.off, tt.n)
			if (err != nil) != tt.err {
				t.Errorf("err = %v, want error %v", err, tt.err)
			}
			if tt.mismatch == "" && mm != "" || tt.mismatch != "" && !strings.Contains(mm, tt.mismatch) {
				t.Errorf("mismatch = %q, want %q", mm, tt.mismatch)
			}
		})
	}
}

func TestETags(t *testing.T) {
	// The MD5 of "hello", and the multipart ETag of parts "a" and "b" (the
	// MD5 of the concatenated binary MD5s, then "-2"), computed apart with
	// md5sum and Python's hashlib.
	if got, want := etag([]byte("hello")), `"5d41402abc4b2a76b9719d911017c592"`; got != want {
		t.Errorf("etag = %s, want %s", got, want)
	}
	if got, want := multipartETag([][]byte{[]byte("a"), []byte("b")}), `"96e024ba2074fe77e8e965ba43a704be-2"`; got != want {
		t.Errorf("multipartETag = %s, want %s", got, want)
	}
}

func TestPercentile(t *testing.T) {
	seq := func(n int) []time.Duration {
		d := make([]time.Duration, n)
		for i := range d {
			d[i] = time.Duration(i + 1)
		}
		return d
	}
	tests := []struct {
		name      string
		samples   []time.Duration
		perMyriad int
		want      time.Duration
	}{
		{"none", nil, 5000, 0},
		{"one", seq(1), 9900, 1},
		{"median of 100", seq(100), 5000, 50},
		{"p99 of 100", seq(100), 9900, 99},
		{"p99 of 1000", seq(1000), 9900, 990},
		{"p99 of 10", seq(10), 9900, 10},
		{"median of 3", seq(3), 5000, 2},
		{"max", seq(7), 10000, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.samples, tt.perMyriad); got != tt.want {
				t.Errorf("percentile(%d) = %d, want %d", tt.perMyriad, got, tt.want)
			}
		})
	}
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"S3 code", fmt.Errorf("op: %w", &smithy.GenericAPIError{Code: "NoSuchKey"}), "NoSuchKey"},
		{"presigned S3 code", &statusError{status: 403, code: "SignatureDoesNotMatch"}, "SignatureDoesNotMatch"},
		{"presigned without a code", &statusError{status: 502}, "http:502"},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), "transport:timeout"},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, "transport:conn-reset"},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "transport:conn-refused"},
		{"short body", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), "transport:unexpected-eof"},
		{"SDK checksum", errors.New("checksum did not match: algorithm CRC32, expect AAAA, actual BBBB"), "client:checksum-mismatch"},
		{"other", errors.New("something"), "transport:other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorCode(tt.err); got != tt.want {
				t.Errorf("errorCode(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestPayloadMode(t *testing.T) {
	req := func(url string, h map[string]string) *http.Request {
		r, err := http.NewRequest(http.MethodPut, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r
	}
	tests := []struct {
		name    string
		req     *http.Request
		want    string
		trailer bool
	}{
		{"aws-chunked with a trailer", req("https://h/k", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			"Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-crc32"}),
			"STREAMING-UNSIGNED-PAYLOAD-TRAILER (aws-chunked, trailer x-amz-checksum-crc32)", true},
		{"unsigned", req("https://h/k", map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}), "UNSIGNED-PAYLOAD", false},
		{"signed", req("https://h/k", map[string]string{"X-Amz-Content-Sha256": strings.Repeat("ab", 32)}), "signed payload (hex SHA-256)", false},
		{"presigned", req("https://h/k?X-Amz-Signature=00", nil), "presigned URL", false},
		{"a trailer header without aws-chunked", req("https://h/k", map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
			"X-Amz-Trailer": "x-amz-checksum-crc32"}), "UNSIGNED-PAYLOAD", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, trailer := payloadMode(tt.req)
			if got != tt.want || trailer != tt.trailer {
				t.Errorf("payloadMode = %q, %v; want %q, %v", got, trailer, tt.want, tt.trailer)
			}
		})
	}
}

func TestOptionsRefused(t *testing.T) {
	good := Options{Endpoint: "https://bucket.example", AccessKeyID: "a", SecretAccessKey: "s"}
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"no endpoint", func(o *Options) { o.Endpoint = "" }, "no endpoint"},
		{"not a URL", func(o *Options) { o.Endpoint = "bucket.example" }, "want an http(s) URL"},
		{"no credentials", func(o *Options) { o.SecretAccessKey = "" }, "no credentials"},
		{"sizes reversed", func(o *Options) { o.MinSize, o.MaxSize = 10, 5 }, "object sizes"},
		{"multipart too small for three parts", func(o *Options) { o.MultipartMinSize = 2 * MinPartSize }, "multipart sizes"},
		{"unknown action", func(o *Options) { o.Mix = map[Action]int{"copy": 1} }, `unknown action "copy"`},
		{"no weight", func(o *Options) { o.Mix = map[Action]int{ActGet: 0} }, "no weight"},
		{"negative clients", func(o *Options) { o.Clients = -1 }, "negative"},
	}
	if _, err := good.withDefaults(); err != nil {
		t.Fatalf("the good options are refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.change(&o)
			_, err := o.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestReadVmRSS(t *testing.T) {
	kib, err := ReadVmRSS(os.Getpid())
	if err != nil || kib <= 0 {
		t.Errorf("ReadVmRSS(self) = %d, %v; want a positive size", kib, err)
	}
	if _, err := ReadVmRSS(1 << 30); err == nil {
		t.Error("ReadVmRSS of a process that cannot exist gave no error")
	}
}

func TestRSSSummary(t *testing.T) {
	r := (&RSSReport{Samples: []RSSSample{{0, 100}, {10, 300}, {19, 150}, {30, 200}, {40, 120}}}).summarize()
	if r.StartKiB != 100 || r.MiddleKiB != 150 || r.EndKiB != 120 || r.MaxKiB != 300 {
		t.Errorf("summary = start %d middle %d end %d max %d, want 100 150 120 300", r.StartKiB, r.MiddleKiB, r.EndKiB, r.MaxKiB)
	}
}
