package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
)

// TestCurlPostUpload is a browser's upload with real clients inside
// s3vpce exec: the Go SDK's presigner signs a POST policy (SigV4), curl
// sends the form with the file to bucket.vpce-… and gets 201 with S3's
// PostResponse and the bucket's CORS headers, the aws CLI v2 reads the
// object back, and curl's OPTIONS preflight is answered from the bucket's
// CORS rules.
func TestCurlPostUpload(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServeProcess(t, home, "--bucket", "uploads", "--dns-addr", "127.0.0.1:0")
	bucketURL := "https://bucket." + regionalName
	run := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--"}, args...)...)
	}

	cors := `{"CORSRules":[{"AllowedOrigins":["https://app.example.com"],"AllowedMethods":["POST","GET"],"AllowedHeaders":["*"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":300}]}`
	if r := run("/usr/bin/aws", "s3api", "put-bucket-cors", "--bucket", "uploads", "--cors-configuration", cors, "--endpoint-url", bucketURL); r.code != 0 {
		t.Fatalf("put-bucket-cors: exit %d\n%s", r.code, r.stderr)
	}

	// The policy, signed in process: presigning needs no network.
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(bucketURL),
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	post, err := s3.NewPresignClient(c).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("in/${filename}")},
		func(o *s3.PresignPostOptions) {
			o.Expires = 10 * time.Minute
			o.Conditions = []any{[]any{"starts-with", "$key", "in/"}, []any{"starts-with", "$Content-Type", "image/"},
				map[string]string{"success_action_status": "201"}, []any{"content-length-range", 1, 1 << 20}}
		})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(home, "photo.png")
	writeRandom(t, file, 4096)
	args := []string{"/usr/bin/curl", "-sS", "-D", "-", "-H", "Origin: https://app.example.com"}
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature", "policy"} {
		args = append(args, "--form-string", k+"="+post.Values[k])
	}
	args = append(args, "--form-string", "key=in/${filename}", "--form-string", "Content-Type=image/png",
		"--form-string", "success_action_status=201", "-F", "file=@"+file, post.URL)
	r := run(args...)
	if r.code != 0 || !strings.Contains(r.stdout, "HTTP/1.1 201") || !strings.Contains(r.stdout, "<Key>in/photo.png</Key>") ||
		!strings.Contains(strings.ToLower(r.stdout), "access-control-allow-origin: https://app.example.com") {
		t.Fatalf("curl POST: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	back := filepath.Join(home, "back.png")
	r = run("/usr/bin/aws", "s3api", "get-object", "--bucket", "uploads", "--key", "in/photo.png", back, "--endpoint-url", bucketURL)
	if r.code != 0 || !strings.Contains(r.stdout, `"ContentType": "image/png"`) {
		t.Fatalf("get-object: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	sameFile(t, file, back)

	r = run("/usr/bin/curl", "-sS", "-i", "-X", "OPTIONS", "-H", "Origin: https://app.example.com", "-H", "Access-Control-Request-Method: POST",
		"-H", "Access-Control-Request-Headers: content-type", bucketURL+"/uploads")
	lower := strings.ToLower(r.stdout)
	if r.code != 0 || !strings.Contains(r.stdout, "HTTP/1.1 200") || !strings.Contains(lower, "access-control-allow-methods: post, get") ||
		!strings.Contains(lower, "access-control-max-age: 300") {
		t.Fatalf("curl OPTIONS: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
