package s3api

import "net/http"

// reqHeader is the first value of the request header named key, which must
// be in canonical form (http.CanonicalHeaderKey): it is a map lookup,
// without the scan (and, for a name not in canonical form, the allocation)
// of http.Header.Get. net/http stores an incoming request's header names in
// canonical form, so a header sent in any case is found; a name not in
// canonical form would never be. TestReqHeaderNamesCanonical checks every
// name passed here.
func reqHeader(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
