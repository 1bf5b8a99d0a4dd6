package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIChecksums is checksums end to end with Debian's aws CLI v2
// (2.9.19) inside s3vpce exec: `s3 cp` moves a 9 MiB file up as a
// multipart upload and back; copy-object with --checksum-algorithm SHA256
// (the newest algorithm that CLI has: it knows CRC32, CRC32C, SHA1 and
// SHA256, not CRC64NVME, and its `s3 cp` has no --checksum-algorithm yet)
// answers the copy's SHA-256, which head-object --checksum-mode ENABLED
// and list-objects-v2 report too, and the copy comes back intact.
func TestAWSCLIChecksums(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServeProcess(t, home, "--bucket", "ckbucket", "--dns-addr", "127.0.0.1:0")
	bucketURL := "https://bucket." + regionalName
	aws := func(args ...string) result {
		t.Helper()
		r := runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", bucketURL}, args...)...)
		if r.code != 0 {
			t.Fatalf("aws %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	file := filepath.Join(home, "big.bin")
	body := writeRandom(t, file, 9<<20) // above the CLI's 8 MiB multipart threshold
	sum := sha256.Sum256(body)
	want := base64.StdEncoding.EncodeToString(sum[:])

	aws("s3", "cp", file, "s3://ckbucket/big.bin")
	r := aws("s3api", "copy-object", "--bucket", "ckbucket", "--key", "copy.bin", "--copy-source", "ckbucket/big.bin", "--checksum-algorithm", "SHA256")
	var copied struct {
		CopyObjectResult struct{ ChecksumSHA256, ETag string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &copied); err != nil || copied.CopyObjectResult.ChecksumSHA256 != want {
		t.Fatalf("copy-object answered %s (%v): want ChecksumSHA256 %s", r.stdout, err, want)
	}
	r = aws("s3api", "head-object", "--bucket", "ckbucket", "--key", "copy.bin", "--checksum-mode", "ENABLED")
	var head struct {
		ChecksumSHA256 string
		ContentLength  int64
	}
	if err := json.Unmarshal([]byte(r.stdout), &head); err != nil || head.ChecksumSHA256 != want || head.ContentLength != 9<<20 {
		t.Fatalf("head-object answered %s (%v): want ChecksumSHA256 %s", r.stdout, err, want)
	}
	r = aws("s3api", "list-objects-v2", "--bucket", "ckbucket", "--prefix", "copy")
	var list struct {
		Contents []struct {
			Key               string
			ChecksumAlgorithm []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Contents) != 1 ||
		len(list.Contents[0].ChecksumAlgorithm) != 1 || list.Contents[0].ChecksumAlgorithm[0] != "SHA256" {
		t.Fatalf("list-objects-v2 answered %s (%v): want copy.bin with SHA256", r.stdout, err)
	}
	back := filepath.Join(home, "back.bin")
	aws("s3", "cp", "s3://ckbucket/copy.bin", back)
	sameFile(t, file, back)
}

// TestAWSCLIv1ChecksumMultipart is a multipart upload with an additional
// checksum made by the aws CLI v1 that pyenv installs (1.45, botocore
// 1.43): `s3 cp --checksum-algorithm CRC32` of a 9 MiB file uploads two
// parts (8 MiB and 1 MiB) each with its CRC32, and `s3api head-object
// --checksum-mode ENABLED` shows the object's COMPOSITE checksum, the
// CRC32 of the parts' CRC32s with "-2", as S3 computes it; the file comes
// back intact. (CRC64NVME from a CLI needs botocore[crt] for v1, and a
// newer v2 than Debian's 2.9.19: neither is installable here; the SDK
// table test covers CRC64NVME.)
func TestAWSCLIv1ChecksumMultipart(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	v1, ok := awsCLIs(t)["v1"]
	if !ok {
		t.Skip("no aws CLI v1 under ~/.pyenv/versions")
	}
	home := t.TempDir()
	startServeProcess(t, home, "--bucket", "ckv1", "--dns-addr", "127.0.0.1:0")
	aws := func(args ...string) result {
		t.Helper()
		c := s3vpceCmd(t, home, append([]string{"exec", "--", v1, "--output", "json", "--endpoint-url", "https://bucket." + regionalName}, args...)...)
		r := runCmd(t, c)
		if r.code != 0 {
			t.Fatalf("aws v1 %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	file := filepath.Join(home, "big.bin")
	body := writeRandom(t, file, 9<<20) // above the CLI's 8 MiB multipart threshold and part size
	var parts []byte
	for _, p := range [][]byte{body[:8<<20], body[8<<20:]} {
		parts = binary.BigEndian.AppendUint32(parts, crc32.ChecksumIEEE(p))
	}
	want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(parts))) + "-2"

	aws("s3", "cp", file, "s3://ckv1/big.bin", "--checksum-algorithm", "CRC32")
	r := aws("s3api", "head-object", "--bucket", "ckv1", "--key", "big.bin", "--checksum-mode", "ENABLED")
	var head struct {
		ChecksumCRC32, ChecksumType, ETag string
	}
	if err := json.Unmarshal([]byte(r.stdout), &head); err != nil || head.ChecksumCRC32 != want || head.ChecksumType != "COMPOSITE" ||
		!strings.HasSuffix(head.ETag, `-2"`) {
		t.Fatalf("head-object answered %s (%v): want ChecksumCRC32 %s, COMPOSITE, a 2-part ETag", r.stdout, err, want)
	}
	back := filepath.Join(home, "back.bin")
	aws("s3", "cp", "s3://ckv1/big.bin", back)
	sameFile(t, file, back)
}
