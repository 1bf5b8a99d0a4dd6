package s3api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// quoteETag is a stored ETag as S3 sends it, in double quotes.
func quoteETag(etag string) string { return `"` + etag + `"` }

// readCondition evaluates GET/HEAD preconditions as S3 does (RFC 7232
// section 6): If-Match, else If-Unmodified-Since (412); then If-None-Match,
// else If-Modified-Since (304). Times compare at the second, the precision
// of Last-Modified. It returns the status (0 to go on) and the failed
// header.
func readCondition(hdr http.Header, etag string, modified time.Time) (int, string) {
	modified = modified.Truncate(time.Second)
	if v := hdr.Get("If-Match"); v != "" {
		if !etagListMatches(v, etag) {
			return http.StatusPreconditionFailed, "If-Match"
		}
	} else if t, err := http.ParseTime(hdr.Get("If-Unmodified-Since")); err == nil && modified.After(t) {
		return http.StatusPreconditionFailed, "If-Unmodified-Since"
	}
	if v := hdr.Get("If-None-Match"); v != "" {
		if etagListMatches(v, etag) {
			return http.StatusNotModified, "If-None-Match"
		}
	} else if t, err := http.ParseTime(hdr.Get("If-Modified-Since")); err == nil && !modified.After(t) {
		return http.StatusNotModified, "If-Modified-Since"
	}
	return 0, ""
}

// etagListMatches reports whether a comma-separated If-Match or
// If-None-Match value names etag; "*" names any object; quotes and a weak
// prefix are optional.
func etagListMatches(list, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" {
			return true
		}
		v = strings.TrimPrefix(v, "W/")
		if strings.Trim(v, `"`) == want {
			return true
		}
	}
	return false
}

// writeCheck reads the conditional-write headers of PutObject, CopyObject
// and CompleteMultipartUpload (If-None-Match: *, If-Match) into a check on
// the key's current version, for PutInput.Check or CompleteInput.Check:
// the store runs it in the write's own transaction, so no other write can
// come between the check and the write. If-None-Match: * fails (412) when
// the key has an object; If-Match fails (412) when its ETag differs and is
// NoSuchKey when there is none. check is nil without such headers; serr is
// S3's NotImplemented for an If-None-Match other than "*".
func writeCheck(hdr http.Header, key string) (check func(current *store.Version) error, serr *s3err.Error) {
	ifMatch, ifNoneMatch := hdr.Get("If-Match"), hdr.Get("If-None-Match")
	if ifMatch == "" && ifNoneMatch == "" {
		return nil, nil
	}
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return nil, errNotImplemented().With("Header", "If-None-Match")
	}
	return func(current *store.Version) error {
		exists := current != nil && !current.DeleteMarker
		switch {
		case ifNoneMatch == "*" && exists:
			return errPreconditionFailed("If-None-Match")
		case ifMatch != "" && !exists:
			return errNoSuchKey(key)
		case ifMatch != "" && !etagListMatches(ifMatch, current.ETag):
			return errPreconditionFailed("If-Match")
		}
		return nil
	}, nil
}

// byteRange resolves a Range header against an object's size as S3 does:
// a single "bytes=first-last", "bytes=first-" or "bytes=-suffix" range;
// anything S3 cannot parse (other units, several ranges, last < first) is
// ignored and the whole object returned. ok is false for no range;
// unsatisfiable is true when the range starts beyond the object.
func byteRange(spec string, size int64) (start, end int64, ok, unsatisfiable bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(spec), "bytes=")
	if !found || strings.Contains(rest, ",") {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(rest), "-")
	if !found {
		return 0, 0, false, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	parse := func(s string) (int64, bool) {
		if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if first == "" {
		n, valid := parse(last)
		if !valid {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, true
		}
		return max(size-n, 0), size - 1, true, false
	}
	s, valid := parse(first)
	if !valid {
		return 0, 0, false, false
	}
	e := size - 1
	if last != "" {
		if e2, valid := parse(last); !valid || e2 < s {
			return 0, 0, false, false
		} else if e2 < e {
			e = e2
		}
	}
	if s >= size {
		return 0, 0, true, true
	}
	return s, e, true, false
}
