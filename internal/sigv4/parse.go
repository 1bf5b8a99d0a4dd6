package sigv4

import (
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Algorithm is the only signing algorithm verified here.
const Algorithm = "AWS4-HMAC-SHA256"

// Payload hash values that are not a hex SHA-256.
const (
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// Kind says how a request was authenticated.
type Kind int

// Request authentication kinds; their String values are s3:authType's.
const (
	Anonymous Kind = iota
	Header
	Query
	// Post is a browser-based POST upload: the signature is over the
	// form's policy document (emulator/postobject.go).
	Post
)

func (k Kind) String() string {
	switch k {
	case Header:
		return "REST-HEADER"
	case Query:
		return "REST-QUERY-STRING"
	case Post:
		return "POST"
	}
	return "anonymous"
}

// Auth is the parsed authentication of a request.
type Auth struct {
	Kind          Kind
	AccessKeyID   string
	Date          string // the credential scope's yyyymmdd
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	// Time is X-Amz-Date (or the Date header).
	Time time.Time
	// Expires is X-Amz-Expires for presigned requests.
	Expires time.Duration
	// PayloadHash is x-amz-content-sha256, or UNSIGNED-PAYLOAD for a
	// presigned request without it.
	PayloadHash string
}

// Scope is the credential scope "date/region/service/aws4_request".
func (a *Auth) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
}

const amzDateLayout = "20060102T150405Z"

// Parse reads a request's SigV4 authentication: the Authorization header,
// else X-Amz-Algorithm in the query, else anonymous. Malformed input gives
// an *s3err.Error with S3's code, and so does a request S3 refuses before it
// looks at the signature: two Authorization headers, an Authorization
// header together with query-string authentication, an authentication
// query parameter given twice, or an x-amz-* header that is not signed
// (AccessDenied with HeadersNotSigned).
func Parse(r *http.Request) (*Auth, error) {
	return ParseWithQuery(r, r.URL.Query())
}

// ParseWithQuery is Parse for a caller that has already parsed r's query
// into q, so that a request's query is parsed once.
func ParseWithQuery(r *http.Request, q url.Values) (*Auth, error) {
	authz := r.Header.Values("Authorization")
	if len(authz) > 1 {
		return nil, malformed("The authorization header is malformed; the request has more than one Authorization header.")
	}
	h := ""
	if len(authz) == 1 {
		h = authz[0]
	}
	queryAuth := q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature")
	v2Query := q.Has("Signature") || q.Has("AWSAccessKeyId")
	var a *Auth
	var err error
	switch {
	case h != "" && (queryAuth || v2Query):
		return nil, s3err.New(http.StatusBadRequest, "InvalidArgument",
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified").
			With("ArgumentName", "Authorization").With("ArgumentValue", h)
	case h != "":
		a, err = parseHeader(r, h)
	case queryAuth:
		a, err = parseQuery(q, r.Header)
	case v2Query:
		return nil, s3err.New(http.StatusBadRequest, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	default:
		return &Auth{Kind: Anonymous}, nil
	}
	if err != nil {
		return nil, err
	}
	if unsigned := a.UnsignedHeaders(r.Header); len(unsigned) > 0 {
		return nil, s3err.New(http.StatusForbidden, "AccessDenied",
			"There were headers present in the request which were not signed").
			With("HeadersNotSigned", strings.Join(unsigned, ", "))
	}
	return a, nil
}

func parseHeader(r *http.Request, h string) (*Auth, error) {
	a, err := ParseAuthorization(h)
	if err != nil {
		return nil, err
	}
	if err := a.readTime(firstValue(r.Header, "X-Amz-Date"), firstValue(r.Header, "Date")); err != nil {
		return nil, err
	}
	a.PayloadHash = firstValue(r.Header, "X-Amz-Content-Sha256")
	if a.PayloadHash == "" {
		return nil, s3err.New(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	if err := checkPayloadHash(a.PayloadHash); err != nil {
		return nil, err
	}
	return a, nil
}

// UnsignedHeaders returns the x-amz-* headers of h that a does not sign,
// lower case and sorted: S3 refuses a request that carries any, since
// whoever holds a signature could otherwise add x-amz-copy-source,
// x-amz-tagging, x-amz-acl or metadata to it. The one exception is
// x-amz-content-sha256 holding exactly the payload hash the signature
// covers (the canonical request's last line): S3 accepts it unsigned, and
// its value is signed all the same. "x-amzn-trace-id" and other names
// that do not start with "x-amz-" are not S3's to refuse.
func (a *Auth) UnsignedHeaders(h http.Header) []string {
	const prefix = "x-amz-"
	var out []string
	for k, vs := range h {
		if len(k) < len(prefix) || !asciiEqualFold(k[:len(prefix)], prefix) || a.signs(k) {
			continue
		}
		if asciiEqualFold(k, "x-amz-content-sha256") && len(vs) == 1 && vs[0] == a.PayloadHash {
			continue
		}
		out = append(out, asciiLower(k))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// signs reports whether name (any case) is one of a's signed headers.
func (a *Auth) signs(name string) bool {
	for _, s := range a.SignedHeaders {
		if asciiEqualFold(s, name) {
			return true
		}
	}
	return false
}

// asciiEqualFold is strings.EqualFold for header names: only A-Z fold, so
// no Unicode look-alike (K, the Kelvin sign) matches a signed name.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerByte(c)
	}
	return string(b)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func malformed(msg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "AuthorizationHeaderMalformed", msg)
}

// ParseAuthorization parses an Authorization header value of the form
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=hex".
func ParseAuthorization(v string) (*Auth, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if strings.HasPrefix(v, "AWS ") {
		return nil, s3err.New(http.StatusBadRequest, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	}
	if alg != Algorithm {
		// S3's answer to any other scheme (Bearer, Basic, a misspelt
		// algorithm), the whole header echoed.
		return nil, s3err.New(http.StatusBadRequest, "InvalidArgument", "Unsupported Authorization Type").
			With("ArgumentName", "Authorization").With("ArgumentValue", v)
	}
	if !ok {
		return nil, malformed("The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	a, signedBuf := newAuth(Header)
	var cred, signed string
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, malformed("The authorization header is malformed; the authorization component \"" + strings.TrimSpace(part) + "\" is malformed.")
		}
		switch k {
		case "Credential":
			cred, haveCred = val, true
		case "SignedHeaders":
			signed, haveSigned = val, true
		case "Signature":
			a.Signature, haveSig = val, true
		default:
			return nil, malformed("The authorization header is malformed; the authorization component \"" + strings.TrimSpace(part) + "\" is malformed.")
		}
	}
	if !haveCred || !haveSigned || !haveSig {
		return nil, malformed("The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	if err := a.parseCredential(cred, malformed); err != nil {
		return nil, err
	}
	if err := a.parseSignedHeaders(signed, signedBuf); err != nil {
		return nil, err
	}
	if !validSignature(a.Signature) {
		return nil, malformed("The authorization header is malformed; the signature must be 64 lower-case hexadecimal characters.")
	}
	return a, nil
}

// newAuth allocates an Auth of kind together with room for the usual
// number of signed headers: one allocation where three were.
func newAuth(kind Kind) (*Auth, []string) {
	x := &struct {
		a   Auth
		buf [12]string
	}{a: Auth{Kind: kind}}
	return &x.a, x.buf[:0]
}

// firstValue is h.Get(key) for a key already in canonical MIME form.
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (a *Auth) parseCredential(cred string, bad func(string) *s3err.Error) error {
	// strings.Split(cred, "/"), without the slice: n counts the parts
	var parts [5]string
	n := 0
	for rest, more := cred, true; more; n++ {
		var part string
		part, rest, more = strings.Cut(rest, "/")
		if n < len(parts) {
			parts[n] = part
		}
	}
	if n != 5 || parts[0] == "" {
		return bad("The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if parts[4] != "aws4_request" {
		return bad("The authorization header is malformed; incorrect terminal \"" + parts[4] + "\". This endpoint uses \"aws4_request\".")
	}
	if _, err := parseAmzTime(dateLayout, parts[1]); err != nil {
		return bad("The authorization header is malformed; incorrect date format \"" + parts[1] + "\". This date in the credential must be in the format \"yyyyMMdd\".")
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// parseSignedHeaders splits s into a.SignedHeaders, in buf's array when
// it has room.
func (a *Auth) parseSignedHeaders(s string, buf []string) error {
	if s == "" {
		return malformed("The authorization header is malformed; SignedHeaders is empty.")
	}
	if n := strings.Count(s, ";") + 1; n > cap(buf) {
		buf = make([]string, 0, n)
	}
	for h := range strings.SplitSeq(s, ";") {
		buf = append(buf, h)
	}
	a.SignedHeaders = buf
	for i, h := range a.SignedHeaders {
		if h == "" || !isLower(h) || i > 0 && a.SignedHeaders[i-1] >= h {
			return malformed("The authorization header is malformed; SignedHeaders must be lower-case header names sorted and separated by ';'.")
		}
	}
	return nil
}

// isLower reports whether s == strings.ToLower(s), at one test a byte
// for ASCII.
func isLower(s string) bool {
	for i := range len(s) {
		if c := s[i]; c >= utf8.RuneSelf {
			return s == strings.ToLower(s)
		} else if 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

func validSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (a *Auth) readTime(amzDate, date string) error {
	if amzDate != "" {
		t, err := parseAmzTime(amzDateLayout, amzDate)
		if err != nil {
			return s3err.New(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
		}
		a.Time = t
		return nil
	}
	if date != "" {
		t, err := parseDateHeader(date)
		if err != nil {
			return s3err.New(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
		}
		a.Time = t.UTC()
		return nil
	}
	return s3err.New(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
}

// parseDateHeader reads a Date header in the forms HTTP allows
// (http.ParseTime) and, as S3 does, RFC 1123 with a numeric zone
// ("Mon, 30 Nov 2026 00:20:00 -0000"), the form botocore's SigV4 signer
// writes when a request carries a Date header.
func parseDateHeader(v string) (time.Time, error) {
	t, err := http.ParseTime(v)
	if err == nil {
		return t, nil
	}
	if t, err2 := time.Parse(time.RFC1123Z, v); err2 == nil {
		return t, nil
	}
	return time.Time{}, err
}

func queryError(msg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)
}

// queryAuthParams are the query parameters of presigned requests; S3
// takes each at most once.
var queryAuthParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}

func parseQuery(q url.Values, h http.Header) (*Auth, error) {
	for _, k := range queryAuthParams {
		if n := len(q[k]); n > 1 {
			return nil, queryError(fmt.Sprintf("%s must be given only once; the query string has it %d times.", k, n))
		}
	}
	a, signedBuf := newAuth(Query)
	if q.Get("X-Amz-Algorithm") != Algorithm {
		return nil, queryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	for _, k := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if !q.Has(k) {
			return nil, queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	if err := a.parseCredential(q.Get("X-Amz-Credential"), queryError); err != nil {
		return nil, err
	}
	if err := a.parseSignedHeaders(q.Get("X-Amz-SignedHeaders"), signedBuf); err != nil {
		return nil, queryError("X-Amz-SignedHeaders must be lower-case header names sorted and separated by ';'.")
	}
	a.Signature = q.Get("X-Amz-Signature")
	if !validSignature(a.Signature) {
		return nil, queryError("X-Amz-Signature must be 64 lower-case hexadecimal characters.")
	}
	t, err := parseAmzTime(amzDateLayout, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	a.Time = t
	secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil {
		return nil, queryError("X-Amz-Expires should be a number")
	}
	if secs < 0 {
		return nil, queryError("X-Amz-Expires must be non-negative")
	}
	if secs > 604800 {
		return nil, queryError("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	a.Expires = time.Duration(secs) * time.Second
	a.PayloadHash = UnsignedPayload
	if v := q.Get("X-Amz-Content-Sha256"); v != "" {
		a.PayloadHash = v
	} else if v := firstValue(h, "X-Amz-Content-Sha256"); v != "" {
		a.PayloadHash = v
	}
	return a, nil
}
