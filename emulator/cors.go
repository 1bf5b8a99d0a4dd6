package emulator

import (
	"net/http"
	"net/url"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// gatePreflight is the gate for a CORS preflight (OPTIONS): S3 neither
// authenticates nor authorizes it (a presigned URL's query is ignored);
// the S3 layer answers it from the bucket's CORS configuration.
func (s *Server) gatePreflight(r *http.Request, q url.Values, host vpce.Host, ep *vpce.Endpoint, ap *store.AccessPoint, rec *DecisionRecord) *s3err.Error {
	if serr := route(host, ep, r); serr != nil {
		return serr
	}
	rec.caller = caller{principal: policy.Principal{Anonymous: true}}
	rec.Principal = principalName(rec.caller.principal)
	t, serr := s.throughAccessPoint(r, parseTarget(r, q), ap)
	t.op = "CORSPreflight"
	rec.Operation, rec.target = t.op, t
	return serr
}

// addCORSHeaders gives a request that carries an Origin the bucket's CORS
// response headers (s3api.Handler.CORSHeaders), on success and error
// alike; preflights have their own.
func (s *Server) addCORSHeaders(w http.ResponseWriter, r *http.Request, rec *DecisionRecord) {
	if r.Method == http.MethodOptions || rec.target.bucket == "" || headerValue(r.Header, hdrOrigin) == "" {
		return
	}
	s.compat.CORSHeaders(rec.target.bucket, r, w.Header())
}
