package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// CORS as S3 applies a bucket's CORS configuration (PutBucketCors):
// preflight requests (OPTIONS, op "CORSPreflight", not authenticated) are
// answered from the first rule that allows the Origin, the
// Access-Control-Request-Method and every Access-Control-Request-Headers
// name; other requests that carry an Origin get the Access-Control-*
// headers of the first rule that allows their origin and method
// (CORSHeaders), whatever the answer.

// corsVary is the Vary S3 sends with CORS headers.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// corsPreflight answers an OPTIONS request.
func (h *Handler) corsPreflight(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	origin := reqHeader(r.Header, "Origin")
	if origin == "" {
		return s3err.New(http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed.")
	}
	method := reqHeader(r.Header, "Access-Control-Request-Method")
	if method == "" {
		return s3err.New(http.StatusBadRequest, "BadRequest", "Insufficient information. Access-Control-Request-Method request header needed.")
	}
	resourceType := "OBJECT"
	if req.Key == "" {
		resourceType = "BUCKET"
	}
	forbidden := func(msg string) error {
		return s3err.New(http.StatusForbidden, "AccessForbidden", "CORSResponse: "+msg).
			With("Method", method).With("ResourceType", resourceType)
	}
	if req.Bucket == "" {
		return forbidden("CORS is not enabled for this bucket.")
	}
	cfg, ok, err := h.bucketCORS(req.Bucket)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("CORS is not enabled for this bucket.")
	}
	var requested []string
	for _, part := range strings.Split(reqHeader(r.Header, "Access-Control-Request-Headers"), ",") {
		if part = strings.TrimSpace(part); part != "" {
			requested = append(requested, strings.ToLower(part))
		}
	}
	rule, allowOrigin := cfg.match(origin, method, requested, true)
	if rule == nil {
		return forbidden("This CORS request is not allowed. This is usually because the evalution of Origin, request method / " +
			"Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	}
	hdr := w.Header()
	rule.setHeaders(hdr, allowOrigin)
	if len(requested) > 0 {
		hdr.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	hdr.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// CORSHeaders adds to hdr the CORS headers S3 sends with the answer to
// r, a request to bucket that carries an Origin: those of the first rule
// of the bucket's CORS configuration that allows the origin and the
// method (Access-Control-Request-Method when the request has one, else
// its own). Nothing without an Origin, a configuration or a match.
func (h *Handler) CORSHeaders(bucket string, r *http.Request, hdr http.Header) {
	origin := reqHeader(r.Header, "Origin")
	if origin == "" || bucket == "" {
		return
	}
	cfg, ok, err := h.bucketCORS(bucket)
	if err != nil || !ok {
		return
	}
	method := reqHeader(r.Header, "Access-Control-Request-Method")
	if method == "" {
		method = r.Method
	}
	if rule, allowOrigin := cfg.match(origin, method, nil, false); rule != nil {
		rule.setHeaders(hdr, allowOrigin)
	}
}

// bucketCORS reads bucket's CORS configuration; ok is false when it has
// none.
func (h *Handler) bucketCORS(bucket string) (corsConfiguration, bool, error) {
	var cfg corsConfiguration
	b, err := h.store.Bucket(bucket)
	if err != nil {
		return cfg, false, err
	}
	set, _, err := readConfig(b, configCORS, &cfg)
	return cfg, set && len(cfg.Rules) > 0, err
}

// match returns the first rule that allows origin, method and (with
// checkHeaders) every requested header, with the Access-Control-Allow-Origin
// to send: "*" when the rule's matching origin is "*", else origin.
func (c corsConfiguration) match(origin, method string, requested []string, checkHeaders bool) (*corsRule, string) {
	for i := range c.Rules {
		rule := &c.Rules[i]
		allow := ""
		for _, o := range rule.AllowedOrigins {
			if o == "*" {
				allow = "*"
				break
			}
			if wildcardMatch(o, origin, false) {
				allow = origin
				break
			}
		}
		if allow == "" || !containsString(rule.AllowedMethods, method) {
			continue
		}
		if checkHeaders && !rule.allowsHeaders(requested) {
			continue
		}
		return rule, allow
	}
	return nil, ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// allowsHeaders reports whether every requested header matches one of
// the rule's AllowedHeader patterns (case-insensitive, one "*" each).
func (rule *corsRule) allowsHeaders(requested []string) bool {
	for _, h := range requested {
		ok := false
		for _, pat := range rule.AllowedHeaders {
			if wildcardMatch(pat, h, true) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// setHeaders writes the rule's Access-Control-* headers.
func (rule *corsRule) setHeaders(hdr http.Header, allowOrigin string) {
	hdr.Set("Access-Control-Allow-Origin", allowOrigin)
	hdr.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if allowOrigin != "*" {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(rule.ExposeHeaders) > 0 {
		hdr.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		hdr.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	hdr.Set("Vary", corsVary)
}

// wildcardMatch matches s against pattern, in which one "*" stands for
// any run of characters.
func wildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	prefix, suffix, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == s
	}
	return len(s) >= len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}
