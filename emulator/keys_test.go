package emulator_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
)

// TestKeyEncoding: keys whose percent-escapes are not UTF-8 are refused
// with S3's InvalidURI and never stored; keys with control characters
// (valid UTF-8, which S3 accepts) round-trip.
func TestKeyEncoding(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"keys"}})
	c := srv.Client()
	base := srv.URL()
	virtual := strings.Replace(base, "https://bucket.", "https://keys.bucket.", 1)
	refused := []struct {
		name, method, url string
		hdr               map[string]string
		code              string
	}{
		{"PUT lone 0xFF byte", "PUT", base + "/keys/a%FFb", nil, "InvalidURI"},
		{"PUT overlong encoding of /", "PUT", base + "/keys/a%C0%AFb", nil, "InvalidURI"},
		{"PUT truncated sequence", "PUT", base + "/keys/%E2%82", nil, "InvalidURI"},
		{"PUT surrogate half", "PUT", base + "/keys/%ED%A0%80", nil, "InvalidURI"},
		{"GET lone 0xFE byte", "GET", base + "/keys/%FE", nil, "InvalidURI"},
		{"virtual-hosted PUT", "PUT", virtual + "/%FF", nil, "InvalidURI"},
		{"anonymous PUT", "PUT", base + "/keys/%FF", map[string]string{"Anonymous": "1"}, "InvalidURI"},
		{"CopyObject from a non-UTF-8 source", "PUT", base + "/keys/copy", map[string]string{"X-Amz-Copy-Source": "keys/%FF"}, "InvalidArgument"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "PUT" {
				body = strings.NewReader("data")
			}
			resp, b := do(t, c, tt.method, tt.url, body, tt.hdr, false)
			var e xmlError
			if err := xml.Unmarshal(b, &e); err != nil {
				t.Fatalf("status %d, body is not S3 XML: %s", resp.StatusCode, b)
			}
			if resp.StatusCode != 400 || e.Code != tt.code {
				t.Fatalf("got %d %s (%s), want 400 %s", resp.StatusCode, e.Code, e.Message, tt.code)
			}
		})
	}
	resp, b := do(t, c, "GET", base+"/keys?list-type=2&encoding-type=url", nil, nil, false)
	if resp.StatusCode != 200 || bytes.Contains(b, []byte("<Key>")) {
		t.Fatalf("after the refused writes the bucket lists %d %s; want it empty", resp.StatusCode, b)
	}

	client := sdkClient(srv, base, false)
	ctx := t.Context()
	for _, key := range []string{"nul\x00key", "tab\tand\x01ctl", "del\x7f", "ünïcødé/日本"} {
		t.Run("round trip "+strings.ToValidUTF8(key, "?"), func(t *testing.T) {
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
				t.Fatal(err)
			}
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keys"), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(got) != key {
				t.Fatalf("GET %q = %q", key, got)
			}
		})
	}
	// With encoding-type=url a listing carries every key, control
	// characters included, as S3 escapes them.
	resp, b = do(t, c, "GET", base+"/keys?list-type=2&encoding-type=url", nil, nil, false)
	for _, want := range []string{"<Key>nul%00key</Key>", "<Key>tab%09and%01ctl</Key>", "<Key>del%7F</Key>"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("listing lacks %s: %s", want, b)
		}
	}
}
