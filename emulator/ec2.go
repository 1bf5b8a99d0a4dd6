package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/ec2api"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/sigv4"
)

// maxEC2Body bounds an EC2 API request's form body (the largest real one,
// a CreateVpcEndpoint with a 20 KiB policy and tags, is far below).
const maxEC2Body = 1 << 20

// isEC2Request reports whether r is for the EC2 API: sent to the regional
// endpoint ec2.<region>.amazonaws.com, or to localhost (the URL the banner
// prints) and signed for the service ec2 — an S3 request to localhost
// still gets S3's answer and its hint about the endpoint names.
func isEC2Request(r *http.Request) bool {
	switch ec2Host(r.Host) {
	case hostEC2:
		return true
	case hostLocal:
		return strings.Contains(headerValue(r.Header, hdrAuthorization), "/ec2/aws4_request")
	}
	return false
}

const (
	hostOther = iota
	hostEC2
	hostLocal
)

// ec2Host classifies a Host header value (any port).
func ec2Host(hostport string) int {
	host := ec2HostName(hostport)
	if host == "localhost" {
		return hostLocal
	}
	if ec2Region(host) != "" {
		return hostEC2
	}
	return hostOther
}

// ec2HostName is the host of a Host header value, lower case, without
// port or final dot.
func ec2HostName(hostport string) string {
	host := hostport
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// ec2Region is the region of an ec2.<region>.amazonaws.com name, or "".
func ec2Region(host string) string {
	region, ok := strings.CutPrefix(host, "ec2.")
	if !ok {
		return ""
	}
	region, ok = strings.CutSuffix(region, ".amazonaws.com")
	if !ok || region == "" || strings.Contains(region, ".") {
		return ""
	}
	return region
}

// EC2URL is the URL of the EC2 API for clients outside the namespaces
// ("https://localhost:port"), with the listener's port; the certificate
// the emulator presents for localhost covers it.
func (s *Server) EC2URL() string { return fmt.Sprintf("https://localhost:%d", s.port()) }

// serveEC2 answers an EC2 Query API request: the form is read (within
// maxEC2Body), the SigV4 signature checked for the service ec2 (the body's
// hash is the payload hash, as the SDKs sign it), and the action run over
// the topology.
func (s *Server) serveEC2(hw http.ResponseWriter, r *http.Request) {
	w := startRequestLog(hw, r)
	reqID := newEC2RequestID()
	now := s.now()
	params, ec2err := readEC2Form(r)
	var account, region string
	if ec2err == nil {
		account, region, ec2err = s.authenticateEC2(r, now)
	}
	action := ""
	if params != nil {
		action = params.Get("Action")
	}
	if ec2err != nil {
		ec2api.WriteError(w, reqID, ec2err)
	} else {
		s.ec2.Serve(w, &ec2api.Request{Action: action, Params: ec2api.Params(params), Account: account,
			Region: region, RequestID: reqID, Now: now})
	}
	s.log.Info("ec2 request", append(w.attrs(""), "request_id", reqID, "action", action)...)
}

// readEC2Form reads the request's parameters: the form body of a POST and
// the query string.
func readEC2Form(r *http.Request) (url.Values, *ec2api.Error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, ec2api.Errorf("InvalidParameterValue", "The query string is not properly encoded: %v", err)
	}
	var body []byte
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		body, err = io.ReadAll(io.LimitReader(r.Body, maxEC2Body+1))
		if err != nil {
			return nil, ec2api.Errorf("InvalidParameterValue", "The request body could not be read: %v", err)
		}
		if len(body) > maxEC2Body {
			return nil, &ec2api.Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestLimitExceeded",
				Message: fmt.Sprintf("The request body is larger than %d bytes.", maxEC2Body)}
		}
		if ct := headerValue(r.Header, hdrContentType); ct != "" {
			if mt, _, _ := mime.ParseMediaType(ct); mt != "application/x-www-form-urlencoded" {
				return nil, ec2api.Errorf("InvalidParameterValue", "Content-Type %q: the EC2 API takes application/x-www-form-urlencoded", ct)
			}
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, ec2api.Errorf("InvalidParameterValue", "The request body is not a properly encoded form: %v", err)
		}
		for k, v := range form {
			q[k] = append(q[k], v...)
		}
	default:
		return nil, &ec2api.Error{Status: http.StatusMethodNotAllowed, Code: "InvalidAction",
			Message: fmt.Sprintf("The EC2 API takes GET and POST, not %s.", r.Method)}
	}
	// The SDKs sign the body's hash without sending it: give the verifier
	// the hash of what came.
	if headerValue(r.Header, hdrContentSHA256) == "" {
		sum := sha256.Sum256(body)
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	}
	return q, nil
}

// authenticateEC2 checks the SigV4 signature for the service ec2 and
// returns the caller's account and the request's region. Every
// authenticated principal may call every action (the emulator models no
// IAM policies for EC2); unsigned requests are refused as EC2 does.
func (s *Server) authenticateEC2(r *http.Request, now time.Time) (account, region string, _ *ec2api.Error) {
	if s.authOff {
		return s.creds[s.defaultKey].principal.Account, ec2RequestRegion(r, ""), nil
	}
	a, err := sigv4.Parse(r)
	if err != nil {
		return "", "", ec2AuthError(err)
	}
	if a.Kind == sigv4.Anonymous {
		return "", "", &ec2api.Error{Status: http.StatusUnauthorized, Code: "AuthFailure",
			Message: "AWS was not able to validate the provided access credentials"}
	}
	cred, ok := s.creds[a.AccessKeyID]
	if !ok {
		return "", "", &ec2api.Error{Status: http.StatusUnauthorized, Code: "AuthFailure",
			Message: "AWS was not able to validate the provided access credentials"}
	}
	region = ec2RequestRegion(r, a.Region)
	if err := a.CheckScope(sigv4.Expect{Region: region, Service: "ec2", Now: now}); err != nil {
		return "", "", ec2AuthError(err)
	}
	if err := s.verifier.Verify(a, r, s.keys.get(a, cred.secret)); err != nil {
		return "", "", ec2AuthError(err)
	}
	return cred.principal.Account, region, nil
}

// ec2RequestRegion is the region an EC2 request is for: the Host's
// (ec2.<region>.amazonaws.com), else the one the client signed for.
func ec2RequestRegion(r *http.Request, signed string) string {
	if region := ec2Region(ec2HostName(r.Host)); region != "" {
		return region
	}
	if signed == "" {
		return "us-east-1"
	}
	return signed
}

// ec2AuthError renders a SigV4 failure in EC2's terms.
func ec2AuthError(err error) *ec2api.Error {
	var e *s3err.Error
	if !errors.As(err, &e) {
		return &ec2api.Error{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: err.Error()}
	}
	switch e.Code {
	case "SignatureDoesNotMatch":
		return &ec2api.Error{Status: http.StatusUnauthorized, Code: "SignatureDoesNotMatch", Message: e.Message}
	case "RequestTimeTooSkewed":
		return &ec2api.Error{Status: http.StatusBadRequest, Code: "RequestExpired", Message: "Request has expired."}
	case "AuthorizationHeaderMalformed", "AuthorizationQueryParametersError":
		return &ec2api.Error{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: e.Message}
	}
	return &ec2api.Error{Status: e.Status, Code: "AuthFailure", Message: e.Message}
}

// newEC2RequestID is a request ID in EC2's form, a UUID.
func newEC2RequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
