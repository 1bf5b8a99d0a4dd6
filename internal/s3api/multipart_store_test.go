package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A zero-byte part is accepted, and as the last part completes the
// upload; the ETag counts it.
func TestMultipartZeroBytePart(t *testing.T) {
	srv, _ := newServer(t, "mpz")
	big := bytes.Repeat([]byte("z"), 5*mib)
	id := createUpload(t, srv, "mpz", "k", nil)
	e1 := putPart(t, srv, "mpz", "k", id, 1, big)
	e2 := putPart(t, srv, "mpz", "k", id, 2, nil)
	r := do(t, srv, "POST", uploadPath("mpz", "k", id), completeXML(1, e1, 2, e2), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("Complete: %d %s", r.Status, r.Body)
	}
	var res struct{ ETag string }
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	if want := partsETag(big, nil); res.ETag != want {
		t.Errorf("ETag %s, want %s", res.ETag, want)
	}
	if g := getOK(t, srv, "/mpz/k"); !bytes.Equal(g.Body, big) {
		t.Errorf("content %d bytes, want %d", len(g.Body), len(big))
	}
}

// An UploadPart whose body does not match its Content-MD5 is refused and
// leaves the part uploaded earlier under that number in place.
func TestMultipartBadDigestKeepsPart(t *testing.T) {
	srv, _ := newServer(t, "mpd")
	id := createUpload(t, srv, "mpd", "k", nil)
	first := putPart(t, srv, "mpd", "k", id, 1, []byte("first"))
	wrong := md5.Sum([]byte("not the body"))
	tests := []struct {
		name string
		body []byte
	}{
		{"a body", []byte("second")},
		{"an empty body", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := uploadPath("mpd", "k", id, "&partNumber=1")
			r := do(t, srv, "PUT", path, tt.body, map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(wrong[:])})
			checkError(t, r, path, http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.", nil)
			l := do(t, srv, "GET", uploadPath("mpd", "k", id), nil, nil)
			var parts struct {
				Part []struct {
					PartNumber int
					ETag       string
				}
			}
			if err := xml.Unmarshal(l.Body, &parts); l.Status != http.StatusOK || err != nil {
				t.Fatalf("ListParts: %d %s", l.Status, l.Body)
			}
			if len(parts.Part) != 1 || parts.Part[0].PartNumber != 1 || parts.Part[0].ETag != first {
				t.Errorf("parts after BadDigest %+v, want part 1 with ETag %s", parts.Part, first)
			}
		})
	}
}

// Concurrent conditional completions of one key (If-None-Match: *): the
// check runs in the store's write, so exactly one wins.
func TestMultipartConditionalCompleteRace(t *testing.T) {
	srv, _ := newServer(t, "mpr")
	// The concurrent calls leave connections that never carried a request;
	// closing them spares the server's shutdown its wait for them.
	hc := srv.Client()
	t.Cleanup(hc.CloseIdleConnections)
	c := s3.NewFromConfig(srv.AWSConfig(t), func(o *s3.Options) { o.HTTPClient = hc })
	ctx := t.Context()
	const n = 8
	type upload struct {
		id   *string
		part types.CompletedPart
	}
	uploads := make([]upload, n)
	for i := range uploads {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("body " + strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		uploads[i] = upload{cr.UploadId, types.CompletedPart{PartNumber: aws.Int32(1), ETag: up.ETag}}
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, u := range uploads {
		wg.Go(func() {
			<-start
			_, errs[i] = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("k"),
				UploadId: u.id, IfNoneMatch: aws.String("*"),
				MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{u.part}}})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch got := apiError(err); {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("uploads %d and %d both completed", winner, i)
		case !strings.HasPrefix(got, "PreconditionFailed:"):
			t.Errorf("upload %d: %q, want PreconditionFailed", i, got)
		}
	}
	if winner < 0 {
		t.Fatal("no upload completed")
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpr"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Body.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(g.Body); err != nil {
		t.Fatal(err)
	}
	if want := "body " + strconv.Itoa(winner); got.String() != want {
		t.Errorf("content %q, want the winner's %q", got.String(), want)
	}
}
