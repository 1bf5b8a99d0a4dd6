package emulator

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/upstream"
)

// Upstream configures upstream mode (docs/upstream.md): every S3 request
// the gate allows is forwarded to another S3 service, re-signed with
// its credentials, instead of being answered from the emulator's store.
// Bucket policies, access points, S3 Control and the EC2 API stay local.
type Upstream struct {
	// URL ("http://127.0.0.1:9000", "https://s3.us-east-1.amazonaws.com")
	// or Handler (in process, for tests) is the upstream.
	URL     string
	Handler http.Handler
	// Credentials (required) and Region (empty: the topology's first
	// endpoint's) sign the forwarded requests.
	Credentials aws.CredentialsProvider
	Region      string
	// PathStyle forces host/bucket/key; otherwise only hosts under
	// amazonaws.com get bucket.host/key. RootCAs (nil: the system's)
	// verify the upstream's certificate.
	PathStyle bool
	RootCAs   *x509.CertPool
	// BucketPolicy forwards PutBucketPolicy, GetBucketPolicy,
	// DeleteBucketPolicy and GetBucketPolicyStatus too; the gate keeps
	// reading the local copy, written through when the upstream accepts a
	// change. Off, they are answered from the local store only.
	BucketPolicy bool
}

// initUpstream builds the forwarder of upstream mode, if configured.
func (s *Server) initUpstream() error {
	u := s.opts.Upstream
	if u == nil || (u.URL == "" && u.Handler == nil) {
		return nil
	}
	region := u.Region
	if region == "" {
		region = s.Topology().Endpoints()[0].Region
	}
	f, err := upstream.New(upstream.Options{URL: u.URL, Handler: u.Handler, Credentials: u.Credentials,
		Region: region, PathStyle: u.PathStyle, RootCAs: u.RootCAs, Logger: s.log})
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	s.up = f
	return nil
}

// UpstreamTarget describes where upstream mode forwards requests and
// what stays local, for banners; "" when the store answers every request.
func (s *Server) UpstreamTarget() string {
	if s.up == nil {
		return ""
	}
	policies := "bucket policies kept here"
	if s.opts.Upstream.BucketPolicy {
		policies = "bucket policies forwarded, enforced from the local copy"
	}
	return s.up.String() + ": every allowed S3 request goes there; " + policies + "; access points, S3 Control and the EC2 API stay here"
}

// bucketPolicyOps are the operations on bucket policies, which the gate
// reads from the local store.
var bucketPolicyOps = map[string]bool{"PutBucketPolicy": true, "GetBucketPolicy": true,
	"DeleteBucketPolicy": true, "GetBucketPolicyStatus": true}

// forward answers an allowed request in upstream mode.
func (s *Server) forward(w http.ResponseWriter, req *s3api.Request, rec *DecisionRecord, trailer string) {
	r := req.HTTP
	if req.Post != nil {
		s3err.Write(w, r, s3err.New(http.StatusNotImplemented, "NotImplemented",
			"s3vpce in upstream mode does not forward browser-based POST uploads (POST Object); use PutObject or a presigned PUT."))
		return
	}
	_, hid := s3err.RequestID(r.Context()) // ServeHTTP's, computed once
	ureq := &upstream.Request{Bucket: req.Bucket, Key: req.Key, HTTP: r, Body: req.Body, Trailer: trailer,
		RequestID: req.RequestID, HostID: hid}
	if a := rec.caller.auth; a != nil {
		ureq.PayloadHash = a.PayloadHash
	}
	switch {
	case bucketPolicyOps[req.Op]:
		s.forwardBucketPolicy(w, req, ureq)
	case req.Op == "DeleteObjects":
		s.forwardDeleteObjects(w, req, ureq)
	default:
		s.up.Forward(w, ureq)
	}
}

// forwardBucketPolicy answers a bucket policy operation from the local
// store (creating the bucket's local record, owned by the caller's
// account, for a bucket the upstream has), or with BucketPolicy forwards
// it and writes an accepted change through to the local copy.
func (s *Server) forwardBucketPolicy(w http.ResponseWriter, req *s3api.Request, ureq *upstream.Request) {
	r := req.HTTP
	if serr := s.localBucketRecord(req); serr != nil {
		s3err.Write(w, r, serr)
		return
	}
	if !s.opts.Upstream.BucketPolicy {
		s.compat.Answer(w, req)
		return
	}
	var doc []byte
	if req.Op == "PutBucketPolicy" && req.Body != nil {
		var err error
		if doc, err = io.ReadAll(req.Body); err != nil {
			s3err.Write(w, r, s3api.BodyReadError(err))
			return
		}
		if _, serr := s3api.CompileBucketPolicy(doc); serr != nil {
			s3err.Write(w, r, serr) // what the gate could not enforce is not sent on
			return
		}
		req.Body.Reader = bytes.NewReader(doc)
	}
	status := s.up.Forward(w, ureq)
	if status < 200 || status > 299 {
		return
	}
	var err error
	switch req.Op {
	case "PutBucketPolicy":
		err = s.SetBucketPolicy(req.Bucket, string(doc))
	case "DeleteBucketPolicy":
		err = s.SetBucketPolicy(req.Bucket, "")
	}
	if err != nil {
		s.log.Error("upstream accepted a bucket policy change the local copy could not take", "bucket", req.Bucket, "request_id", req.RequestID, "err", err)
	}
}

// localBucketRecord makes sure the local store has a record of the
// request's bucket to hold its policy: a bucket the upstream has (HEAD
// Bucket) and the store does not is recorded, owned by the caller's
// account.
func (s *Server) localBucketRecord(req *s3api.Request) *s3err.Error {
	if _, err := s.store.Bucket(req.Bucket); err == nil {
		return nil
	}
	head, err := http.NewRequestWithContext(req.HTTP.Context(), http.MethodHead, "/"+req.Bucket, nil)
	if err != nil {
		return s3err.Internal()
	}
	resp, serr := s.up.Do(req.HTTP.Context(), &upstream.Request{Bucket: req.Bucket, HTTP: head, RequestID: req.RequestID})
	if serr != nil {
		return serr
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", req.Bucket)
	}
	owner := req.Account
	if owner == "" {
		owner = DefaultAccountID
	}
	if err := s.store.CreateBucket(store.Bucket{Name: req.Bucket, Owner: owner}); err != nil && !errors.Is(err, store.ErrBucketExists) {
		s.log.Error("cannot record an upstream bucket locally", "bucket", req.Bucket, "err", err)
		return s3err.Internal()
	}
	return nil
}

// forwardDeleteObjects checks each key of a DeleteObjects request as S3
// does (s3:DeleteObject or s3:DeleteObjectVersion, one decision each),
// forwards the keys allowed and adds the denied ones to the upstream's
// DeleteResult as AccessDenied entries.
func (s *Server) forwardDeleteObjects(w http.ResponseWriter, req *s3api.Request, ureq *upstream.Request) {
	r := req.HTTP
	if req.Body == nil {
		s3err.Write(w, r, s3err.MalformedXML())
		return
	}
	doc, err := io.ReadAll(req.Body)
	if err != nil {
		s3err.Write(w, r, s3api.BodyReadError(err))
		return
	}
	quiet, objects, err := upstream.ParseDelete(doc)
	if err != nil {
		s3err.Write(w, r, s3err.MalformedXML())
		return
	}
	var allowed []upstream.DeleteEntry
	var denied []upstream.DeniedEntry
	for _, o := range objects {
		if req.Auth == nil || req.Auth.Allow("DeleteObject", o.Key, o.VersionID) {
			allowed = append(allowed, o)
			continue
		}
		denied = append(denied, upstream.DeniedEntry{DeleteEntry: o, Code: "AccessDenied", Message: "Access Denied"})
	}
	if len(allowed) == 0 {
		body := upstream.EncodeDeleteResult(denied)
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		return
	}
	if len(denied) > 0 {
		doc = upstream.EncodeDelete(quiet, allowed)
		resignDocument(r.Header, doc, ureq)
	}
	req.Body.Reader, req.Body.Size = bytes.NewReader(doc), int64(len(doc))
	if len(denied) == 0 {
		s.up.Forward(w, ureq)
		return
	}
	resp, serr := s.up.Do(r.Context(), ureq)
	if serr != nil {
		s3err.Write(w, r, serr)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.up.WriteResponse(w, r, resp, ureq.RequestID, ureq.HostID)
		return
	}
	result, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err == nil {
		result, err = upstream.MergeDeleteResult(result, denied)
	}
	if err != nil {
		s.log.Warn("upstream DeleteObjects result unreadable", "request_id", req.RequestID, "err", err)
		s3err.Write(w, r, s3err.New(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unable to handle request: the upstream's DeleteObjects result could not be read."))
		return
	}
	resp.Header.Set("Content-Length", fmt.Sprint(len(result)))
	resp.Body = io.NopCloser(bytes.NewReader(result))
	resp.ContentLength = int64(len(result))
	s.up.WriteResponse(w, r, resp, ureq.RequestID, ureq.HostID)
}

// resignDocument replaces the integrity headers of a request whose body
// s3vpce rewrote with doc: Content-MD5 (when the client sent an integrity
// header, which S3 requires of DeleteObjects) and the payload hash.
func resignDocument(h http.Header, doc []byte, ureq *upstream.Request) {
	had := headerValue(h, hdrContentMD5) != ""
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			delete(h, k)
			had = true
		}
	}
	delete(h, "Content-Md5")
	if had {
		sum := md5.Sum(doc)
		h.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	sha := sha256.Sum256(doc)
	ureq.PayloadHash, ureq.Trailer = hex.EncodeToString(sha[:]), ""
}
