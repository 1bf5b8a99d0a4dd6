package s3api

import (
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// xmlns is the namespace of S3's XML documents.
const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// opHandler answers one S3 operation. An error it returns, before writing
// anything, is written by Serve through the one error writer.
type opHandler func(h *Handler, w http.ResponseWriter, req *Request) error

// operations maps operation names (policy.S3Operation's) to their
// handlers.
var operations = map[string]opHandler{
	"GetBucketPolicy":    (*Handler).getBucketPolicy,
	"PutBucketPolicy":    (*Handler).putBucketPolicy,
	"DeleteBucketPolicy": (*Handler).deleteBucketPolicy,
	"DeleteObjects":      (*Handler).deleteObjectsBatch,
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sends the handler's logs (store failures, panics) to l.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// Answer answers req: the operation's handler from the table, or, for an
// operation s3vpce does not implement, gofakes3. It writes every error
// through s3err.Write and turns a panic into 500 InternalError.
func (h *Handler) Answer(w http.ResponseWriter, req *Request) {
	defer func() {
		if v := recover(); v != nil {
			h.log.Error("panic in the S3 layer", "op", req.Op, "bucket", req.Bucket, "key", req.Key, "panic", fmt.Sprint(v))
			s3err.Write(w, req.HTTP, s3err.Internal())
		}
	}()
	if req.Query == nil {
		req.Query = req.HTTP.URL.Query()
	}
	if op, ok := operations[req.Op]; ok {
		if err := op(h, w, req); err != nil {
			s3err.Write(w, req.HTTP, asS3Error(err, req))
		}
		return
	}
	if !h.Serve(w, req) {
		h.fake.ServeHTTP(w, req.HTTP)
	}
}

// asS3Error is err as S3's error: itself when it is one, else the store
// error's mapping (logged when it is an internal failure).
func asS3Error(err error, req *Request) *s3err.Error {
	if se, ok := err.(*s3err.Error); ok {
		return se
	}
	return requestStoreError(err, req)
}

// logStoreError logs a store failure that S3 reports as InternalError.
func (h *Handler) logStoreError(req *Request, err error) {
	h.log.Error("store failure", "op", req.Op, "bucket", req.Bucket, "key", req.Key, "request_id", req.RequestID, "err", err)
}

// writeXML writes a 200 response with an XML body.
func writeXML(w http.ResponseWriter, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return s3err.Internal()
	}
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
	return nil
}
