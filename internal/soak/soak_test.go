package soak_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/soak"
)

const bucket = "soak"

// options points a run at srv with small objects, so a run is quick.
func options(srv *emulatortest.Server, hc soak.HTTPClient) soak.Options {
	return soak.Options{
		Endpoint: srv.URL(), HTTPClient: hc, Region: emulator.DefaultRegion, Bucket: bucket,
		AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey,
		Seed: 1, MaxSize: 64 << 10, MultipartMaxSize: 2*soak.MinPartSize + 64<<10,
	}
}

// TestSmoke runs 4 clients for 2 s against the in-process emulator: every
// operation runs, aws-chunked trailers and UNSIGNED-PAYLOAD really go on the
// wire, nothing read differs from what was written, nothing fails, the
// report renders, RSS is sampled and the objects are cleaned up.
func TestSmoke(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets(bucket))
	o := options(srv, srv.Client())
	o.Clients, o.Duration = 4, 2*time.Second
	o.Prefix = "smoke"
	o.RSSPID, o.RSSInterval = os.Getpid(), 500*time.Millisecond
	rep, err := soak.Run(t.Context(), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%s", text.String())

	if rep.Mismatches != 0 {
		t.Errorf("mismatches = %d (%v): %q", rep.Mismatches, rep.MismatchesByKind, rep.MismatchSamples)
	}
	if rep.Errors != 0 {
		t.Errorf("errors = %d: %v; first of each: %v", rep.Errors, rep.ErrorsByCode, rep.ErrorSamples)
	}
	for _, op := range soak.Ops() {
		if o, ok := rep.Op(op); !ok || o.Count == 0 {
			t.Errorf("%s never ran", op)
		} else if !strings.Contains(text.String(), op) {
			t.Errorf("the text report has no line for %s", op)
		}
	}
	if rep.AWSChunkedTrailerPuts == 0 {
		t.Errorf("no aws-chunked PUT with a trailing checksum went on the wire; PUT modes: %v", rep.PutModes)
	}
	for _, mode := range []string{"STREAMING-UNSIGNED-PAYLOAD-TRAILER (aws-chunked, trailer x-amz-checksum-crc32)", "UNSIGNED-PAYLOAD", "presigned URL"} {
		if rep.PutModes[mode] == 0 {
			t.Errorf("no PUT sent as %q; PUT modes: %v", mode, rep.PutModes)
		}
	}
	if !strings.Contains(text.String(), "byte mismatches 0\n") {
		t.Errorf("the text report does not say byte mismatches 0")
	}
	if rep.RSS == nil || rep.RSS.Err != "" || len(rep.RSS.Samples) < 2 || rep.RSS.StartKiB <= 0 || rep.RSS.MaxKiB < rep.RSS.EndKiB {
		t.Errorf("RSS = %+v, want samples at start and end", rep.RSS)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back soak.Report
	if err := json.Unmarshal(js, &back); err != nil || back.Ops != rep.Ops || len(back.PerOp) != len(soak.Ops()) {
		t.Errorf("JSON round trip: ops %d, %d lines, err %v; want %d, %d", back.Ops, len(back.PerOp), err, rep.Ops, len(soak.Ops()))
	}

	left, err := sdk(srv).ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("smoke/")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(left.Contents); n != 0 {
		t.Errorf("%d objects left under smoke/ after the run, want 0 (cleanup)", n)
	}
}

func sdk(srv *emulatortest.Server) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: emulator.DefaultRegion, HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
}

// tamper is an HTTP client that alters the first response (or request)
// matching its rule, once.
type tamper struct {
	next soak.HTTPClient
	// apply sends req (or not) and alters what comes back; it reports
	// whether it did anything.
	apply func(next soak.HTTPClient, req *http.Request) (*http.Response, bool, error)

	mu   sync.Mutex
	done bool
}

func (c *tamper) Do(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.next.Do(req)
	}
	resp, did, err := c.apply(c.next, req)
	c.done = did
	return resp, err
}

// flipGET flips the first byte of the body of an object GET (one with an
// ETag) for which match holds.
func flipGET(match func(*http.Request) bool) func(soak.HTTPClient, *http.Request) (*http.Response, bool, error) {
	return func(next soak.HTTPClient, req *http.Request) (*http.Response, bool, error) {
		resp, err := next.Do(req)
		if err != nil || req.Method != http.MethodGet || !match(req) || resp.StatusCode != http.StatusOK ||
			resp.Header.Get("ETag") == "" || resp.ContentLength <= 0 {
			return resp, false, err
		}
		resp.Body = &flipFirst{ReadCloser: resp.Body}
		return resp, true, nil
	}
}

type flipFirst struct {
	io.ReadCloser
	flipped bool
}

func (f *flipFirst) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if n > 0 && !f.flipped {
		p[0] ^= 0x01
		f.flipped = true
	}
	return n, err
}

// TestVerificationCatchesCorruption alters one response (or swallows one
// request) between the client and the emulator: the run must report the
// mismatch of the expected kind.
func TestVerificationCatchesCorruption(t *testing.T) {
	presigned := func(r *http.Request) bool { return r.URL.Query().Get("X-Amz-Signature") != "" }
	tests := []struct {
		name  string
		apply func(soak.HTTPClient, *http.Request) (*http.Response, bool, error)
		kind  string
	}{
		{"a byte flipped in a GetObject body", flipGET(func(r *http.Request) bool { return !presigned(r) }), "body"},
		{"a byte flipped in a presigned GET body", flipGET(presigned), "body"},
		{"a DeleteObject answered 204 but never sent", func(next soak.HTTPClient, req *http.Request) (*http.Response, bool, error) {
			if req.Method != http.MethodDelete || req.URL.Query().Has("uploadId") {
				resp, err := next.Do(req)
				return resp, false, err
			}
			return &http.Response{StatusCode: http.StatusNoContent, Status: "204 No Content", Header: http.Header{},
				Body: http.NoBody, Request: req, ProtoMajor: 1, ProtoMinor: 1}, true, nil
		}, "deleted-readable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulatortest.WithBuckets(bucket))
			tp := &tamper{next: srv.Client(), apply: tt.apply}
			o := options(srv, tp)
			o.Clients, o.Duration = 1, time.Nanosecond // the first round of the mix only
			o.Mix = soak.DefaultMix()
			delete(o.Mix, soak.ActMultipart) // the slowest action, and not needed here
			rep, err := soak.Run(t.Context(), o)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !tp.done {
				t.Fatal("the tampering never happened")
			}
			if rep.Mismatches == 0 || rep.MismatchesByKind[tt.kind] == 0 {
				t.Fatalf("mismatches = %d %v, want at least one of kind %q", rep.Mismatches, rep.MismatchesByKind, tt.kind)
			}
			var text bytes.Buffer
			rep.WriteText(&text)
			if !strings.Contains(text.String(), "MISMATCHES by kind:") {
				t.Errorf("the text report does not show the mismatches:\n%s", text.String())
			}
			t.Logf("caught: %q", rep.MismatchSamples)
		})
	}
}
