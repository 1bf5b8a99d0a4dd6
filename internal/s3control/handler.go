package s3control

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/policy"
)

// Namespace is S3 Control's XML namespace.
const Namespace = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// The operations Classify names (IAM actions without "s3:").
const (
	OpCreateAccessPoint          = "CreateAccessPoint"
	OpGetAccessPoint             = "GetAccessPoint"
	OpListAccessPoints           = "ListAccessPoints"
	OpDeleteAccessPoint          = "DeleteAccessPoint"
	OpPutAccessPointPolicy       = "PutAccessPointPolicy"
	OpGetAccessPointPolicy       = "GetAccessPointPolicy"
	OpDeleteAccessPointPolicy    = "DeleteAccessPointPolicy"
	OpGetAccessPointPolicyStatus = "GetAccessPointPolicyStatus"
)

// policyKind is the grammar access point policies are parsed with: a
// resource-based policy whose resources are access point ARNs.
const policyKind = policy.KindAccessPoint

// MaxPolicy is the largest access point policy accepted (as for buckets).
const MaxPolicy = 20 << 10

// maxBody bounds the XML bodies read (CreateAccessPointRequest and
// PutAccessPointPolicyRequest, whose policy is escaped in XML).
const maxBody = 8 * MaxPolicy

// Request is one authorised S3 Control request.
type Request struct {
	HTTP *http.Request
	// Op and Name are Classify's answer.
	Op   string
	Name string
	// Account is the account of the Host (<account>.control…), which
	// x-amz-account-id must match; Region the endpoint's.
	Account   string
	Region    string
	RequestID string
	Now       time.Time
	// VPCExists reports whether CreateAccessPoint's VpcId names a VPC of
	// the topology.
	VPCExists func(id string) bool
}

const pathPrefix = "/v20180820/"

// Classify names the S3 Control operation of r (the IAM action without
// "s3:", e.g. "CreateAccessPoint") and the access point it addresses (""
// for ListAccessPoints), or an S3 Control error for a request it does not
// know: 405 MethodNotAllowed for a method an access point resource does
// not take, 501 NotImplemented for the other S3 Control APIs (jobs,
// Storage Lens, multi-region access points, …), 400 InvalidRequest for a
// path outside S3 Control's API.
func Classify(r *http.Request) (op, name string, err *s3err.Error) {
	rest, ok := strings.CutPrefix(r.URL.Path, pathPrefix)
	if !ok {
		return "", "", s3err.New(http.StatusBadRequest, "InvalidRequest", "s3vpce: "+strconv.Quote(r.URL.Path)+" is not an S3 Control API path (they begin "+pathPrefix+")")
	}
	rest, ok = strings.CutPrefix(rest, "accesspoint")
	if !ok || (rest != "" && rest[0] != '/') {
		return "", "", s3err.New(http.StatusNotImplemented, "NotImplemented", "s3vpce implements the access point operations of S3 Control only (/v20180820/accesspoint…), not "+strconv.Quote(r.URL.Path))
	}
	methods := func(m map[string]string) (string, string, *s3err.Error) {
		if op, ok := m[r.Method]; ok {
			return op, name, nil
		}
		return "", "", s3err.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
	if rest == "" {
		return methods(map[string]string{http.MethodGet: OpListAccessPoints})
	}
	name, sub, _ := strings.Cut(rest[1:], "/")
	if name == "" {
		return "", "", invalidAccessPoint()
	}
	switch sub {
	case "":
		if strings.HasSuffix(rest, "/") {
			return "", "", invalidAccessPoint()
		}
		return methods(map[string]string{http.MethodPut: OpCreateAccessPoint, http.MethodGet: OpGetAccessPoint, http.MethodDelete: OpDeleteAccessPoint})
	case "policy":
		return methods(map[string]string{http.MethodPut: OpPutAccessPointPolicy, http.MethodGet: OpGetAccessPointPolicy, http.MethodDelete: OpDeleteAccessPointPolicy})
	case "policyStatus":
		return methods(map[string]string{http.MethodGet: OpGetAccessPointPolicyStatus})
	}
	return "", "", s3err.New(http.StatusNotImplemented, "NotImplemented", "s3vpce does not implement the access point sub-resource "+strconv.Quote(sub))
}

// ARN is an access point's ARN.
func ARN(region, account, name string) string {
	return "arn:aws:s3:" + region + ":" + account + ":accesspoint/" + name
}

// Handler answers S3 Control requests over a store.
type Handler struct {
	st *store.Store
	// rand makes alias suffixes (crypto/rand; tests fix it).
	rand io.Reader
}

// New returns a Handler over st.
func New(st *store.Store) *Handler { return &Handler{st: st, rand: rand.Reader} }

// Serve answers req.
func (h *Handler) Serve(w http.ResponseWriter, req *Request) {
	if req.Op == "" {
		op, name, err := Classify(req.HTTP)
		if err != nil {
			writeError(w, req, err)
			return
		}
		req.Op, req.Name = op, name
	}
	if err := h.serve(w, req); err != nil {
		writeError(w, req, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, req *Request) *s3err.Error {
	if err := checkAccount(req); err != nil {
		return err
	}
	switch req.Op {
	case OpCreateAccessPoint:
		return h.create(w, req)
	case OpGetAccessPoint:
		return h.get(w, req)
	case OpListAccessPoints:
		return h.list(w, req)
	case OpDeleteAccessPoint:
		if err := h.st.DeleteAccessPoint(req.Account, req.Name); err != nil {
			return storeError(err, req)
		}
		writeEmpty(w, req, http.StatusNoContent)
		return nil
	case OpPutAccessPointPolicy:
		return h.putPolicy(w, req)
	case OpGetAccessPointPolicy, OpGetAccessPointPolicyStatus:
		return h.getPolicy(w, req)
	case OpDeleteAccessPointPolicy:
		if err := h.st.SetAccessPointPolicy(req.Account, req.Name, ""); err != nil {
			return storeError(err, req)
		}
		writeEmpty(w, req, http.StatusNoContent)
		return nil
	}
	return s3err.New(http.StatusNotImplemented, "NotImplemented", "s3vpce does not implement the S3 Control operation "+strconv.Quote(req.Op))
}

// checkAccount checks the x-amz-account-id header every access point
// operation requires: present, 12 digits, the host's account.
func checkAccount(req *Request) *s3err.Error {
	id := req.HTTP.Header.Get("x-amz-account-id")
	switch {
	case id == "":
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-account-id")
	case !validAccount(id):
		return invalidAccessPoint()
	case id != req.Account:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "The account ID in the x-amz-account-id header ("+id+") is not the account of the endpoint host ("+req.Account+")")
	}
	return nil
}

func validAccount(id string) bool {
	if len(id) != 12 {
		return false
	}
	for _, c := range []byte(id) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func invalidAccessPoint() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidAccessPoint", "The specified access point name or account is not valid.")
}

// ValidName reports whether name follows the access point naming rules:
// 3–50 characters of lower-case letters, digits and hyphens, beginning
// and ending with a letter or digit, not beginning with "xn--" nor ending
// with "-s3alias" (reserved for aliases).
func ValidName(name string) bool {
	if len(name) < 3 || len(name) > 50 || name[0] == '-' || name[len(name)-1] == '-' ||
		strings.HasPrefix(name, "xn--") || strings.HasSuffix(name, "-s3alias") {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// storeError turns a store error into S3 Control's.
func storeError(err error, req *Request) *s3err.Error {
	switch {
	case errors.Is(err, store.ErrNoSuchAccessPoint):
		return s3err.New(http.StatusNotFound, "NoSuchAccessPoint", "The specified accesspoint does not exist").With("AccessPointName", req.Name)
	case errors.Is(err, store.ErrAccessPointExists):
		return s3err.New(http.StatusConflict, "AccessPointAlreadyOwnedByYou", "An access point with an identical name already exists in your account.").With("AccessPointName", req.Name)
	case errors.Is(err, store.ErrNoSuchBucket):
		return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	}
	return s3err.Internal()
}

// ---- CreateAccessPoint

// CreateAccessPointInput is CreateAccessPointRequest's body.
type CreateAccessPointInput struct {
	XMLName          xml.Name `xml:"CreateAccessPointRequest"`
	Bucket           string   `xml:"Bucket"`
	BucketAccountID  string   `xml:"BucketAccountId"`
	VpcConfiguration *struct {
		VpcID string `xml:"VpcId"`
	} `xml:"VpcConfiguration"`
	PublicAccessBlockConfiguration *PublicAccessBlock `xml:"PublicAccessBlockConfiguration"`
}

// PublicAccessBlock is S3 Control's PublicAccessBlockConfiguration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `xml:"RestrictPublicBuckets"`
}

// ParseCreateAccessPoint parses a CreateAccessPointRequest body: Bucket
// is required, BucketAccountId (when given) 12 digits, VpcConfiguration
// (when given) has a VpcId, and an absent PublicAccessBlockConfiguration
// means all four settings on, as AWS does (a given one's absent settings
// are off).
func ParseCreateAccessPoint(body []byte) (*CreateAccessPointInput, *s3err.Error) {
	var in CreateAccessPointInput
	if err := xml.Unmarshal(body, &in); err != nil {
		return nil, s3err.MalformedXML()
	}
	if in.XMLName.Space != "" && in.XMLName.Space != Namespace {
		return nil, s3err.MalformedXML()
	}
	if in.Bucket == "" || (in.VpcConfiguration != nil && in.VpcConfiguration.VpcID == "") {
		return nil, s3err.MalformedXML()
	}
	if in.BucketAccountID != "" && !validAccount(in.BucketAccountID) {
		return nil, invalidAccessPoint()
	}
	if in.PublicAccessBlockConfiguration == nil {
		in.PublicAccessBlockConfiguration = &PublicAccessBlock{true, true, true, true}
	}
	return &in, nil
}

func readBody(req *Request) ([]byte, *s3err.Error) {
	if req.HTTP.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.HTTP.Body, maxBody+1))
	if err != nil {
		var se *s3err.Error
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, s3err.New(http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
	}
	if len(b) > maxBody {
		return nil, s3err.New(http.StatusBadRequest, "MaxMessageLengthExceeded", "Your request was too big.")
	}
	return b, nil
}

const aliasChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// newAlias makes "<name, at most 20 characters>-<34 random lower-case
// letters and digits>-s3alias": at most 63 characters, as botocore's Alias
// shape allows (AWS's own suffix ends in a region code, e.g. "…use1a").
func (h *Handler) newAlias(name string) (string, error) {
	prefix := strings.TrimRight(name[:min(len(name), 20)], "-")
	var b [34]byte
	if _, err := io.ReadFull(h.rand, b[:]); err != nil {
		return "", fmt.Errorf("s3control: alias: %w", err)
	}
	for i := range b {
		b[i] = aliasChars[int(b[i])%len(aliasChars)]
	}
	return prefix + "-" + string(b[:]) + "-s3alias", nil
}

func (h *Handler) create(w http.ResponseWriter, req *Request) *s3err.Error {
	if !ValidName(req.Name) {
		return invalidAccessPoint()
	}
	body, serr := readBody(req)
	if serr != nil {
		return serr
	}
	in, serr := ParseCreateAccessPoint(body)
	if serr != nil {
		return serr
	}
	b, err := h.st.Bucket(in.Bucket)
	if err != nil {
		if errors.Is(err, store.ErrNoSuchBucket) {
			return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", in.Bucket)
		}
		return s3err.Internal()
	}
	bucketAccount := b.Owner
	if bucketAccount == "" {
		bucketAccount = req.Account
	}
	if in.BucketAccountID != "" && in.BucketAccountID != bucketAccount {
		return s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	ap := store.AccessPoint{
		Name: req.Name, Account: req.Account, Region: req.Region, Bucket: in.Bucket, BucketAccount: bucketAccount,
		BlockPublicAcls:       in.PublicAccessBlockConfiguration.BlockPublicAcls,
		IgnorePublicAcls:      in.PublicAccessBlockConfiguration.IgnorePublicAcls,
		BlockPublicPolicy:     in.PublicAccessBlockConfiguration.BlockPublicPolicy,
		RestrictPublicBuckets: in.PublicAccessBlockConfiguration.RestrictPublicBuckets,
		Created:               req.Now.UTC().Round(0),
	}
	if in.VpcConfiguration != nil {
		if req.VPCExists == nil || !req.VPCExists(in.VpcConfiguration.VpcID) {
			return s3err.New(http.StatusBadRequest, "InvalidRequest", "The VPC ID "+strconv.Quote(in.VpcConfiguration.VpcID)+" does not exist in this account and region")
		}
		ap.VPCID = in.VpcConfiguration.VpcID
	}
	if ap.Alias, err = h.newAlias(req.Name); err != nil {
		return s3err.Internal()
	}
	if err := h.st.CreateAccessPoint(ap); err != nil {
		if errors.Is(err, store.ErrNoSuchBucket) { // deleted meanwhile
			return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", in.Bucket)
		}
		return storeError(err, req)
	}
	writeXML(w, req, &createResult{AccessPointArn: ARN(req.Region, req.Account, req.Name), Alias: ap.Alias})
	return nil
}

type createResult struct {
	XMLName        xml.Name `xml:"CreateAccessPointResult"`
	Xmlns          string   `xml:"xmlns,attr"`
	AccessPointArn string   `xml:"AccessPointArn"`
	Alias          string   `xml:"Alias"`
}

// ---- GetAccessPoint, ListAccessPoints

type vpcConfiguration struct {
	VpcID string `xml:"VpcId"`
}

type endpointEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type getResult struct {
	XMLName                        xml.Name          `xml:"GetAccessPointResult"`
	Xmlns                          string            `xml:"xmlns,attr"`
	Name                           string            `xml:"Name"`
	Bucket                         string            `xml:"Bucket"`
	NetworkOrigin                  string            `xml:"NetworkOrigin"`
	VpcConfiguration               *vpcConfiguration `xml:"VpcConfiguration,omitempty"`
	PublicAccessBlockConfiguration PublicAccessBlock `xml:"PublicAccessBlockConfiguration"`
	CreationDate                   string            `xml:"CreationDate"`
	Alias                          string            `xml:"Alias"`
	AccessPointArn                 string            `xml:"AccessPointArn"`
	Endpoints                      []endpointEntry   `xml:"Endpoints>entry"`
	BucketAccountID                string            `xml:"BucketAccountId"`
}

func networkOrigin(ap *store.AccessPoint) (string, *vpcConfiguration) {
	if ap.VPCID != "" {
		return "VPC", &vpcConfiguration{VpcID: ap.VPCID}
	}
	return "Internet", nil
}

// endpoints are the regional access point endpoints AWS lists.
func endpoints(region string) []endpointEntry {
	return []endpointEntry{
		{"ipv4", "s3-accesspoint." + region + ".amazonaws.com"},
		{"fips", "s3-accesspoint-fips." + region + ".amazonaws.com"},
		{"fips_dualstack", "s3-accesspoint-fips.dualstack." + region + ".amazonaws.com"},
		{"dualstack", "s3-accesspoint.dualstack." + region + ".amazonaws.com"},
	}
}

func (h *Handler) get(w http.ResponseWriter, req *Request) *s3err.Error {
	ap, err := h.st.AccessPoint(req.Account, req.Name)
	if err != nil {
		return storeError(err, req)
	}
	origin, vpc := networkOrigin(ap)
	region := ap.Region
	if region == "" {
		region = req.Region
	}
	writeXML(w, req, &getResult{
		Name: ap.Name, Bucket: ap.Bucket, NetworkOrigin: origin, VpcConfiguration: vpc,
		PublicAccessBlockConfiguration: PublicAccessBlock{ap.BlockPublicAcls, ap.IgnorePublicAcls, ap.BlockPublicPolicy, ap.RestrictPublicBuckets},
		CreationDate:                   ap.Created.UTC().Format("2006-01-02T15:04:05.000Z"),
		Alias:                          ap.Alias, AccessPointArn: ARN(region, ap.Account, ap.Name),
		Endpoints: endpoints(region), BucketAccountID: ap.BucketAccount,
	})
	return nil
}

type listItem struct {
	Name             string            `xml:"Name"`
	NetworkOrigin    string            `xml:"NetworkOrigin"`
	VpcConfiguration *vpcConfiguration `xml:"VpcConfiguration,omitempty"`
	Bucket           string            `xml:"Bucket"`
	AccessPointArn   string            `xml:"AccessPointArn"`
	Alias            string            `xml:"Alias"`
	BucketAccountID  string            `xml:"BucketAccountId"`
}

type listResult struct {
	XMLName         xml.Name   `xml:"ListAccessPointsResult"`
	Xmlns           string     `xml:"xmlns,attr"`
	AccessPointList []listItem `xml:"AccessPointList>AccessPoint"`
	NextToken       string     `xml:"NextToken,omitempty"`
}

// maxResults is ListAccessPoints' page size when none (or 0) is asked.
const maxResults = 1000

func (h *Handler) list(w http.ResponseWriter, req *Request) *s3err.Error {
	q := req.HTTP.URL.Query()
	max := maxResults
	if s := q.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxResults {
			return s3err.New(http.StatusBadRequest, "InvalidRequest", "maxResults must be an integer from 0 to 1000, not "+strconv.Quote(s))
		}
		if n > 0 {
			max = n
		}
	}
	after := ""
	if tok := q.Get("nextToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !ValidName(string(b)) {
			return s3err.New(http.StatusBadRequest, "InvalidRequest", "The continuation token provided is incorrect")
		}
		after = string(b)
	}
	aps, next, err := h.st.AccessPoints(req.Account, q.Get("bucket"), after, max)
	if err != nil {
		return storeError(err, req)
	}
	out := &listResult{AccessPointList: []listItem{}}
	for _, ap := range aps {
		origin, vpc := networkOrigin(ap)
		region := ap.Region
		if region == "" {
			region = req.Region
		}
		out.AccessPointList = append(out.AccessPointList, listItem{
			Name: ap.Name, NetworkOrigin: origin, VpcConfiguration: vpc, Bucket: ap.Bucket,
			AccessPointArn: ARN(region, ap.Account, ap.Name), Alias: ap.Alias, BucketAccountID: ap.BucketAccount,
		})
	}
	if next != "" {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	writeXML(w, req, out)
	return nil
}

// ---- policies

type putPolicyInput struct {
	XMLName xml.Name `xml:"PutAccessPointPolicyRequest"`
	Policy  *string  `xml:"Policy"`
}

type getPolicyResult struct {
	XMLName xml.Name `xml:"GetAccessPointPolicyResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Policy  string   `xml:"Policy"`
}

type policyStatusResult struct {
	XMLName  xml.Name `xml:"GetAccessPointPolicyStatusResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"PolicyStatus>IsPublic"`
}

// CompilePolicy parses an access point policy document, with S3's
// PolicyTooLarge and MalformedPolicy errors.
func CompilePolicy(doc []byte) (*policy.Policy, *s3err.Error) {
	if len(doc) > MaxPolicy {
		return nil, s3err.New(http.StatusBadRequest, "PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
	}
	p, err := policy.Parse(doc, policy.WithKind(policyKind))
	if err != nil {
		msg := "Policies must be valid JSON and the first byte must be '{'"
		var pe *policy.ParseError
		if errors.As(err, &pe) && len(doc) > 0 && doc[0] == '{' {
			msg = "Invalid policy syntax. (" + pe.Error() + ")"
		}
		return nil, s3err.New(http.StatusBadRequest, "MalformedPolicy", msg)
	}
	return p, nil
}

// IsPublic reports whether p grants public access: see
// policy.Policy.IsPublic.
func IsPublic(p *policy.Policy) bool { return p.IsPublic() }

func (h *Handler) putPolicy(w http.ResponseWriter, req *Request) *s3err.Error {
	body, serr := readBody(req)
	if serr != nil {
		return serr
	}
	var in putPolicyInput
	if err := xml.Unmarshal(body, &in); err != nil || in.Policy == nil {
		return s3err.MalformedXML()
	}
	p, serr := CompilePolicy([]byte(*in.Policy))
	if serr != nil {
		return serr
	}
	ap, err := h.st.AccessPoint(req.Account, req.Name)
	if err != nil {
		return storeError(err, req)
	}
	if ap.BlockPublicPolicy && IsPublic(p) {
		// S3 refuses a public policy where BlockPublicPolicy is on.
		return s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	if err := h.st.SetAccessPointPolicy(req.Account, req.Name, *in.Policy); err != nil {
		return storeError(err, req)
	}
	writeEmpty(w, req, http.StatusOK)
	return nil
}

func (h *Handler) getPolicy(w http.ResponseWriter, req *Request) *s3err.Error {
	ap, err := h.st.AccessPoint(req.Account, req.Name)
	if err != nil {
		return storeError(err, req)
	}
	if ap.Policy == "" {
		return s3err.New(http.StatusNotFound, "NoSuchAccessPointPolicy", "The specified accesspoint policy does not exist").With("AccessPointName", req.Name)
	}
	if req.Op == OpGetAccessPointPolicy {
		writeXML(w, req, &getPolicyResult{Policy: ap.Policy})
		return nil
	}
	p, serr := CompilePolicy([]byte(ap.Policy))
	if serr != nil { // stored by an older grammar
		return s3err.Internal()
	}
	writeXML(w, req, &policyStatusResult{IsPublic: IsPublic(p)})
	return nil
}

// ---- writing

func setIDs(w http.ResponseWriter, req *Request) (requestID, hostID string) {
	requestID, hostID = s3err.RequestID(req.HTTP.Context())
	if req.RequestID != "" {
		requestID = req.RequestID
	}
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID)
	h.Set("Server", "AmazonS3")
	return requestID, hostID
}

func writeEmpty(w http.ResponseWriter, req *Request, status int) {
	setIDs(w, req)
	if status != http.StatusNoContent {
		w.Header().Set("Content-Length", "0")
	}
	w.WriteHeader(status)
}

// writeXML writes v (a result type with an Xmlns field) with 200 OK.
func writeXML(w http.ResponseWriter, req *Request, v any) {
	body, err := marshal(v)
	if err != nil {
		writeError(w, req, s3err.Internal())
		return
	}
	setIDs(w, req)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if req.HTTP.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func marshal(v any) ([]byte, error) {
	switch r := v.(type) {
	case *createResult:
		r.Xmlns = Namespace
	case *getResult:
		r.Xmlns = Namespace
	case *listResult:
		r.Xmlns = Namespace
	case *getPolicyResult:
		r.Xmlns = Namespace
	case *policyStatusResult:
		r.Xmlns = Namespace
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("s3control: encoding %T: %w", v, err)
	}
	return buf.Bytes(), nil
}

// errorResponse is S3 Control's error body: the code and message wrapped
// in <ErrorResponse><Error>, the IDs beside <Error> (aws-sdk-go-v2's
// s3control reads Error>Code with IsWrappedWithErrorTag; botocore's
// restXml parser reads both this and S3's bare <Error>).
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Err     struct {
		Code    string          `xml:"Code"`
		Message string          `xml:"Message"`
		Extra   []s3err.Element `xml:",any"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// MarshalError returns e as S3 Control's error body.
func MarshalError(e *s3err.Error, requestID, hostID string) []byte {
	var r errorResponse
	r.Err.Code, r.Err.Message, r.Err.Extra = e.Code, e.Message, e.Extra
	r.RequestID, r.HostID = requestID, hostID
	out, err := xml.Marshal(&r)
	if err != nil { // cannot happen for these types: strings only
		r.Err.Code, r.Err.Message, r.Err.Extra = "InternalError", "", nil
		out, _ = xml.Marshal(&r)
	}
	return append([]byte(xml.Header), out...)
}

// writeError writes e in S3 Control's shape.
func writeError(w http.ResponseWriter, req *Request, e *s3err.Error) {
	requestID, hostID := s3err.RequestID(req.HTTP.Context())
	if req.RequestID != "" {
		requestID = req.RequestID
	}
	s3err.WriteBody(w, req.HTTP, e, MarshalError(e, requestID, hostID), requestID, hostID)
}
