package soak

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// maxRange bounds the length of a ranged GET.
const maxRange = 256 << 10

// object is what a client last wrote to one of its keys.
type object struct {
	gen  uint64
	size int64
	etag string // what S3 must report: MD5, or MD5 of part MD5s "-3"
}

// client is one worker. It alone writes under its prefix, so it knows
// exactly which objects exist there and what each holds.
type client struct {
	r      *runner
	id     int
	prefix string
	rng    *rand.Rand
	rec    *recorder
	gen    uint64

	live map[string]object
	// uncertain keys are those whose last write or delete failed: the
	// object may or may not be there, so listings skip them and reads do
	// not pick them until a write succeeds.
	uncertain map[string]bool
	actions   []Action // the mix, one entry per unit of weight
}

func newClient(r *runner, id int) *client {
	c := &client{r: r, id: id, prefix: fmt.Sprintf("%s/c%03d/", r.o.Prefix, id),
		rng: rand.New(rand.NewPCG(r.o.Seed, uint64(id))), rec: newRecorder(),
		live: map[string]object{}, uncertain: map[string]bool{}}
	for _, a := range Actions() {
		for range r.o.Mix[a] {
			c.actions = append(c.actions, a)
		}
	}
	return c
}

// run does every action of the mix once, then draws actions from the mix
// until the deadline; it stops early only when ctx ends.
func (c *client) run(ctx context.Context, deadline time.Time) {
	for _, a := range Actions() {
		if ctx.Err() != nil {
			return
		}
		if c.r.o.Mix[a] > 0 {
			c.do(ctx, a)
		}
	}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		c.do(ctx, c.actions[c.rng.IntN(len(c.actions))])
	}
}

func (c *client) do(ctx context.Context, a Action) {
	key, ok := c.liveKey()
	switch {
	case a == ActPut || a == ActPutUnsigned || a == ActPutPresigned:
		c.put(ctx, a)
	case a == ActMultipart:
		c.multipart(ctx)
	case !ok: // nothing to read or delete yet
		c.put(ctx, ActPut)
	case a == ActGet:
		c.get(ctx, OpGetObject, key, false)
	case a == ActGetRange:
		c.get(ctx, OpGetObjectRange, key, true)
	case a == ActGetPresigned:
		c.getPresigned(ctx, key)
	case a == ActHead:
		c.head(ctx, key)
	case a == ActList:
		c.list(ctx)
	case a == ActDelete:
		c.delete(ctx, key)
	}
}

// timed runs one operation under OpTimeout and records its outcome; f
// returns the payload bytes moved. An operation cut off because the run
// itself was cancelled is not counted.
func (c *client) timed(ctx context.Context, op string, f func(ctx context.Context) (int64, error)) bool {
	octx, cancel := context.WithTimeout(ctx, c.r.o.OpTimeout)
	defer cancel()
	start := time.Now()
	n, err := f(octx)
	d := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		code := c.rec.failure(op, err)
		c.r.errs.Add(1)
		c.r.o.Logger.Debug("soak error", "client", c.id, "op", op, "code", code, "err", err)
		return false
	}
	c.rec.success(op, d, n)
	c.r.ops.Add(1)
	return true
}

func (c *client) mismatch(kind, op, key string, format string, args ...any) {
	detail := fmt.Sprintf("%s %s: %s", op, key, fmt.Sprintf(format, args...))
	c.rec.mismatch(kind, detail)
	c.r.mismatches.Add(1)
	c.r.o.Logger.Error("soak mismatch", "client", c.id, "kind", kind, "detail", detail)
}

// liveKey picks one of the client's objects.
func (c *client) liveKey() (string, bool) {
	if len(c.live) == 0 {
		return "", false
	}
	keys := slices.Sorted(maps.Keys(c.live))
	return keys[c.rng.IntN(len(keys))], true
}

// next names a new version of a key chosen among the client's keys.
func (c *client) next() (string, content) {
	key := fmt.Sprintf("%sk%03d", c.prefix, c.rng.IntN(c.r.o.KeysPerClient))
	c.gen++
	return key, content{seed: c.r.o.Seed, key: key, gen: c.gen}
}

// size draws a single-PUT size, log-uniform in [MinSize, MaxSize].
func (c *client) size() int64 {
	lo, hi := math.Log(float64(c.r.o.MinSize)), math.Log(float64(c.r.o.MaxSize))
	return min(c.r.o.MaxSize, max(c.r.o.MinSize, int64(math.Exp(lo+c.rng.Float64()*(hi-lo)))))
}

// wrote records the outcome of a write (or, with del, a delete) of key.
func (c *client) wrote(key string, ok bool, obj object, del bool) {
	switch {
	case !ok:
		delete(c.live, key)
		c.uncertain[key] = true
	case del:
		delete(c.live, key)
		delete(c.uncertain, key)
	default:
		c.live[key] = obj
		delete(c.uncertain, key)
	}
}

func (c *client) bucket() *string { return aws.String(c.r.o.Bucket) }

// put writes a new version of a key the way action a says: the SDK's defaults
// (aws-chunked body, trailing CRC32 over HTTPS), UNSIGNED-PAYLOAD with no
// checksum, or a presigned URL.
func (c *client) put(ctx context.Context, a Action) {
	key, ct := c.next()
	size := c.size()
	body := ct.bytes(size)
	obj := object{gen: ct.gen, size: size, etag: etag(body)}
	var ok bool
	switch a {
	case ActPutPresigned:
		ok = c.timed(ctx, OpPutObjectPresigned, func(ctx context.Context) (int64, error) {
			got, err := c.presignedPut(ctx, key, body)
			if err != nil {
				return 0, err
			}
			c.checkETag(OpPutObjectPresigned, key, got, obj.etag)
			return size, nil
		})
	default:
		op, optFns := OpPutObject, []func(*s3.Options){}
		if a == ActPutUnsigned {
			op, optFns = OpPutObjectUnsigned, []func(*s3.Options){unsignedPayload}
		}
		ok = c.timed(ctx, op, func(ctx context.Context) (int64, error) {
			out, err := c.r.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: c.bucket(), Key: aws.String(key),
				Body: bytes.NewReader(body), ContentLength: aws.Int64(size)}, optFns...)
			if err != nil {
				return 0, err
			}
			c.checkETag(op, key, aws.ToString(out.ETag), obj.etag)
			return size, nil
		})
	}
	c.wrote(key, ok, obj, false)
}

// unsignedPayload sends x-amz-content-sha256: UNSIGNED-PAYLOAD and no
// checksum, so the body goes as it is (not aws-chunked).
func unsignedPayload(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

func (c *client) presignedPut(ctx context.Context, key string, body []byte) (string, error) {
	p, err := c.r.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: c.bucket(), Key: aws.String(key)},
		s3.WithPresignExpires(15*time.Minute))
	if err != nil {
		return "", fmt.Errorf("soak: presign PUT: %w", err)
	}
	resp, err := c.send(ctx, p, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("ETag"), nil
}

// send does a presigned request with plain net/http and turns a non-2xx
// answer into a statusError carrying the S3 error code.
func (c *client) send(ctx context.Context, p *v4.PresignedHTTPRequest, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, body)
	if err != nil {
		return nil, fmt.Errorf("soak: presigned request: %w", err)
	}
	for k, v := range p.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = v
		}
	}
	resp, err := c.r.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	xml.Unmarshal(data, &e)
	return nil, &statusError{status: resp.StatusCode, code: e.Code, msg: e.Message}
}

func (c *client) checkETag(op, key, got, want string) {
	if got != want {
		c.mismatch("etag", op, key, "ETag %s, want %s", got, want)
	}
}

// get reads key whole or a random range of it and compares every byte.
func (c *client) get(ctx context.Context, op, key string, ranged bool) {
	obj := c.live[key]
	off, n := int64(0), obj.size
	in := &s3.GetObjectInput{Bucket: c.bucket(), Key: aws.String(key)}
	if ranged {
		off = c.rng.Int64N(obj.size)
		n = 1 + c.rng.Int64N(min(obj.size-off, maxRange))
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	c.timed(ctx, op, func(ctx context.Context) (int64, error) {
		out, err := c.r.s3.GetObject(ctx, in)
		if err != nil {
			return 0, err
		}
		defer out.Body.Close()
		if l := aws.ToInt64(out.ContentLength); l != n {
			c.mismatch("length", op, key, "Content-Length %d, want %d", l, n)
		}
		c.checkETag(op, key, aws.ToString(out.ETag), obj.etag)
		if want := fmt.Sprintf("bytes %d-%d/%d", off, off+n-1, obj.size); ranged && aws.ToString(out.ContentRange) != want {
			c.mismatch("length", op, key, "Content-Range %q, want %q", aws.ToString(out.ContentRange), want)
		}
		return c.verify(op, key, out.Body, obj, off, n)
	})
}

// verify compares a body with bytes [off, off+n) of the object.
func (c *client) verify(op, key string, body io.Reader, obj object, off, n int64) (int64, error) {
	read, mm, err := verifyBody(body, content{seed: c.r.o.Seed, key: key, gen: obj.gen}, off, n)
	if mm != "" {
		c.mismatch("body", op, key, "generation %d, bytes %d-%d of %d: %s", obj.gen, off, off+n-1, obj.size, mm)
	}
	return read, err
}

func (c *client) getPresigned(ctx context.Context, key string) {
	obj := c.live[key]
	c.timed(ctx, OpGetObjectPresigned, func(ctx context.Context) (int64, error) {
		p, err := c.r.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: c.bucket(), Key: aws.String(key)},
			s3.WithPresignExpires(15*time.Minute))
		if err != nil {
			return 0, fmt.Errorf("soak: presign GET: %w", err)
		}
		resp, err := c.send(ctx, p, nil)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		c.checkETag(OpGetObjectPresigned, key, resp.Header.Get("ETag"), obj.etag)
		return c.verify(OpGetObjectPresigned, key, resp.Body, obj, 0, obj.size)
	})
}

func (c *client) head(ctx context.Context, key string) {
	obj := c.live[key]
	c.timed(ctx, OpHeadObject, func(ctx context.Context) (int64, error) {
		out, err := c.r.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: c.bucket(), Key: aws.String(key)})
		if err != nil {
			return 0, err
		}
		if l := aws.ToInt64(out.ContentLength); l != obj.size {
			c.mismatch("length", OpHeadObject, key, "Content-Length %d, want %d", l, obj.size)
		}
		c.checkETag(OpHeadObject, key, aws.ToString(out.ETag), obj.etag)
		return 0, nil
	})
}

// list lists the client's prefix: exactly its live objects must appear,
// with their sizes and ETags (uncertain keys may or may not).
func (c *client) list(ctx context.Context) {
	c.timed(ctx, OpListObjectsV2, func(ctx context.Context) (int64, error) {
		seen := map[string]types.Object{}
		pages := s3.NewListObjectsV2Paginator(c.r.s3, &s3.ListObjectsV2Input{Bucket: c.bucket(), Prefix: aws.String(c.prefix)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return 0, err
			}
			for _, o := range page.Contents {
				seen[aws.ToString(o.Key)] = o
			}
		}
		for _, key := range slices.Sorted(maps.Keys(c.live)) {
			obj := c.live[key]
			o, ok := seen[key]
			switch {
			case !ok:
				c.mismatch("list-missing", OpListObjectsV2, key, "written (generation %d) but not listed", obj.gen)
			case aws.ToInt64(o.Size) != obj.size || aws.ToString(o.ETag) != obj.etag:
				c.mismatch("list-stale", OpListObjectsV2, key, "listed with size %d ETag %s, want %d %s",
					aws.ToInt64(o.Size), aws.ToString(o.ETag), obj.size, obj.etag)
			}
		}
		for _, key := range slices.Sorted(maps.Keys(seen)) {
			if _, ok := c.live[key]; !ok && !c.uncertain[key] {
				c.mismatch("list-extra", OpListObjectsV2, key, "listed but deleted or never written")
			}
		}
		return 0, nil
	})
}

// delete deletes key; a GET of it must then answer NoSuchKey.
func (c *client) delete(ctx context.Context, key string) {
	ok := c.timed(ctx, OpDeleteObject, func(ctx context.Context) (int64, error) {
		_, err := c.r.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: c.bucket(), Key: aws.String(key)})
		return 0, err
	})
	c.wrote(key, ok, object{}, true)
	if !ok {
		return
	}
	c.timed(ctx, OpGetObjectDeleted, func(ctx context.Context) (int64, error) {
		out, err := c.r.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: c.bucket(), Key: aws.String(key)})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey" {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		n, _ := io.Copy(io.Discard, out.Body)
		out.Body.Close()
		c.mismatch("deleted-readable", OpGetObjectDeleted, key, "GET after DeleteObject returned %d bytes, want NoSuchKey", n)
		return n, nil
	})
}

// multipart uploads a new version of a key in three parts, then reads it
// back whole.
func (c *client) multipart(ctx context.Context) {
	key, ct := c.next()
	lo, hi := c.r.o.MultipartMinSize, c.r.o.MultipartMaxSize
	size := lo + c.rng.Int64N(hi-lo+1)
	body := ct.bytes(size)
	part := max(MinPartSize, (size+2)/3)
	parts := [][]byte{body[:part], body[part : 2*part], body[2*part:]}
	obj := object{gen: ct.gen, size: size, etag: multipartETag(parts)}
	ok := c.timed(ctx, OpMultipartUpload, func(ctx context.Context) (int64, error) {
		return size, c.uploadParts(ctx, key, parts, obj.etag)
	})
	c.wrote(key, ok, obj, false)
	if ok {
		c.get(ctx, OpGetObjectMultipart, key, false)
	}
}

func (c *client) uploadParts(ctx context.Context, key string, parts [][]byte, wantETag string) (err error) {
	up, err := c.r.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: c.bucket(), Key: aws.String(key)})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			c.r.s3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: c.bucket(), Key: aws.String(key), UploadId: up.UploadId})
		}
	}()
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := c.r.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: c.bucket(), Key: aws.String(key),
			UploadId: up.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(p), ContentLength: aws.Int64(int64(len(p)))})
		if err != nil {
			return err
		}
		c.checkETag(OpMultipartUpload, fmt.Sprintf("%s part %d", key, n), aws.ToString(out.ETag), etag(p))
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	}
	out, err := c.r.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: c.bucket(), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		return err
	}
	c.checkETag(OpMultipartUpload, key, aws.ToString(out.ETag), wantETag)
	return nil
}
