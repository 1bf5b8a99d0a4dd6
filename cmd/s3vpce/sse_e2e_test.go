package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIServerSideEncryption is issue 16's encryption story with
// Debian's aws CLI v2 inside s3vpce exec: an SSE-C object goes up and
// comes back with its key and is refused without it; an SSE-KMS object
// reports its key ARN on head-object; a bucket policy that denies
// PutObject unless s3:x-amz-server-side-encryption is aws:kms refuses a
// plain upload and lets an SSE-KMS one through.
func TestAWSCLIServerSideEncryption(t *testing.T) {
	needNamespaces(t)
	home := t.TempDir()
	startServeProcess(t, home, "--bucket", "ssebucket", "--dns-addr", "127.0.0.1:0")
	endpoint := "https://bucket." + regionalName
	aws := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", endpoint}, args...)...)
	}
	file := filepath.Join(home, "obj.bin")
	writeRandom(t, file, 4096)
	back := filepath.Join(home, "back.bin")
	const customerKey = "0123456789abcdef0123456789abcdef" // 32 bytes

	if r := aws("s3", "cp", file, "s3://ssebucket/c.bin", "--sse-c", "AES256", "--sse-c-key", customerKey); r.code != 0 {
		t.Fatalf("cp --sse-c up: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3", "cp", "s3://ssebucket/c.bin", back, "--sse-c", "AES256", "--sse-c-key", customerKey); r.code != 0 {
		t.Fatalf("cp --sse-c back: exit %d\n%s", r.code, r.stderr)
	}
	sameFile(t, file, back)
	if r := aws("s3", "cp", "s3://ssebucket/c.bin", back+".nokey"); r.code == 0 || !strings.Contains(r.stderr, "400") {
		t.Errorf("cp of the SSE-C object without its key: exit %d, want a 400 refusal\n%s", r.code, r.stderr)
	}

	const keyID = "0b2c9c6e-4b7a-4b8e-9b1e-5f0d6a1c2e31"
	if r := aws("s3", "cp", file, "s3://ssebucket/k.bin", "--sse", "aws:kms", "--sse-kms-key-id", keyID); r.code != 0 {
		t.Fatalf("cp --sse aws:kms: exit %d\n%s", r.code, r.stderr)
	}
	r := aws("s3api", "head-object", "--bucket", "ssebucket", "--key", "k.bin")
	var head struct{ ServerSideEncryption, SSEKMSKeyId string }
	if err := json.Unmarshal([]byte(r.stdout), &head); r.code != 0 || err != nil ||
		head.ServerSideEncryption != "aws:kms" || head.SSEKMSKeyId != "arn:aws:kms:us-east-1:123456789012:key/"+keyID {
		t.Errorf("head-object: exit %d %+v\n%s%s", r.code, head, r.stdout, r.stderr)
	}

	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyNotKMS","Effect":"Deny","Principal":"*","Action":"s3:PutObject",` +
		`"Resource":"arn:aws:s3:::ssebucket/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}`
	if r := aws("s3api", "put-bucket-policy", "--bucket", "ssebucket", "--policy", policy); r.code != 0 {
		t.Fatalf("put-bucket-policy: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3", "cp", file, "s3://ssebucket/plain.bin"); r.code == 0 || !strings.Contains(r.stderr, "AccessDenied") {
		t.Errorf("plain cp under the deny-unencrypted policy: exit %d, want AccessDenied\n%s", r.code, r.stderr)
	}
	if r := aws("s3", "cp", file, "s3://ssebucket/kms2.bin", "--sse", "aws:kms"); r.code != 0 {
		t.Errorf("cp --sse aws:kms under the deny-unencrypted policy: exit %d\n%s", r.code, r.stderr)
	}
}
