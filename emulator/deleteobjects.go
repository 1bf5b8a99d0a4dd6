package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/policy"
)

// maxDeleteBody bounds a DeleteObjects request (1000 keys of 1 KiB each).
const maxDeleteBody = 2 << 20

// deleteObjects authorizes DeleteObjects key by key, as S3 does: keys the
// policies deny come back as AccessDenied errors in the result and are not
// deleted; the others are deleted by gofakes3.
func (s *Server) deleteObjects(w http.ResponseWriter, r *http.Request, reqID string, rec *DecisionRecord, snap *snapshot, now time.Time) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxDeleteBody+1))
	var req s3api.DeleteRequest
	if err == nil && len(body) <= maxDeleteBody {
		err = xml.Unmarshal(body, &req)
	}
	if err != nil || len(body) > maxDeleteBody || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		writeS3Error(w, r, reqID, &s3Error{status: http.StatusBadRequest, Code: "MalformedXML",
			Message: "The XML you provided was not well-formed or did not validate against our published schema"})
		return
	}
	ctx := s.requestContext(r, rec.ep, rec.caller, rec.target, now)
	var allowed []s3api.DeleteObject
	var denied []s3api.DeleteError
	for _, o := range req.Objects {
		checks, err := policy.S3ChecksFor("DeleteObject", policy.S3Target{Bucket: rec.target.bucket, Key: o.Key, Versioned: o.VersionID != ""})
		if err != nil {
			denied = append(denied, s3api.DeleteError{Key: o.Key, VersionID: o.VersionID, Code: "InvalidArgument", Message: err.Error()})
			continue
		}
		records, serr := s.evaluate(ctx, snap, rec.ep, rec.caller, checks)
		rec.Checks = append(rec.Checks, records...)
		if serr != nil {
			denied = append(denied, s3api.DeleteError{Key: o.Key, VersionID: o.VersionID, Code: "AccessDenied", Message: "Access Denied"})
			continue
		}
		allowed = append(allowed, o)
	}
	result := s3api.DeleteResult{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/"}
	if len(allowed) > 0 {
		inner, _ := xml.Marshal(s3api.DeleteRequest{Quiet: req.Quiet, Objects: allowed})
		sum := md5.Sum(inner)
		fwd := r.Clone(r.Context())
		fwd.Body = io.NopCloser(bytes.NewReader(inner))
		fwd.ContentLength = int64(len(inner))
		fwd.Header.Set("Content-Length", strconv.Itoa(len(inner)))
		fwd.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		for k := range fwd.Header {
			if _, ok := awschunked.ChecksumAlgorithm(k); ok {
				delete(fwd.Header, k)
			}
		}
		rr := httptest.NewRecorder()
		s.forward(rr, fwd, rec.target)
		if rr.Code != http.StatusOK {
			rw := newS3Response(w, r, reqID)
			for k, v := range rr.Header() {
				rw.Header()[k] = v
			}
			rw.WriteHeader(rr.Code)
			rw.Write(rr.Body.Bytes())
			rw.finish()
			return
		}
		if err := xml.Unmarshal(rr.Body.Bytes(), &result); err != nil {
			writeS3Error(w, r, reqID, &s3Error{status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."})
			return
		}
	}
	result.Errors = append(result.Errors, denied...)
	if req.Quiet {
		result.Deleted = nil
	}
	out, _ := xml.Marshal(result)
	out = append([]byte(xml.Header), out...)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	h.Set("x-amz-request-id", reqID)
	h.Set("x-amz-id-2", hostID(reqID))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}
