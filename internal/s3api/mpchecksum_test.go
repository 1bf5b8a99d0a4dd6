package s3api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// partChecksum is the checksum of alg in an UploadPart, Complete or Head
// answer's fields.
func partChecksum(alg types.ChecksumAlgorithm, crc32, crc32c, crc64, sha1, sha256 *string) string {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(crc32)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(crc32c)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(crc64)
	case types.ChecksumAlgorithmSha1:
		return aws.ToString(sha1)
	}
	return aws.ToString(sha256)
}

// Multipart uploads with a checksum algorithm: Create echoes algorithm and
// type, ListParts shows them, Complete computes the object's checksum as
// S3 does — FULL_OBJECT by combining the parts' CRCs, COMPOSITE as the
// hash of the parts' checksums with "-N" — and HEAD, GetObjectAttributes
// and GET of a part report it. The expected values are the ones ceph's
// s3-tests hold for 5 MiB of 'A', 'B' and 'C'.
func TestMultipartChecksums(t *testing.T) {
	_, c := newServer(t, "mpck")
	ctx := t.Context()
	bodies := [][]byte{bytes.Repeat([]byte("A"), 5*mib), bytes.Repeat([]byte("B"), 5*mib), bytes.Repeat([]byte("C"), 5*mib)}
	for _, tc := range []struct {
		alg              types.ChecksumAlgorithm
		typ              types.ChecksumType // "" for S3's default
		wantType         types.ChecksumType
		part1, wantWhole string
	}{
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject, "JRTCyQ==", "WgDhBQ=="},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject, "MDaLrw==", "xU+Krw=="},
		{types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject, "L/E4WYn8v98=", "i+6LR0y3eFo="},
		{types.ChecksumAlgorithmSha256, "", types.ChecksumTypeComposite, "275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI=", "uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3"},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite, types.ChecksumTypeComposite, "iIaTCGbm+vdVjNqIMF2S0T7ibMk=", "sizjvY4eud3MrcHdZM3cQ/ol39o=-3"},
	} {
		t.Run(string(tc.alg)+"/"+string(tc.wantType), func(t *testing.T) {
			key := "obj-" + strings.ToLower(string(tc.alg))
			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpck"), Key: aws.String(key),
				ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			if cr.ChecksumAlgorithm != tc.alg || cr.ChecksumType != tc.wantType {
				t.Errorf("Create echoed %q %q, want %q %q", cr.ChecksumAlgorithm, cr.ChecksumType, tc.alg, tc.wantType)
			}
			var parts []types.CompletedPart
			for i, b := range bodies {
				up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpck"), Key: aws.String(key), UploadId: cr.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b), ChecksumAlgorithm: tc.alg})
				if err != nil {
					t.Fatal(err)
				}
				sum := partChecksum(tc.alg, up.ChecksumCRC32, up.ChecksumCRC32C, up.ChecksumCRC64NVME, up.ChecksumSHA1, up.ChecksumSHA256)
				if i == 0 && sum != tc.part1 {
					t.Errorf("UploadPart 1 checksum %q, want %q", sum, tc.part1)
				}
				p := types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1)), ChecksumCRC32: up.ChecksumCRC32, ChecksumCRC32C: up.ChecksumCRC32C,
					ChecksumCRC64NVME: up.ChecksumCRC64NVME, ChecksumSHA1: up.ChecksumSHA1, ChecksumSHA256: up.ChecksumSHA256}
				parts = append(parts, p)
			}
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpck"), Key: aws.String(key), UploadId: cr.UploadId})
			if err != nil {
				t.Fatal(err)
			}
			if lp.ChecksumAlgorithm != tc.alg || lp.ChecksumType != tc.wantType || len(lp.Parts) != 3 ||
				partChecksum(tc.alg, lp.Parts[0].ChecksumCRC32, lp.Parts[0].ChecksumCRC32C, lp.Parts[0].ChecksumCRC64NVME, lp.Parts[0].ChecksumSHA1, lp.Parts[0].ChecksumSHA256) != tc.part1 {
				t.Errorf("ListParts %q %q parts %+v", lp.ChecksumAlgorithm, lp.ChecksumType, lp.Parts)
			}
			in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpck"), Key: aws.String(key), UploadId: cr.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
			done, err := c.CompleteMultipartUpload(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got := partChecksum(tc.alg, done.ChecksumCRC32, done.ChecksumCRC32C, done.ChecksumCRC64NVME, done.ChecksumSHA1, done.ChecksumSHA256)
			if got != tc.wantWhole || done.ChecksumType != tc.wantType {
				t.Errorf("Complete: checksum %q type %q, want %q %q", got, done.ChecksumType, tc.wantWhole, tc.wantType)
			}
			// A repeated Complete answers the same.
			again, err := c.CompleteMultipartUpload(ctx, in)
			if err != nil || aws.ToString(again.ETag) != aws.ToString(done.ETag) ||
				partChecksum(tc.alg, again.ChecksumCRC32, again.ChecksumCRC32C, again.ChecksumCRC64NVME, again.ChecksumSHA1, again.ChecksumSHA256) != got {
				t.Errorf("repeated Complete: %v %+v", err, again)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpck"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if h := partChecksum(tc.alg, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); h != tc.wantWhole || head.ChecksumType != tc.wantType {
				t.Errorf("HEAD: %q %q", h, head.ChecksumType)
			}
			attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("mpck"), Key: aws.String(key),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts}})
			if err != nil {
				t.Fatal(err)
			}
			ac := attrs.Checksum
			if ac == nil || partChecksum(tc.alg, ac.ChecksumCRC32, ac.ChecksumCRC32C, ac.ChecksumCRC64NVME, ac.ChecksumSHA1, ac.ChecksumSHA256) != tc.wantWhole || ac.ChecksumType != tc.wantType {
				t.Errorf("GetObjectAttributes Checksum %+v", ac)
			}
			if op := attrs.ObjectParts; op == nil || len(op.Parts) != 3 ||
				partChecksum(tc.alg, op.Parts[0].ChecksumCRC32, op.Parts[0].ChecksumCRC32C, op.Parts[0].ChecksumCRC64NVME, op.Parts[0].ChecksumSHA1, op.Parts[0].ChecksumSHA256) != tc.part1 {
				t.Errorf("GetObjectAttributes ObjectParts %+v", op)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpck"), Key: aws.String(key), PartNumber: aws.Int32(1), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, get.Body)
			get.Body.Close()
			if g := partChecksum(tc.alg, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256); g != tc.part1 || n != 5*mib ||
				aws.ToInt32(get.PartsCount) != 3 {
				t.Errorf("GET part 1: checksum %q length %d parts %d", g, n, aws.ToInt32(get.PartsCount))
			}
		})
	}
}

// The checks of a Complete on an upload with a checksum algorithm, and
// the combinations CreateMultipartUpload refuses.
func TestMultipartChecksumErrors(t *testing.T) {
	srv, c := newServer(t, "mpckerr")
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		code string
	}{
		{"sha256 full object", map[string]string{"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"}, "InvalidRequest"},
		{"crc64nvme composite", map[string]string{"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"}, "InvalidRequest"},
		{"type without algorithm", map[string]string{"x-amz-checksum-type": "COMPOSITE"}, "InvalidRequest"},
		{"unknown algorithm", map[string]string{"x-amz-checksum-algorithm": "MD4"}, "InvalidRequest"},
		{"unknown type", map[string]string{"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "PARTIAL"}, "InvalidRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "POST", "/mpckerr/k?uploads", nil, tc.hdr)
			if r.Status != http.StatusBadRequest || errorOf(t, r).Code != tc.code {
				t.Errorf("%d %s, want 400 %s", r.Status, r.Body, tc.code)
			}
		})
	}
	newUpload := func(t *testing.T, key string) (*string, *s3.UploadPartOutput) {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpckerr"), Key: aws.String(key), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil {
			t.Fatal(err)
		}
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpckerr"), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil {
			t.Fatal(err)
		}
		return cr.UploadId, up
	}
	complete := func(ctx context.Context, key string, id *string, whole *string, p types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpckerr"), Key: aws.String(key), UploadId: id,
			ChecksumSHA256: whole, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}})
		return err
	}
	t.Run("wrong object checksum", func(t *testing.T) {
		id, up := newUpload(t, "a")
		err := complete(ctx, "a", id, aws.String("bad"), types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(1), ChecksumSHA256: up.ChecksumSHA256})
		if got := apiError(err); !strings.HasPrefix(got, "BadDigest:") {
			t.Errorf("got %q, want BadDigest", got)
		}
	})
	t.Run("part checksum missing", func(t *testing.T) {
		id, up := newUpload(t, "b")
		err := complete(ctx, "b", id, nil, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(1)})
		if got := apiError(err); !strings.HasPrefix(got, "InvalidRequest:") || !strings.Contains(got, "missing for part 1") {
			t.Errorf("got %q, want InvalidRequest naming part 1", got)
		}
	})
	t.Run("part checksum wrong", func(t *testing.T) {
		id, up := newUpload(t, "c")
		err := complete(ctx, "c", id, nil, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(1), ChecksumSHA256: aws.String("arcu6553sHVAiX4MjW0j7I7vD4w6R+Gz9Ok0Q9lTa+0=")})
		if got := apiError(err); !strings.HasPrefix(got, "InvalidPart:") {
			t.Errorf("got %q, want InvalidPart", got)
		}
	})
	t.Run("part of another algorithm", func(t *testing.T) {
		id, _ := newUpload(t, "d")
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpckerr"), Key: aws.String("d"), UploadId: id,
			PartNumber: aws.Int32(2), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if got := apiError(err); !strings.HasPrefix(got, "InvalidRequest:") || !strings.Contains(got, "expected checksum Type: sha256") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("composite part without a checksum", func(t *testing.T) {
		id, _ := newUpload(t, "f")
		r := do(t, srv, "PUT", uploadPath("mpckerr", "f", aws.ToString(id), "&partNumber=2"), []byte("x"), nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "actual checksum Type: null") {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("full-object part without a checksum", func(t *testing.T) {
		// s3vpce computes the part's CRC; Complete needs no part checksums.
		id := createUpload(t, srv, "mpckerr", "g", map[string]string{"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"})
		e1 := putPart(t, srv, "mpckerr", "g", id, 1, bytes.Repeat([]byte("A"), 5*mib))
		e2 := putPart(t, srv, "mpckerr", "g", id, 2, bytes.Repeat([]byte("B"), 5*mib))
		r := do(t, srv, "POST", uploadPath("mpckerr", "g", id), completeXML(1, e1, 2, e2), nil)
		var doc struct{ ChecksumCRC32, ChecksumType string }
		want := crc32.ChecksumIEEE(append(bytes.Repeat([]byte("A"), 5*mib), bytes.Repeat([]byte("B"), 5*mib)...))
		if r.Status != 200 || xml.Unmarshal(r.Body, &doc) != nil || doc.ChecksumType != "FULL_OBJECT" ||
			doc.ChecksumCRC32 != base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, want)) {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("repeated complete of another list", func(t *testing.T) {
		id, up := newUpload(t, "e")
		p := types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(1), ChecksumSHA256: up.ChecksumSHA256}
		if err := complete(ctx, "e", id, nil, p); err != nil {
			t.Fatal(err)
		}
		p.ETag = aws.String(`"00000000000000000000000000000000"`)
		if got := apiError(complete(ctx, "e", id, nil, p)); !strings.HasPrefix(got, "NoSuchUpload:") {
			t.Errorf("got %q, want NoSuchUpload", got)
		}
	})
}
