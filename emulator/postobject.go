package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/postpolicy"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/sigv4"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// A browser-based POST upload (S3's POST Object) is the PutObject its form
// describes: the gate reads the fields before the file, authenticates the
// form (SigV4 over the policy document; SigV2 only with
// Options.SigV2Post; no policy: anonymous), checks the policy, turns the
// fields into the request headers of that PutObject and authorizes it as
// one; the file part then streams into the store as its body, its length
// held to the policy's content-length-range. The S3 layer answers as
// success_action_status / success_action_redirect ask.

// postUpload is the state of a POST upload between the gate and the S3
// layer (DecisionRecord.post).
type postUpload struct {
	form     *postpolicy.Form
	file     *multipart.Part
	length   *postpolicy.Range // nil: no content-length-range
	location string            // the object's URL as the client named it
}

// isPostUpload reports whether r is a form upload to a bucket: a POST of
// multipart/form-data that names none of the POST sub-resources.
func isPostUpload(r *http.Request, q url.Values) bool {
	if r.Method != http.MethodPost || !postpolicy.IsForm(r.Header) {
		return false
	}
	for _, k := range []string{"delete", "uploads", "uploadId", "restore", "select"} {
		if q.Has(k) {
			return false
		}
	}
	return true
}

// gatePost is the gate for a POST upload (see gate): route, read and
// authenticate the form, check its policy, authorize the PutObject.
func (s *Server) gatePost(r *http.Request, q url.Values, snap *snapshot, host vpce.Host, ep *vpce.Endpoint, ap *store.AccessPoint, rec *DecisionRecord, now time.Time) *s3err.Error {
	base := "https://" + r.Host + strings.TrimSuffix(r.URL.EscapedPath(), "/")
	if serr := route(host, ep, r); serr != nil {
		return serr
	}
	t, serr := s.throughAccessPoint(r, parseTarget(r, q), ap)
	t.op = "PutObject"
	rec.Operation, rec.target = t.op, t
	if serr != nil {
		return serr
	}
	if t.bucket == "" || t.key != "" {
		kind := "OBJECT"
		if t.bucket == "" {
			kind = "SERVICE"
		}
		return s3err.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
			With("Method", http.MethodPost).With("ResourceType", kind)
	}
	form, file, err := postpolicy.ReadForm(r.Header, r.Body)
	if err != nil {
		return asS3Error(err)
	}
	key, _ := form.Lookup("key")
	if key == "" {
		return missingField("key")
	}
	c, pol, serr := s.authenticatePost(form, ep.Region, now)
	if serr != nil {
		return serr
	}
	rec.caller, rec.Principal = c, principalName(c.principal)
	up := &postUpload{form: form, file: file, location: base + "/" + escapeKey(key)}
	if pol != nil {
		if err := pol.Check(form, t.bucket, now); err != nil {
			return asS3Error(err)
		}
		up.length = pol.Length
	}
	t.key = key
	rec.target, rec.post = t, up
	r.Header = postHeaders(r.Header, form)
	if serr := checkNetworkOrigin(t.ap, ep, rec); serr != nil {
		return serr
	}
	checks, serr := s.authorize(r, snap, ep, c, t, now)
	rec.Checks = checks
	return serr
}

func asS3Error(err error) *s3err.Error {
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	return postpolicy.MalformedPOST()
}

// missingField is S3's answer to a form without a field it needs.
func missingField(name string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidArgument",
		"Bucket POST must contain a field named '"+name+"'.  If it is specified, please check the order of the fields.").
		With("ArgumentName", name).With("ArgumentValue", "")
}

// escapeKey escapes a key for a URL path, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// authenticatePost identifies the form's signer and verifies its
// signature over the policy document, then parses the policy: SigV4
// (x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature), SigV2
// (AWSAccessKeyId, signature) where Options.SigV2Post allows it, or
// neither: an anonymous upload, which has no policy.
func (s *Server) authenticatePost(f *postpolicy.Form, region string, now time.Time) (caller, *postpolicy.Policy, *s3err.Error) {
	doc, hasPolicy := f.Lookup("policy")
	_, v4 := f.Lookup("x-amz-credential")
	_, v4sig := f.Lookup("x-amz-signature")
	_, v2 := f.Lookup("awsaccesskeyid")
	_, v2sig := f.Lookup("signature")
	if s.authOff {
		c := caller{principal: s.creds[s.defaultKey].principal}
		if !hasPolicy {
			return c, nil, nil
		}
		pol, err := postpolicy.Parse(doc)
		if err != nil {
			return caller{}, nil, asS3Error(err)
		}
		return c, pol, nil
	}
	var c caller
	switch {
	case v4 || v4sig:
		if !hasPolicy {
			return caller{}, nil, missingField("Policy")
		}
		var serr *s3err.Error
		if c, serr = s.verifyPostV4(f, doc, region); serr != nil {
			return caller{}, nil, serr
		}
	case v2 || v2sig:
		if !s.opts.SigV2Post {
			return caller{}, nil, s3err.New(http.StatusBadRequest, "InvalidRequest",
				"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		if !hasPolicy {
			return caller{}, nil, missingField("Policy")
		}
		var serr *s3err.Error
		if c, serr = s.verifyPostV2(f, doc, now); serr != nil {
			return caller{}, nil, serr
		}
	case hasPolicy:
		return caller{}, nil, missingField("x-amz-credential")
	default:
		return caller{principal: policy.Principal{Anonymous: true}}, nil, nil
	}
	pol, err := postpolicy.Parse(doc)
	if err != nil {
		return caller{}, nil, asS3Error(err)
	}
	return c, pol, nil
}

// verifyPostV4 checks a SigV4 form signature: hex HMAC-SHA256 of the
// base64 policy with the signing key of the credential's scope.
func (s *Server) verifyPostV4(f *postpolicy.Form, doc, region string) (caller, *s3err.Error) {
	for _, name := range []string{"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} {
		if v, ok := f.Lookup(name); !ok || v == "" {
			return caller{}, missingField(name)
		}
	}
	if alg := f.Value("x-amz-algorithm"); alg != "AWS4-HMAC-SHA256" {
		return caller{}, s3err.New(http.StatusBadRequest, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported for the x-amz-algorithm field.").
			With("ArgumentName", "x-amz-algorithm").With("ArgumentValue", alg)
	}
	cred := f.Value("x-amz-credential")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != "aws4_request" {
		return caller{}, s3err.New(http.StatusBadRequest, "InvalidArgument",
			"Invalid argument: the credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".").
			With("ArgumentName", "x-amz-credential").With("ArgumentValue", cred)
	}
	t, err := time.Parse("20060102T150405Z", f.Value("x-amz-date"))
	if err != nil {
		return caller{}, s3err.New(http.StatusBadRequest, "InvalidArgument", "Invalid argument: x-amz-date must be in the format yyyyMMddTHHmmssZ.").
			With("ArgumentName", "x-amz-date").With("ArgumentValue", f.Value("x-amz-date"))
	}
	a := &sigv4.Auth{Kind: sigv4.Post, AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3],
		Signature: f.Value("x-amz-signature"), Time: t}
	entry, ok := s.creds[a.AccessKeyID]
	if !ok {
		return caller{}, s3err.New(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", a.AccessKeyID)
	}
	if err := a.CheckScope(sigv4.Expect{Region: region, Service: "s3"}); err != nil {
		return caller{}, authError(err)
	}
	key := s.keys.get(a, entry.secret)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(doc))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.Signature))) {
		return caller{}, s3err.New(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.").
			With("AWSAccessKeyId", a.AccessKeyID).With("StringToSign", doc).With("SignatureProvided", a.Signature)
	}
	return caller{principal: entry.principal, auth: a}, nil
}

// verifyPostV2 checks a SigV2 form signature: base64 HMAC-SHA1 of the
// base64 policy with the secret key.
func (s *Server) verifyPostV2(f *postpolicy.Form, doc string, now time.Time) (caller, *s3err.Error) {
	id, sig := f.Value("awsaccesskeyid"), f.Value("signature")
	if id == "" {
		return caller{}, missingField("AWSAccessKeyId")
	}
	if sig == "" {
		return caller{}, missingField("Signature")
	}
	entry, ok := s.creds[id]
	if !ok {
		return caller{}, s3err.New(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", id)
	}
	mac := hmac.New(sha1.New, []byte(entry.secret))
	mac.Write([]byte(doc))
	if !hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(sig)) {
		return caller{}, s3err.New(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.").
			With("AWSAccessKeyId", id).With("StringToSign", doc).With("SignatureProvided", sig)
	}
	return caller{principal: entry.principal, auth: &sigv4.Auth{Kind: sigv4.Post, AccessKeyID: id, Signature: sig, Time: now}}, nil
}

// postFieldHeaders are the form fields that become the PutObject's
// headers as they are; acl and tagging are renamed, and every x-amz-
// field but the form's own authentication fields is taken too.
var postFieldHeaders = []string{"Cache-Control", "Content-Type", "Content-Disposition", "Content-Encoding", "Content-Language",
	"Content-MD5", "Expires"}

// postAuthFields are the x-amz- fields that authenticate the form.
var postAuthFields = map[string]bool{"x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true,
	"x-amz-signature": true, "x-amz-security-token": true}

// postHeaders are the request headers of the PutObject the form stands
// for: the client's User-Agent, Referer and CORS headers, and the form's
// object fields (the multipart Content-Type, and any Cache-Control the
// browser sent for the request itself, are not the object's).
func postHeaders(orig http.Header, f *postpolicy.Form) http.Header {
	h := http.Header{}
	for _, k := range []string{"User-Agent", "Referer", "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"} {
		if v, ok := orig[k]; ok {
			h[k] = v
		}
	}
	for _, fd := range f.Fields {
		name := strings.ToLower(fd.Name)
		switch {
		case name == "acl":
			h.Set("X-Amz-Acl", fd.Value)
		case name == "tagging":
			if q, ok := taggingQuery(fd.Value); ok {
				h.Set("X-Amz-Tagging", q)
			}
		case strings.HasPrefix(name, "x-amz-") && !postAuthFields[name]:
			h.Set(fd.Name, fd.Value)
		default:
			for _, k := range postFieldHeaders {
				if strings.EqualFold(k, name) {
					h.Set(k, fd.Value)
				}
			}
		}
	}
	return h
}

// taggingQuery turns the tagging field's XML (<Tagging><TagSet><Tag>…)
// into x-amz-tagging's query form.
func taggingQuery(doc string) (string, bool) {
	var t struct {
		Tags []struct {
			Key   string `xml:"Key"`
			Value string `xml:"Value"`
		} `xml:"TagSet>Tag"`
	}
	if err := xml.Unmarshal([]byte(doc), &t); err != nil {
		return "", false
	}
	v := url.Values{}
	for _, tag := range t.Tags {
		v.Add(tag.Key, tag.Value)
	}
	return v.Encode(), true
}

// maxPostFile is S3's largest single upload, 5 GB.
const maxPostFile = 5 << 30

// body prepares the file part as the PutObject's body (see prepareBody):
// of unknown length, held to the policy's content-length-range (S3's
// 5 GB without one), its x-amz-checksum-* fields verified as it streams.
func (p *postUpload) body(r *http.Request) (*s3api.Body, *s3err.Error) {
	checks, serr := headerChecksums(r.Header)
	if serr != nil {
		return nil, serr
	}
	rng := p.length
	if rng == nil {
		rng = &postpolicy.Range{Min: 0, Max: maxPostFile}
	}
	vb := &verifiedBody{checks: checks, src: &rangeReader{src: p.file, rng: rng}, left: -1}
	for _, c := range vb.checks {
		vb.writers = append(vb.writers, c.h)
	}
	body := &s3api.Body{Reader: vb, Size: -1, Checksum: vb.checksum}
	r.Body, r.ContentLength, r.TransferEncoding = io.NopCloser(body), -1, nil
	return body, nil
}

// request makes req the POST upload's: the S3 layer answers it as S3
// answers a POST (see s3api.PostForm).
func (p *postUpload) request(req *s3api.Request) {
	req.Op = "PostObject"
	req.Post = &s3api.PostForm{Location: p.location, Redirect: p.form.Value("success_action_redirect")}
	if req.Post.Redirect == "" {
		req.Post.Redirect = p.form.Value("redirect")
	}
	switch p.form.Value("success_action_status") {
	case "200":
		req.Post.Status = http.StatusOK
	case "201":
		req.Post.Status = http.StatusCreated
	default:
		req.Post.Status = http.StatusNoContent
	}
}

// rangeReader counts the file's bytes: past rng.Max the read fails with
// EntityTooLarge, and at the end below rng.Min with EntityTooSmall, so the
// store never commits an upload outside the range.
type rangeReader struct {
	src io.Reader
	rng *postpolicy.Range
	n   int64
}

func (r *rangeReader) Read(p []byte) (int, error) {
	n, err := r.src.Read(p)
	r.n += int64(n)
	if r.n > r.rng.Max {
		return n, r.rng.CheckLength(r.n)
	}
	if errors.Is(err, io.EOF) {
		if lerr := r.rng.CheckLength(r.n); lerr != nil {
			return n, lerr
		}
	} else if err != nil && !isTimeout(err) {
		return n, postpolicy.MalformedPOST()
	}
	return n, err
}
