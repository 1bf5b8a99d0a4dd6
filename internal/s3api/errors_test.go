package s3api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// TestStoreError: the one mapping from store (and request body) errors to
// S3's, with the elements S3 sends; only what S3 reports as InternalError
// is logged, once, with the request's op, bucket, key, request ID and the
// cause.
func TestStoreError(t *testing.T) {
	verdict := s3err.New(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
	at := target{bucket: "b", key: "k", versionID: "v1", uploadID: "u1"}
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		extra  map[string]string
		logged bool
	}{
		{"callback verdict", verdict, 400, "BadDigest", nil, false},
		{"body verdict wrapped by the store", fmt.Errorf("store: reading body after 3 of 5 bytes: %w", bodyReadError{verdict}), 400, "BadDigest", nil, false},
		{"aws-chunked", fmt.Errorf("store: reading body: %w", &awschunked.ChecksumError{Algorithm: "CRC32"}), 400, "BadDigest", nil, false},
		{"read deadline", fmt.Errorf("store: reading body: %w", bodyReadError{os.ErrDeadlineExceeded}), 400, "RequestTimeout", nil, false},
		{"client went away", fmt.Errorf("store: reading body: %w", bodyReadError{io.ErrUnexpectedEOF}), 400, "IncompleteBody", nil, false},
		{"body short", fmt.Errorf("%w: 3 of 5 bytes", store.ErrIncompleteBody), 400, "IncompleteBody", nil, false},
		{"body long", fmt.Errorf("%w: more than 5 bytes", store.ErrBodyTooLong), 400, "IncompleteBody", nil, false},
		{"no bucket", fmt.Errorf("store: bucket b: %w", store.ErrNoSuchBucket), 404, "NoSuchBucket", map[string]string{"BucketName": "b"}, false},
		{"no key", store.ErrNoSuchKey, 404, "NoSuchKey", map[string]string{"Key": "k"}, false},
		{"no version", store.ErrNoSuchVersion, 404, "NoSuchVersion", map[string]string{"Key": "k", "VersionId": "v1"}, false},
		{"no upload", store.ErrNoSuchUpload, 404, "NoSuchUpload", map[string]string{"UploadId": "u1"}, false},
		{"not empty", store.ErrBucketNotEmpty, 409, "BucketNotEmpty", map[string]string{"BucketName": "b"}, false},
		{"exists", store.ErrBucketExists, 409, "BucketAlreadyOwnedByYou", map[string]string{"BucketName": "b"}, false},
		{"invalid part", store.ErrInvalidPart, 400, "InvalidPart", map[string]string{"UploadId": "u1"}, false},
		{"disk full", fmt.Errorf("store: writing blob: %w: %w", store.ErrNoSpace, errors.New("write /d/x: no space left on device")), 500, "InternalError", nil, true},
		{"corrupt", fmt.Errorf("store: %w", store.ErrCorrupt), 500, "InternalError", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := New(nil, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			req := &Request{Op: "PutObject", Bucket: "b", Key: "k", RequestID: "RID1"}
			e := h.storeError(req, at, tt.err)
			if e.Status != tt.status || e.Code != tt.code {
				t.Errorf("%d %s, want %d %s", e.Status, e.Code, tt.status, tt.code)
			}
			for name, want := range tt.extra {
				if got := e.Elem(name); got != want {
					t.Errorf("<%s> %q, want %q", name, got, want)
				}
			}
			lines := strings.Count(logs.String(), "\n")
			switch {
			case !tt.logged && lines != 0:
				t.Errorf("logged %q", logs.String())
			case tt.logged && lines != 1:
				t.Errorf("%d log lines, want 1: %q", lines, logs.String())
			case tt.logged:
				for _, want := range []string{"op=PutObject", "bucket=b", "key=k", "request_id=RID1", tt.err.Error()} {
					if !strings.Contains(logs.String(), want) {
						t.Errorf("log %q lacks %q", logs.String(), want)
					}
				}
			}
		})
	}
}

// TestAnswerLogsStoreFailureOnce: a store failure an operation returns is
// answered as InternalError and logged once.
func TestAnswerLogsStoreFailureOnce(t *testing.T) {
	st := store.NewMemory(store.Options{})
	if err := st.CreateBucket(store.Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	// A configuration the store holds but this package cannot decode
	// stands for any failure of the store.
	if _, err := st.UpdateBucket("b", func(b *store.Bucket) error {
		b.Config = map[string][]byte{configCORS: []byte("{not json")}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var logs bytes.Buffer
	h := New(st, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	w := httptest.NewRecorder()
	h.Answer(w, &Request{Op: "GetBucketCors", Bucket: "b", RequestID: "RID2", HTTP: httptest.NewRequest("GET", "/b?cors", nil)})
	if w.Code != 500 || !strings.Contains(w.Body.String(), "<Code>InternalError</Code>") {
		t.Errorf("%d %s, want 500 InternalError", w.Code, w.Body)
	}
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), "request_id=RID2") ||
		!strings.Contains(logs.String(), "configuration cors") {
		t.Errorf("%d log lines, want 1 naming the request and the cause: %q", n, logs.String())
	}
}
