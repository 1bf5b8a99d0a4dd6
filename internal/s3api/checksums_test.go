package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/awschunked"
)

// localChecksum is the base64 checksum of alg over the bodies concatenated.
func localChecksum(t *testing.T, alg types.ChecksumAlgorithm, bodies ...[]byte) string {
	t.Helper()
	h, _, err := awschunked.Checksum(string(alg))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		h.Write(b)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// compositeChecksum is S3's COMPOSITE checksum of parts: the hash of the
// parts' binary checksums, "-N".
func compositeChecksum(t *testing.T, alg types.ChecksumAlgorithm, parts ...[]byte) string {
	t.Helper()
	var raws [][]byte
	for _, p := range parts {
		raw, _ := base64.StdEncoding.DecodeString(localChecksum(t, alg, p))
		raws = append(raws, raw)
	}
	return localChecksum(t, alg, raws...) + fmt.Sprintf("-%d", len(parts))
}

// coverage counts the operation × algorithm × type combinations a test
// checked, for the report it logs.
type coverage map[string]bool

func (c coverage) add(op string, alg types.ChecksumAlgorithm, typ types.ChecksumType) {
	c[op+"/"+string(alg)+"/"+string(typ)] = true
}

var allAlgorithms = []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
	types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256}

// Checksums end to end through aws-sdk-go-v2: for each algorithm
// PutObject, CopyObject with x-amz-checksum-algorithm (FULL_OBJECT,
// computed while copying) and multipart uploads of each type S3 allows
// (a part uploaded, a part copied) store the checksum the client computes
// locally, and HeadObject/GetObject with checksum mode,
// GetObjectAttributes, ListParts, ListObjects, ListObjectsV2 and
// ListObjectVersions report it with its type.
func TestChecksumsEndToEnd(t *testing.T) {
	_, c := newServer(t, "cks")
	ctx := t.Context()
	cov := coverage{}
	small := []byte("a small body that is copied and listed")
	part1 := bytes.Repeat([]byte("p"), 5*mib)

	check := func(t *testing.T, op string, alg types.ChecksumAlgorithm, typ types.ChecksumType, got, want string, gotType types.ChecksumType) {
		t.Helper()
		if got != want || gotType != typ {
			t.Errorf("%s: checksum %q type %q, want %q %q", op, got, gotType, want, typ)
		}
		cov.add(op, alg, typ)
	}
	// report reads an object back: HEAD, GET (checksum mode), attributes
	// and its listing entry.
	report := func(t *testing.T, key string, alg types.ChecksumAlgorithm, typ types.ChecksumType, want string) {
		t.Helper()
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cks"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "HeadObject", alg, typ, partChecksum(alg, h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256), want, h.ChecksumType)
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cks"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		g.Body.Close()
		check(t, "GetObject", alg, typ, partChecksum(alg, g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256), want, g.ChecksumType)
		a, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("cks"), Key: aws.String(key),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Checksum == nil {
			t.Fatalf("GetObjectAttributes of %s: no Checksum", key)
		}
		ac := a.Checksum
		check(t, "GetObjectAttributes", alg, typ, partChecksum(alg, ac.ChecksumCRC32, ac.ChecksumCRC32C, ac.ChecksumCRC64NVME, ac.ChecksumSHA1, ac.ChecksumSHA256), want, ac.ChecksumType)
		l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cks"), Prefix: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Contents) != 1 || len(l.Contents[0].ChecksumAlgorithm) != 1 {
			t.Fatalf("ListObjectsV2 %s: %+v", key, l.Contents)
		}
		check(t, "ListObjectsV2", alg, typ, string(l.Contents[0].ChecksumAlgorithm[0]), string(alg), l.Contents[0].ChecksumType)
		l1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("cks"), Prefix: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if len(l1.Contents) != 1 || len(l1.Contents[0].ChecksumAlgorithm) != 1 {
			t.Fatalf("ListObjects %s: %+v", key, l1.Contents)
		}
		check(t, "ListObjects", alg, typ, string(l1.Contents[0].ChecksumAlgorithm[0]), string(alg), l1.Contents[0].ChecksumType)
		lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("cks"), Prefix: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if len(lv.Versions) != 1 || len(lv.Versions[0].ChecksumAlgorithm) != 1 {
			t.Fatalf("ListObjectVersions %s: %+v", key, lv.Versions)
		}
		check(t, "ListObjectVersions", alg, typ, string(lv.Versions[0].ChecksumAlgorithm[0]), string(alg), lv.Versions[0].ChecksumType)
	}

	t.Run("default settings", func(t *testing.T) {
		// aws-sdk-go-v2 sends a CRC32 of every PutObject by default.
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cks"), Key: aws.String("default"), Body: bytes.NewReader(small)})
		if err != nil {
			t.Fatal(err)
		}
		want := localChecksum(t, types.ChecksumAlgorithmCrc32, small)
		check(t, "PutObject", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, aws.ToString(out.ChecksumCRC32), want, out.ChecksumType)
		report(t, "default", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, want)
	})

	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			want := localChecksum(t, alg, small)
			full := types.ChecksumTypeFullObject
			key := "put-" + strings.ToLower(string(alg))
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cks"), Key: aws.String(key), Body: bytes.NewReader(small), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			check(t, "PutObject", alg, full, partChecksum(alg, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256), want, out.ChecksumType)
			report(t, key, alg, full, want)

			// Copied from "default" (a CRC32) with this algorithm asked for.
			ckey := "copy-" + strings.ToLower(string(alg))
			co, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cks"), Key: aws.String(ckey), CopySource: aws.String("cks/default"), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			r := co.CopyObjectResult
			check(t, "CopyObject", alg, full, partChecksum(alg, r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256), want, r.ChecksumType)
			report(t, ckey, alg, full, want)
		})
	}

	for _, tc := range []struct {
		alg types.ChecksumAlgorithm
		typ types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite}, {types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite}, {types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite}, {types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite},
	} {
		t.Run("multipart/"+string(tc.alg)+"/"+string(tc.typ), func(t *testing.T) {
			alg, typ := tc.alg, tc.typ
			key := "mp-" + strings.ToLower(string(alg)+"-"+string(typ))
			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cks"), Key: aws.String(key),
				ChecksumAlgorithm: alg, ChecksumType: typ})
			if err != nil {
				t.Fatal(err)
			}
			if cr.ChecksumAlgorithm != alg || cr.ChecksumType != typ {
				t.Errorf("CreateMultipartUpload: %q %q", cr.ChecksumAlgorithm, cr.ChecksumType)
			}
			cov.add("CreateMultipartUpload", alg, typ)
			up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cks"), Key: aws.String(key), UploadId: cr.UploadId,
				PartNumber: aws.Int32(1), Body: bytes.NewReader(part1), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			p1 := partChecksum(alg, up.ChecksumCRC32, up.ChecksumCRC32C, up.ChecksumCRC64NVME, up.ChecksumSHA1, up.ChecksumSHA256)
			check(t, "UploadPart", alg, typ, p1, localChecksum(t, alg, part1), typ)
			pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("cks"), Key: aws.String(key), UploadId: cr.UploadId,
				PartNumber: aws.Int32(2), CopySource: aws.String("cks/default")})
			if err != nil {
				t.Fatal(err)
			}
			r := pc.CopyPartResult
			p2 := partChecksum(alg, r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256)
			check(t, "UploadPartCopy", alg, typ, p2, localChecksum(t, alg, small), typ)
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("cks"), Key: aws.String(key), UploadId: cr.UploadId})
			if err != nil {
				t.Fatal(err)
			}
			if lp.ChecksumAlgorithm != alg || len(lp.Parts) != 2 {
				t.Fatalf("ListParts: algorithm %q, %d parts", lp.ChecksumAlgorithm, len(lp.Parts))
			}
			lp2 := lp.Parts[1]
			check(t, "ListParts", alg, typ, partChecksum(alg, lp2.ChecksumCRC32, lp2.ChecksumCRC32C, lp2.ChecksumCRC64NVME, lp2.ChecksumSHA1, lp2.ChecksumSHA256), p2, lp.ChecksumType)
			completed := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}, {PartNumber: aws.Int32(2), ETag: r.ETag}}
			for i, v := range []string{p1, p2} {
				switch alg {
				case types.ChecksumAlgorithmCrc32:
					completed[i].ChecksumCRC32 = aws.String(v)
				case types.ChecksumAlgorithmCrc32c:
					completed[i].ChecksumCRC32C = aws.String(v)
				case types.ChecksumAlgorithmCrc64nvme:
					completed[i].ChecksumCRC64NVME = aws.String(v)
				case types.ChecksumAlgorithmSha1:
					completed[i].ChecksumSHA1 = aws.String(v)
				case types.ChecksumAlgorithmSha256:
					completed[i].ChecksumSHA256 = aws.String(v)
				}
			}
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("cks"), Key: aws.String(key),
				UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
			if err != nil {
				t.Fatal(err)
			}
			want := localChecksum(t, alg, part1, small)
			if typ == types.ChecksumTypeComposite {
				want = compositeChecksum(t, alg, part1, small)
			}
			check(t, "CompleteMultipartUpload", alg, typ, partChecksum(alg, done.ChecksumCRC32, done.ChecksumCRC32C, done.ChecksumCRC64NVME, done.ChecksumSHA1, done.ChecksumSHA256), want, done.ChecksumType)
			report(t, key, alg, typ, want)
		})
	}
	t.Logf("checked %d operation × algorithm × type combinations", len(cov))
	if len(cov) < 99 {
		t.Errorf("only %d combinations checked", len(cov))
	}
}

// doPayload is do with x-amz-content-sha256 set to payload (signed as
// such) instead of the body's hash.
func doPayload(t *testing.T, srv *emulatortest.Server, method, path, payload string) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds := aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b.Bytes()}
}

// Malformed integrity headers through raw signed HTTP: an
// x-amz-content-sha256 that is no SHA-256 and no literal S3 knows is 400
// InvalidArgument (before the signature); DeleteObjects and PutBucketCors
// without Content-MD5 or a checksum are 400 InvalidRequest; a Content-MD5
// that is not an MD5 is 400 InvalidDigest and one that does not match is
// 400 BadDigest on every document S3 takes it with; CopyObject with an
// unknown x-amz-checksum-algorithm is 400 InvalidRequest.
func TestChecksumMalformedRequests(t *testing.T) {
	srv, c := newServer(t, "ckm")
	put(t, c, "ckm", "k", "body")
	md5Of := func(s string) string { sum := md5.Sum([]byte(s)); return base64.StdEncoding.EncodeToString(sum[:]) }
	del := `<Delete><Object><Key>k</Key></Object></Delete>`
	cors := `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>`
	tags := `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ckm/nothing"}]}`
	wrong := md5Of("something else")
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		code, message            string
	}{
		{"DeleteObjects without digest", "POST", "/ckm?delete", del, nil, 400, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{"DeleteObjects bad Content-MD5", "POST", "/ckm?delete", del, map[string]string{"Content-MD5": wrong}, 400, "BadDigest", "The Content-MD5 you specified did not match what we received."},
		{"DeleteObjects invalid Content-MD5", "POST", "/ckm?delete", del, map[string]string{"Content-MD5": "nope"}, 400, "InvalidDigest", "The Content-MD5 you specified was invalid."},
		{"DeleteObjects with checksum header", "POST", "/ckm?delete", del, map[string]string{"x-amz-checksum-crc32": localChecksum(t, types.ChecksumAlgorithmCrc32, []byte(del))}, 200, "", ""},
		{"PutBucketCors without digest", "PUT", "/ckm?cors", cors, nil, 400, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{"PutBucketCors bad Content-MD5", "PUT", "/ckm?cors", cors, map[string]string{"Content-MD5": wrong}, 400, "BadDigest", "The Content-MD5 you specified did not match what we received."},
		{"PutBucketCors", "PUT", "/ckm?cors", cors, map[string]string{"Content-MD5": md5Of(cors)}, 200, "", ""},
		{"PutBucketTagging bad Content-MD5", "PUT", "/ckm?tagging", tags, map[string]string{"Content-MD5": wrong}, 400, "BadDigest", "The Content-MD5 you specified did not match what we received."},
		{"PutObjectTagging invalid Content-MD5", "PUT", "/ckm/k?tagging", tags, map[string]string{"Content-MD5": "AAAA"}, 400, "InvalidDigest", "The Content-MD5 you specified was invalid."},
		{"PutBucketPolicy bad Content-MD5", "PUT", "/ckm?policy", pol, map[string]string{"Content-MD5": wrong}, 400, "BadDigest", "The Content-MD5 you specified did not match what we received."},
		{"PutBucketPolicy", "PUT", "/ckm?policy", pol, map[string]string{"Content-MD5": md5Of(pol)}, 204, "", ""},
		{"CopyObject unknown algorithm", "PUT", "/ckm/copy", "", map[string]string{"x-amz-copy-source": "ckm/k", "x-amz-checksum-algorithm": "MD5"}, 400, "InvalidRequest",
			"Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r := do(t, srv, tc.method, tc.path, body, tc.hdr)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.code == "" {
				return
			}
			if e := errorOf(t, r); e.Code != tc.code || e.Message != tc.message {
				t.Errorf("%s: %s, want %s: %s", e.Code, e.Message, tc.code, tc.message)
			}
		})
	}
	for _, tc := range []struct {
		payload string
		status  int
	}{
		{"GIBBERISH", 400},
		{strings.Repeat("g", 64), 400},
		{strings.Repeat("e", 63), 400},
		{"UNSIGNED-PAYLOAD", 200},
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 200}, // SHA-256 of nothing
	} {
		t.Run("x-amz-content-sha256 "+tc.payload, func(t *testing.T) {
			r := doPayload(t, srv, "GET", "/ckm", tc.payload)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.status == 200 {
				return
			}
			e := errorOf(t, r)
			if e.Code != "InvalidArgument" || !strings.HasPrefix(e.Message, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER,") ||
				!bytes.Contains(r.Body, []byte("<ArgumentName>x-amz-content-sha256</ArgumentName><ArgumentValue>"+tc.payload+"</ArgumentValue>")) {
				t.Errorf("%s: %s (%s)", e.Code, e.Message, r.Body)
			}
		})
	}
}

// contentMD5Header is a Content-MD5 header of body for do (nil for no
// body), which SDKs send with every document S3 requires a digest of.
func contentMD5Header(body []byte) map[string]string {
	if body == nil {
		return nil
	}
	sum := md5.Sum(body)
	return map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}
}
