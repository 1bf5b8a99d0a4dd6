package s3api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// The configuration documents below are read and written as S3's XML and
// stored as JSON (see readConfig): XMLName and Xmlns are not stored.

// corsConfiguration is the body of PutBucketCors and GetBucketCors.
type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration" json:"-"`
	Xmlns   string     `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []corsRule `xml:"CORSRule" json:"rules"`
}

type corsRule struct {
	ID             string   `xml:"ID,omitempty" json:"id,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader" json:"allowedHeaders,omitempty"`
	AllowedMethods []string `xml:"AllowedMethod" json:"allowedMethods"`
	AllowedOrigins []string `xml:"AllowedOrigin" json:"allowedOrigins"`
	ExposeHeaders  []string `xml:"ExposeHeader" json:"exposeHeaders,omitempty"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds" json:"maxAgeSeconds,omitempty"`
}

// publicAccessBlock is the body of Put/GetPublicAccessBlock.
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration" json:"-"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty" json:"-"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls" json:"blockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls" json:"ignorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy" json:"blockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets" json:"restrictPublicBuckets"`
}

// ownershipControls is the body of Put/GetBucketOwnershipControls (stored
// as the ObjectOwnership string alone).
type ownershipControls struct {
	XMLName xml.Name        `xml:"OwnershipControls"`
	Xmlns   string          `xml:"xmlns,attr,omitempty"`
	Rules   []ownershipRule `xml:"Rule"`
}

type ownershipRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

// encryptionConfiguration is the body of Put/GetBucketEncryption.
type encryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration" json:"-"`
	Xmlns   string           `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []encryptionRule `xml:"Rule" json:"rules"`
}

type encryptionRule struct {
	Default          *encryptionDefault `xml:"ApplyServerSideEncryptionByDefault" json:"default,omitempty"`
	BucketKeyEnabled bool               `xml:"BucketKeyEnabled" json:"bucketKeyEnabled"`
}

type encryptionDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm" json:"sseAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty" json:"kmsMasterKeyID,omitempty"`
}

// defaultEncryption is what S3 reports for a bucket without its own
// configuration: every bucket has SSE-S3 (AES256) since January 2023.
func defaultEncryption() encryptionConfiguration {
	return encryptionConfiguration{Rules: []encryptionRule{{Default: &encryptionDefault{SSEAlgorithm: "AES256"}}}}
}

// Configuration names in store.Bucket.Config. Each value is the JSON of
// this package's type for it (corsConfiguration, publicAccessBlock, the
// ObjectOwnership string, encryptionConfiguration, []aclGrant, the region
// string). An absent name means what a new S3 bucket has: no CORS, Block
// Public Access all on, BucketOwnerEnforced, SSE-S3 encryption, the
// owner's FULL_CONTROL only, us-east-1. The JSON literal null records that
// a configuration a new bucket has was deleted (public access block,
// ownership controls).
const (
	configCORS              = "cors"
	configPublicAccessBlock = "publicAccessBlock"
	configOwnership         = "ownershipControls"
	configEncryption        = "encryption"
	configACL               = "acl"
	configLocation          = "location"
)

// jsonNull is the stored value of a deleted configuration.
var jsonNull = []byte("null")

// readConfig decodes bucket b's configuration name into v. set is false
// when the name is absent (v is left as is: the caller's default) or
// deleted (removed is true).
func readConfig(b *store.Bucket, name string, v any) (set, removed bool, err error) {
	raw, ok := b.Config[name]
	if !ok {
		return false, false, nil
	}
	if bytes.Equal(bytes.TrimSpace(raw), jsonNull) {
		return false, true, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, false, fmt.Errorf("s3api: bucket %s: configuration %s: %w", b.Name, name, err)
	}
	return true, false, nil
}

// setConfig stores v (nil: deleted, see jsonNull) as the request
// bucket's configuration name and answers status.
func (h *Handler) setConfig(w http.ResponseWriter, req *Request, name string, v any, status int) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("s3api: configuration %s: %w", name, err)
	}
	return h.updateBucket(w, req, status, func(b *store.Bucket) {
		if b.Config == nil {
			b.Config = map[string][]byte{}
		}
		b.Config[name] = raw
	})
}

// resetConfig removes the request bucket's configuration name (the
// default applies) and answers 204.
func (h *Handler) resetConfig(w http.ResponseWriter, req *Request, name string) error {
	return h.updateBucket(w, req, http.StatusNoContent, func(b *store.Bucket) { delete(b.Config, name) })
}

// ownershipOf is the bucket's object ownership, "" when its controls were
// deleted.
func ownershipOf(b *store.Bucket) (string, error) {
	o := "BucketOwnerEnforced"
	_, removed, err := readConfig(b, configOwnership, &o)
	if removed {
		o = ""
	}
	return o, err
}

// serveBucketConfig answers the Get, Put and Delete operations of CORS,
// public access block, ownership controls and default encryption.
func (h *Handler) serveBucketConfig(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	notFound := func(code, msg string) *s3err.Error {
		return s3err.New(http.StatusNotFound, code, msg).With("BucketName", req.Bucket)
	}
	switch req.Op {
	case "GetBucketCors":
		var c corsConfiguration
		set, _, err := readConfig(b, configCORS, &c)
		switch {
		case err != nil:
			return err
		case !set:
			return notFound("NoSuchCORSConfiguration", "The CORS configuration does not exist")
		}
		c.Xmlns = xmlns
		return writeXML(w, r, &c)
	case "PutBucketCors":
		var c corsConfiguration
		if serr := readXML(r, maxDocument, &c); serr != nil {
			return serr
		}
		if serr := validateCORS(&c); serr != nil {
			return serr
		}
		return h.setConfig(w, req, configCORS, &c, http.StatusOK)
	case "DeleteBucketCors":
		return h.resetConfig(w, req, configCORS)
	case "GetPublicAccessBlock":
		p := publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		_, removed, err := readConfig(b, configPublicAccessBlock, &p)
		switch {
		case err != nil:
			return err
		case removed:
			return notFound("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		}
		p.Xmlns = xmlns
		return writeXML(w, r, &p)
	case "PutPublicAccessBlock":
		var p publicAccessBlock
		if serr := readXML(r, maxDocument, &p); serr != nil {
			return serr
		}
		return h.setConfig(w, req, configPublicAccessBlock, &p, http.StatusOK)
	case "DeletePublicAccessBlock":
		return h.setConfig(w, req, configPublicAccessBlock, nil, http.StatusNoContent)
	case "GetBucketOwnershipControls":
		o, err := ownershipOf(b)
		switch {
		case err != nil:
			return err
		case o == "":
			return notFound("OwnershipControlsNotFoundError", "The bucket ownership controls were not found")
		}
		return writeXML(w, r, &ownershipControls{Xmlns: xmlns, Rules: []ownershipRule{{ObjectOwnership: o}}})
	case "PutBucketOwnershipControls":
		var o ownershipControls
		if serr := readXML(r, maxDocument, &o); serr != nil {
			return serr
		}
		if len(o.Rules) != 1 || !validOwnership(o.Rules[0].ObjectOwnership) {
			return s3err.MalformedXML()
		}
		return h.setConfig(w, req, configOwnership, o.Rules[0].ObjectOwnership, http.StatusOK)
	case "DeleteBucketOwnershipControls":
		return h.setConfig(w, req, configOwnership, nil, http.StatusNoContent)
	case "GetBucketEncryption":
		var c encryptionConfiguration
		set, _, err := readConfig(b, configEncryption, &c)
		if err != nil {
			return err
		}
		if !set {
			c = defaultEncryption()
		}
		c.Xmlns = xmlns
		return writeXML(w, r, &c)
	case "PutBucketEncryption":
		var c encryptionConfiguration
		if serr := readXML(r, maxDocument, &c); serr != nil {
			return serr
		}
		if len(c.Rules) != 1 || c.Rules[0].Default == nil {
			return s3err.MalformedXML()
		}
		switch c.Rules[0].Default.SSEAlgorithm {
		case "AES256", "aws:kms", "aws:kms:dsse":
		default:
			return s3err.MalformedXML()
		}
		return h.setConfig(w, req, configEncryption, &c, http.StatusOK)
	case "DeleteBucketEncryption":
		return h.resetConfig(w, req, configEncryption)
	}
	return nil
}

func validOwnership(s string) bool {
	return s == "BucketOwnerEnforced" || s == "BucketOwnerPreferred" || s == "ObjectWriter"
}

// validateCORS applies S3's rules: 1 to 100 rules, each with at least one
// origin and one method among GET, PUT, HEAD, POST and DELETE.
func validateCORS(c *corsConfiguration) *s3err.Error {
	if len(c.Rules) == 0 || len(c.Rules) > 100 {
		return s3err.MalformedXML()
	}
	for _, rule := range c.Rules {
		if len(rule.AllowedMethods) == 0 || len(rule.AllowedOrigins) == 0 {
			return s3err.MalformedXML()
		}
		for _, m := range rule.AllowedMethods {
			switch m {
			case "GET", "PUT", "HEAD", "POST", "DELETE":
			default:
				return s3err.New(http.StatusBadRequest, "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is "+m)
			}
		}
	}
	return nil
}

// aclGrant is one grant of an ACL.
type aclGrant struct {
	Grantee    aclGrantee `xml:"Grantee" json:"grantee"`
	Permission string     `xml:"Permission" json:"permission"`
}

type aclGrantee struct {
	XMLNSXsi    string `xml:"xmlns:xsi,attr,omitempty" json:"-"`
	Type        string `xml:"xsi:type,attr,omitempty" json:"type,omitempty"`
	ID          string `xml:"ID,omitempty" json:"id,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty" json:"displayName,omitempty"`
	URI         string `xml:"URI,omitempty" json:"uri,omitempty"`
	Email       string `xml:"EmailAddress,omitempty" json:"email,omitempty"`
}

// accessControlPolicy is the body of Get/PutBucketAcl and Get/PutObjectAcl.
type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Owner   struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName,omitempty"`
	} `xml:"Owner"`
	Grants []aclGrant `xml:"AccessControlList>Grant"`
}

// aclIn is how an AccessControlPolicy body is read: encoding/xml needs the
// namespaced xsi:type attribute spelt by its namespace URL.
type aclIn struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Grants  []struct {
		Grantee struct {
			Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
			ID    string `xml:"ID"`
			URI   string `xml:"URI"`
			Email string `xml:"EmailAddress"`
		} `xml:"Grantee"`
		Permission string `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

const (
	aclAllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	aclAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	aclLogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

func aclOwnerGrant(req *Request) aclGrant {
	return aclGrant{Grantee: aclGrantee{Type: "CanonicalUser", ID: req.OwnerID, DisplayName: req.OwnerName}, Permission: "FULL_CONTROL"}
}

func aclGroupGrant(uri, perm string) aclGrant {
	return aclGrant{Grantee: aclGrantee{Type: "Group", URI: uri}, Permission: perm}
}

// aclCanned expands a canned ACL; ok is false for an unknown name.
func aclCanned(req *Request, name string) (grants []aclGrant, ok bool) {
	owner := aclOwnerGrant(req)
	switch name {
	case "private", "bucket-owner-full-control", "bucket-owner-read":
		return []aclGrant{owner}, true
	case "public-read":
		return []aclGrant{owner, aclGroupGrant(aclAllUsers, "READ")}, true
	case "public-read-write":
		return []aclGrant{owner, aclGroupGrant(aclAllUsers, "READ"), aclGroupGrant(aclAllUsers, "WRITE")}, true
	case "authenticated-read":
		return []aclGrant{owner, aclGroupGrant(aclAuthenticatedUsers, "READ")}, true
	case "log-delivery-write":
		return []aclGrant{owner, aclGroupGrant(aclLogDelivery, "WRITE"), aclGroupGrant(aclLogDelivery, "READ_ACP")}, true
	}
	return nil, false
}

// aclOwnerOnly reports whether grants give nothing beyond the owner's
// FULL_CONTROL: the only ACL a bucket with BucketOwnerEnforced accepts.
func aclOwnerOnly(req *Request, grants []aclGrant) bool {
	for _, g := range grants {
		if g.Grantee.ID != req.OwnerID || g.Permission != "FULL_CONTROL" {
			return false
		}
	}
	return true
}

// serveACL answers Get/PutBucketAcl and Get/PutObjectAcl. Objects always
// have the owner's FULL_CONTROL only; a bucket keeps the ACL put unless it
// enforces bucket ownership.
func (h *Handler) serveACL(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if req.Key != "" {
		v, err := h.store.Object(req.Bucket, req.Key, "")
		if err != nil {
			return err
		}
		if v.DeleteMarker {
			return errNoSuchKey(req.Key)
		}
	}
	ownership, err := ownershipOf(b)
	var stored []aclGrant
	if err == nil {
		_, _, err = readConfig(b, configACL, &stored)
	}
	if err != nil {
		return err
	}
	switch req.Op {
	case "GetBucketAcl", "GetObjectAcl":
		out := accessControlPolicy{Xmlns: xmlns}
		out.Owner.ID, out.Owner.DisplayName = req.OwnerID, req.OwnerName
		out.Grants = []aclGrant{aclOwnerGrant(req)}
		if req.Op == "GetBucketAcl" && stored != nil && ownership != "BucketOwnerEnforced" {
			out.Grants = stored
		}
		for i := range out.Grants {
			out.Grants[i].Grantee.XMLNSXsi = "http://www.w3.org/2001/XMLSchema-instance"
		}
		return writeXML(w, r, &out)
	case "PutBucketAcl", "PutObjectAcl":
		grants, serr := aclRequested(req)
		if serr != nil {
			return serr
		}
		if ownership == "BucketOwnerEnforced" && !aclOwnerOnly(req, grants) {
			return s3err.New(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
		}
		if req.Op == "PutBucketAcl" {
			return h.setConfig(w, req, configACL, grants, http.StatusOK)
		}
		w.WriteHeader(http.StatusOK)
	}
	return nil
}

// aclRequested reads the ACL of a Put*Acl request: a canned x-amz-acl,
// x-amz-grant-* headers or an AccessControlPolicy body, exactly one of them.
func aclRequested(req *Request) ([]aclGrant, *s3err.Error) {
	r := req.HTTP
	if canned := r.Header.Get("X-Amz-Acl"); canned != "" {
		g, ok := aclCanned(req, canned)
		if !ok {
			return nil, errInvalidArgument("", "x-amz-acl").With("ArgumentValue", canned)
		}
		return g, nil
	}
	var grants []aclGrant
	for _, hp := range []struct{ header, perm string }{
		{"X-Amz-Grant-Full-Control", "FULL_CONTROL"}, {"X-Amz-Grant-Read", "READ"}, {"X-Amz-Grant-Write", "WRITE"},
		{"X-Amz-Grant-Read-Acp", "READ_ACP"}, {"X-Amz-Grant-Write-Acp", "WRITE_ACP"},
	} {
		v := r.Header.Get(hp.header)
		if v == "" {
			continue
		}
		for _, part := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !ok || val == "" {
				return nil, s3err.New(http.StatusBadRequest, "InvalidArgument", "Invalid argument")
			}
			g := aclGrant{Permission: hp.perm}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "id":
				g.Grantee = aclGrantee{Type: "CanonicalUser", ID: val}
				if val == req.OwnerID {
					g.Grantee.DisplayName = req.OwnerName
				}
			case "uri":
				g.Grantee = aclGrantee{Type: "Group", URI: val}
			case "emailaddress":
				g.Grantee = aclGrantee{Type: "AmazonCustomerByEmail", Email: val}
			default:
				return nil, s3err.New(http.StatusBadRequest, "InvalidArgument", "Invalid argument")
			}
			grants = append(grants, g)
		}
	}
	if grants != nil {
		return grants, nil
	}
	if r.ContentLength == 0 {
		return nil, s3err.New(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-acl")
	}
	malformed := s3err.New(http.StatusBadRequest, "MalformedACLError",
		"The XML you provided was not well-formed or did not validate against our published schema")
	var in aclIn
	if readXML(r, maxDocument, &in) != nil {
		return nil, malformed
	}
	for _, g := range in.Grants {
		out := aclGrant{Permission: g.Permission, Grantee: aclGrantee{Type: g.Grantee.Type, ID: g.Grantee.ID, URI: g.Grantee.URI, Email: g.Grantee.Email}}
		switch g.Permission {
		case "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP":
		default:
			return nil, malformed
		}
		if out.Grantee.ID == req.OwnerID {
			out.Grantee.DisplayName = req.OwnerName
		}
		grants = append(grants, out)
	}
	return grants, nil
}
