package sigv4

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// uriEncode escapes s as SigV4 requires: every byte but A-Z a-z 0-9 - _ . ~
// becomes %XX (upper case); '/' is kept when keepSlash.
func uriEncode(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := range len(s) {
		c := s[i]
		if unreserved(c) || c == '/' && keepSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// canonicalURI is the request path exactly as the client sent it (S3 does
// not normalise or double-encode), "/" when empty.
func canonicalURI(r *http.Request) string {
	p := r.RequestURI
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") { // absolute form
		p = absoluteFormPath(p)
	}
	if p == "" {
		p = r.URL.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// absoluteFormPath is the escaped path of an absolute-form target, p
// itself when it does not parse.
func absoluteFormPath(p string) string {
	if path, ok := plainAbsolutePath(p); ok {
		return path
	}
	return parsedAbsolutePath(p)
}

// parsedAbsolutePath is absoluteFormPath by url.Parse.
func parsedAbsolutePath(p string) string {
	if u, err := url.Parse(p); err == nil {
		return u.EscapedPath()
	}
	return p
}

// plainAbsolutePath is url.Parse(p).EscapedPath() for an absolute-form
// target "http(s)://host[:port]/path" whose host is letters, digits, '.'
// and '-', whose port is digits and whose path has only unreserved
// characters and '/' (so that parsing and escaping leave it as it is);
// ok is false for any other target, which then goes through url.Parse.
func plainAbsolutePath(p string) (path string, ok bool) {
	_, rest, _ := strings.Cut(p, "://")
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return "", false
	}
	authority, path := rest[:slash], rest[slash:]
	host, port, _ := strings.Cut(authority, ":")
	for i := range len(host) {
		if c := host[i]; !unreserved(c) || c == '_' || c == '~' {
			return "", false
		}
	}
	for i := range len(port) {
		if c := port[i]; c < '0' || c > '9' {
			return "", false
		}
	}
	for i := range len(path) {
		if c := path[i]; !unreserved(c) && c != '/' {
			return "", false
		}
	}
	return path, true
}

// unreserved reports whether c is A-Z a-z 0-9 - _ . ~, the bytes SigV4
// never escapes.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalQuery sorts the query by encoded key then value, leaving out
// X-Amz-Signature for presigned requests.
func canonicalQuery(raw string, presigned bool) (string, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", err
	}
	pairs := make([]string, 0, len(q))
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ek := uriEncode(k, false)
		for _, v := range vs {
			pairs = append(pairs, ek+"="+uriEncode(v, false))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&"), nil
}

// headerValue returns a signed header's canonical value.
func headerValue(r *http.Request, name string) (string, bool) {
	var vals []string
	switch name {
	case "host":
		return r.Host, r.Host != ""
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			vals = v
		} else if r.ContentLength >= 0 && r.Header.Get("Content-Length") == "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		vals = r.TransferEncoding
	default:
		vals = headerValues(r.Header, name)
	}
	if len(vals) == 0 {
		return "", false
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ","), true
}
