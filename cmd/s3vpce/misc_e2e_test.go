package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAWSCLIObjectAttributesAndURLEncoding: Debian's aws CLI v2 inside
// s3vpce exec uploads a two-part SHA256 multipart object with s3api,
// reads its attributes (ETag, ObjectParts, ObjectSize, Checksum) with
// get-object-attributes, and lists a key with a space with
// --encoding-type url, which S3 answers with the space as "+".
// (Conditional writes, put-object --if-none-match, need a newer CLI than
// Debian's 2.9; the S3 layer's tests cover them.)
func TestAWSCLIObjectAttributesAndURLEncoding(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatalf("Debian's aws CLI v2 (/usr/bin/aws) is missing: run .ci/run or apt-get install awscli")
	}
	home := t.TempDir()
	startServe(t, home, "--bucket", "misc")
	aws := func(args ...string) string {
		t.Helper()
		r := runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", "https://bucket." + regionalName}, args...)...)
		if r.code != 0 {
			t.Fatalf("aws %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}
	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
	}

	var created struct{ UploadId, ChecksumAlgorithm string }
	decode(aws("s3api", "create-multipart-upload", "--bucket", "misc", "--key", "mp.bin", "--checksum-algorithm", "SHA256"), &created)
	if created.ChecksumAlgorithm != "SHA256" {
		t.Errorf("create-multipart-upload echoed ChecksumAlgorithm %q", created.ChecksumAlgorithm)
	}
	sizes := []int{5 << 20, 1000}
	type part struct {
		ETag, ChecksumSHA256 string
		PartNumber           int
	}
	var parts []part
	var composite []byte
	for i, size := range sizes {
		file := filepath.Join(home, "part")
		writeRandom(t, file, size)
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		composite = append(composite, sum[:]...)
		var up part
		decode(aws("s3api", "upload-part", "--bucket", "misc", "--key", "mp.bin", "--upload-id", created.UploadId, "--part-number", strconv.Itoa(i+1),
			"--body", file, "--checksum-algorithm", "SHA256"), &up)
		if want := base64.StdEncoding.EncodeToString(sum[:]); up.ChecksumSHA256 != want {
			t.Errorf("upload-part %d: ChecksumSHA256 %q, want %q", i+1, up.ChecksumSHA256, want)
		}
		up.PartNumber = i + 1
		parts = append(parts, up)
	}
	list, err := json.Marshal(map[string]any{"Parts": parts})
	if err != nil {
		t.Fatal(err)
	}
	var done struct{ ETag, ChecksumSHA256 string }
	decode(aws("s3api", "complete-multipart-upload", "--bucket", "misc", "--key", "mp.bin", "--upload-id", created.UploadId, "--multipart-upload", string(list)), &done)
	whole := sha256.Sum256(composite)
	wantChecksum := base64.StdEncoding.EncodeToString(whole[:]) + "-2"
	if done.ChecksumSHA256 != wantChecksum || !strings.HasSuffix(strings.Trim(done.ETag, `"`), "-2") {
		t.Errorf("complete-multipart-upload: ETag %q ChecksumSHA256 %q, want …-2 and %q", done.ETag, done.ChecksumSHA256, wantChecksum)
	}

	var attrs struct {
		ETag        string
		Checksum    struct{ ChecksumSHA256, ChecksumType string }
		ObjectParts struct {
			TotalPartsCount int
			Parts           []struct {
				PartNumber     int
				Size           int
				ChecksumSHA256 string
			}
		}
		ObjectSize int
	}
	decode(aws("s3api", "get-object-attributes", "--bucket", "misc", "--key", "mp.bin", "--object-attributes", "ETag", "ObjectParts", "ObjectSize", "Checksum"), &attrs)
	if attrs.ETag != strings.Trim(done.ETag, `"`) || attrs.ObjectSize != sizes[0]+sizes[1] || attrs.Checksum.ChecksumSHA256 != wantChecksum ||
		attrs.ObjectParts.TotalPartsCount != 2 || len(attrs.ObjectParts.Parts) != 2 ||
		attrs.ObjectParts.Parts[1].Size != sizes[1] || attrs.ObjectParts.Parts[1].ChecksumSHA256 != parts[1].ChecksumSHA256 {
		t.Errorf("get-object-attributes: %+v", attrs)
	}

	small := filepath.Join(home, "small")
	writeRandom(t, small, 10)
	aws("s3api", "put-object", "--bucket", "misc", "--key", "with space.txt", "--body", small)
	var listed struct{ Contents []struct{ Key string } }
	decode(aws("s3api", "list-objects-v2", "--bucket", "misc", "--prefix", "with", "--encoding-type", "url"), &listed)
	if len(listed.Contents) != 1 || listed.Contents[0].Key != "with+space.txt" {
		t.Errorf("list-objects-v2 --encoding-type url: %+v", listed)
	}
}
