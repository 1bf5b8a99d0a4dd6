package emulator

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// s3Response sits between gofakes3 and the client. It makes every response
// carry the front end's request ID (header and, for errors, the XML body,
// which gofakes3 leaves empty), and drops stored x-amz-checksum-* headers
// from GET and HEAD unless the client asked for them (x-amz-checksum-mode:
// ENABLED) and receives the whole object, as S3 does.
type s3Response struct {
	http.ResponseWriter
	r             *http.Request
	reqID         string
	keepChecksums bool
	status        int
	errBody       *bytes.Buffer // buffered error response, to fill RequestId in
	// onError may replace an error response (status, S3 code) with another.
	onError func(status int, code string) *s3Error
}

func newS3Response(w http.ResponseWriter, r *http.Request, reqID string) *s3Response {
	keep := r.Method != http.MethodGet && r.Method != http.MethodHead ||
		strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && r.Header.Get("Range") == "" && r.URL.Query().Get("partNumber") == ""
	return &s3Response{ResponseWriter: w, r: r, reqID: reqID, keepChecksums: keep}
}

func (s *s3Response) WriteHeader(code int) {
	if s.status != 0 {
		return
	}
	s.status = code
	h := s.Header()
	if !s.keepChecksums {
		for k := range h {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				delete(h, k)
			}
		}
	}
	h.Set("x-amz-request-id", s.reqID)
	h.Set("x-amz-id-2", hostID(s.reqID))
	if code >= 400 {
		s.errBody = new(bytes.Buffer)
		return // written in finish, once the body is known
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *s3Response) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	if s.errBody != nil {
		return s.errBody.Write(p)
	}
	return s.ResponseWriter.Write(p)
}

// finish writes a buffered error response with RequestId and HostId set.
func (s *s3Response) finish() {
	if s.errBody == nil {
		return
	}
	body := s.errBody.Bytes()
	var e s3Error
	xml.Unmarshal(body, &e)
	if s.onError != nil {
		if repl := s.onError(s.status, e.Code); repl != nil {
			writeS3Error(s.ResponseWriter, s.r, s.reqID, repl)
			s.status = repl.status
			return
		}
	}
	if s.r.Method == http.MethodHead {
		s.ResponseWriter.WriteHeader(s.status)
		return
	}
	if e.Code != "" {
		if e.Resource == "" {
			e.Resource = s.r.URL.Path
		}
		e.RequestID, e.HostID = s.reqID, hostID(s.reqID)
		if out, err := xml.Marshal(&e); err == nil {
			body = append([]byte(xml.Header), out...)
		}
	}
	s.Header().Set("Content-Length", strconv.Itoa(len(body)))
	s.ResponseWriter.WriteHeader(s.status)
	s.ResponseWriter.Write(body)
}

func (s *s3Response) Unwrap() http.ResponseWriter { return s.ResponseWriter }
