package s3api

import (
	"errors"
	"net/http"
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
	if v := reqHeader(hdr, "If-Match"); v != "" {
		if !etagListMatches(v, etag) {
			return http.StatusPreconditionFailed, "If-Match"
		}
	} else if t, err := parseTimeHeader(hdr, "If-Unmodified-Since"); err == nil && modified.After(t) {
		return http.StatusPreconditionFailed, "If-Unmodified-Since"
	}
	if v := reqHeader(hdr, "If-None-Match"); v != "" {
		if etagListMatches(v, etag) {
			return http.StatusNotModified, "If-None-Match"
		}
	} else if t, err := parseTimeHeader(hdr, "If-Modified-Since"); err == nil && !modified.After(t) {
		return http.StatusNotModified, "If-Modified-Since"
	}
	return 0, ""
}

// parseTimeHeader is http.ParseTime of a header, without the three parse
// errors of an absent one.
func parseTimeHeader(hdr http.Header, name string) (time.Time, error) {
	v := reqHeader(hdr, name)
	if v == "" {
		return time.Time{}, errNoHeader
	}
	return http.ParseTime(v)
}

// errNoHeader is parseTimeHeader's error for an absent header.
var errNoHeader = errors.New("s3api: no such header")

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
	ifMatch, ifNoneMatch := reqHeader(hdr, "If-Match"), reqHeader(hdr, "If-None-Match")
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

// copySourceCondition evaluates the x-amz-copy-source-if-* headers as S3
// does: if-match that holds overrides a failing if-unmodified-since, and
// if-none-match that holds overrides a failing if-modified-since, which
// is ignored when later than now; any failure is 412 PreconditionFailed
// naming the header.
func copySourceCondition(hdr http.Header, etag string, modified, now time.Time) *s3err.Error {
	const prefix = "x-amz-copy-source-"
	ifMatch, hasMatch := hdr["X-Amz-Copy-Source-If-Match"]
	ifNone, hasNone := hdr["X-Amz-Copy-Source-If-None-Match"]
	since := func(name string) (time.Time, bool) {
		v := reqHeader(hdr, name)
		if v == "" {
			return time.Time{}, false
		}
		t, err := http.ParseTime(v)
		return t, err == nil
	}
	modified = modified.Truncate(time.Second)
	if hasMatch {
		if !etagListMatches(ifMatch[0], etag) {
			return errPreconditionFailed(prefix + "If-Match")
		}
	} else if t, ok := since("X-Amz-Copy-Source-If-Unmodified-Since"); ok && modified.After(t) {
		return errPreconditionFailed(prefix + "If-Unmodified-Since")
	}
	if hasNone {
		if etagListMatches(ifNone[0], etag) {
			return errPreconditionFailed(prefix + "If-None-Match")
		}
	} else if t, ok := since("X-Amz-Copy-Source-If-Modified-Since"); ok && !modified.After(t) && !t.After(now) {
		return errPreconditionFailed(prefix + "If-Modified-Since")
	}
	return nil
}
