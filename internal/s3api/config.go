package s3api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"

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

// writeConfig stores v (nil: deleted, see jsonNull) as bucket's
// configuration name.
func (h *Handler) writeConfig(bucket, name string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("s3api: configuration %s: %w", name, err)
	}
	_, err = h.store.UpdateBucket(bucket, func(b *store.Bucket) error {
		if b.Config == nil {
			b.Config = map[string][]byte{}
		}
		b.Config[name] = raw
		return nil
	})
	return err
}

// resetConfig removes bucket's configuration name: the default applies.
func (h *Handler) resetConfig(bucket, name string) error {
	_, err := h.store.UpdateBucket(bucket, func(b *store.Bucket) error {
		delete(b.Config, name)
		return nil
	})
	return err
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

func (h *Handler) serveBucketConfig(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	b := h.bucketOf(w, req)
	if b == nil {
		return
	}
	notFound := func(code, msg string) {
		WriteError(w, r, &Error{Status: http.StatusNotFound, Code: code, Message: msg,
			Extra: []ExtraElement{elem("BucketName", req.Bucket)}})
	}
	// done answers a configuration change.
	done := func(err error, status int) {
		if err != nil {
			WriteError(w, r, bucketError(req.Bucket, err))
			return
		}
		w.WriteHeader(status)
	}
	switch req.Op {
	case "GetBucketCors":
		var c corsConfiguration
		set, _, err := readConfig(b, configCORS, &c)
		switch {
		case err != nil:
			WriteError(w, r, errInternal())
		case !set:
			notFound("NoSuchCORSConfiguration", "The CORS configuration does not exist")
		default:
			c.Xmlns = s3Namespace
			WriteXML(w, r, &c)
		}
	case "PutBucketCors":
		var c corsConfiguration
		if !readConfigXML(w, r, &c) {
			return
		}
		if e := validateCORS(&c); e != nil {
			WriteError(w, r, e)
			return
		}
		done(h.writeConfig(req.Bucket, configCORS, &c), http.StatusOK)
	case "DeleteBucketCors":
		done(h.resetConfig(req.Bucket, configCORS), http.StatusNoContent)
	case "GetPublicAccessBlock":
		p := publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		_, removed, err := readConfig(b, configPublicAccessBlock, &p)
		switch {
		case err != nil:
			WriteError(w, r, errInternal())
		case removed:
			notFound("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		default:
			p.Xmlns = s3Namespace
			WriteXML(w, r, &p)
		}
	case "PutPublicAccessBlock":
		var p publicAccessBlock
		if !readConfigXML(w, r, &p) {
			return
		}
		done(h.writeConfig(req.Bucket, configPublicAccessBlock, &p), http.StatusOK)
	case "DeletePublicAccessBlock":
		done(h.writeConfig(req.Bucket, configPublicAccessBlock, nil), http.StatusNoContent)
	case "GetBucketOwnershipControls":
		o, err := ownershipOf(b)
		switch {
		case err != nil:
			WriteError(w, r, errInternal())
		case o == "":
			notFound("OwnershipControlsNotFoundError", "The bucket ownership controls were not found")
		default:
			out := ownershipControls{Xmlns: s3Namespace, Rules: []ownershipRule{{ObjectOwnership: o}}}
			WriteXML(w, r, &out)
		}
	case "PutBucketOwnershipControls":
		var o ownershipControls
		if !readConfigXML(w, r, &o) {
			return
		}
		if len(o.Rules) != 1 || !validOwnership(o.Rules[0].ObjectOwnership) {
			WriteError(w, r, errMalformedXML())
			return
		}
		done(h.writeConfig(req.Bucket, configOwnership, o.Rules[0].ObjectOwnership), http.StatusOK)
	case "DeleteBucketOwnershipControls":
		done(h.writeConfig(req.Bucket, configOwnership, nil), http.StatusNoContent)
	case "GetBucketEncryption":
		var c encryptionConfiguration
		set, _, err := readConfig(b, configEncryption, &c)
		if err != nil {
			WriteError(w, r, errInternal())
			return
		}
		if !set {
			c = defaultEncryption()
		}
		c.Xmlns = s3Namespace
		WriteXML(w, r, &c)
	case "PutBucketEncryption":
		var c encryptionConfiguration
		if !readConfigXML(w, r, &c) {
			return
		}
		if len(c.Rules) != 1 || c.Rules[0].Default == nil {
			WriteError(w, r, errMalformedXML())
			return
		}
		switch c.Rules[0].Default.SSEAlgorithm {
		case "AES256", "aws:kms", "aws:kms:dsse":
		default:
			WriteError(w, r, errMalformedXML())
			return
		}
		done(h.writeConfig(req.Bucket, configEncryption, &c), http.StatusOK)
	case "DeleteBucketEncryption":
		done(h.resetConfig(req.Bucket, configEncryption), http.StatusNoContent)
	}
}

func validOwnership(s string) bool {
	return s == "BucketOwnerEnforced" || s == "BucketOwnerPreferred" || s == "ObjectWriter"
}

// validateCORS applies S3's rules: 1 to 100 rules, each with at least one
// origin and one method among GET, PUT, HEAD, POST and DELETE.
func validateCORS(c *corsConfiguration) *Error {
	if len(c.Rules) == 0 || len(c.Rules) > 100 {
		return &Error{Status: http.StatusBadRequest, Code: "MalformedXML",
			Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	for _, rule := range c.Rules {
		if len(rule.AllowedMethods) == 0 || len(rule.AllowedOrigins) == 0 {
			return &Error{Status: http.StatusBadRequest, Code: "MalformedXML",
				Message: "The XML you provided was not well-formed or did not validate against our published schema"}
		}
		for _, m := range rule.AllowedMethods {
			switch m {
			case "GET", "PUT", "HEAD", "POST", "DELETE":
			default:
				return &Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
					Message: "Found unsupported HTTP method in CORS config. Unsupported method is " + m}
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

func (h *Handler) serveACL(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	b := h.bucketOf(w, req)
	if b == nil {
		return
	}
	if req.Key != "" {
		v, err := h.store.Object(req.Bucket, req.Key, "")
		switch {
		case errors.Is(err, store.ErrNoSuchKey), err == nil && v.DeleteMarker:
			WriteError(w, r, errNoSuchKey(req.Key))
			return
		case err != nil:
			WriteError(w, r, bucketError(req.Bucket, err))
			return
		}
	}
	ownership, err := ownershipOf(b)
	var stored []aclGrant
	if err == nil {
		_, _, err = readConfig(b, configACL, &stored)
	}
	if err != nil {
		WriteError(w, r, errInternal())
		return
	}
	switch req.Op {
	case "GetBucketAcl", "GetObjectAcl":
		out := accessControlPolicy{Xmlns: s3Namespace}
		out.Owner.ID, out.Owner.DisplayName = req.OwnerID, req.OwnerName
		out.Grants = []aclGrant{aclOwnerGrant(req)}
		if req.Op == "GetBucketAcl" && stored != nil && ownership != "BucketOwnerEnforced" {
			out.Grants = stored
		}
		for i := range out.Grants {
			out.Grants[i].Grantee.XMLNSXsi = "http://www.w3.org/2001/XMLSchema-instance"
		}
		WriteXML(w, r, &out)
	case "PutBucketAcl", "PutObjectAcl":
		grants, e := aclRequested(req)
		if e != nil {
			WriteError(w, r, e)
			return
		}
		if ownership == "BucketOwnerEnforced" && !aclOwnerOnly(req, grants) {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "AccessControlListNotSupported", Message: "The bucket does not allow ACLs"})
			return
		}
		if req.Op == "PutBucketAcl" {
			if err := h.writeConfig(req.Bucket, configACL, grants); err != nil {
				WriteError(w, r, bucketError(req.Bucket, err))
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}
}

// aclRequested reads the ACL of a Put*Acl request: a canned x-amz-acl,
// x-amz-grant-* headers or an AccessControlPolicy body, exactly one of them.
func aclRequested(req *Request) ([]aclGrant, *Error) {
	r := req.HTTP
	invalid := func(msg string) *Error {
		return &Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: msg}
	}
	if canned := r.Header.Get("X-Amz-Acl"); canned != "" {
		g, ok := aclCanned(req, canned)
		if !ok {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "",
				Extra: []ExtraElement{{XMLName: xml.Name{Local: "ArgumentName"}, Value: "x-amz-acl"}, {XMLName: xml.Name{Local: "ArgumentValue"}, Value: canned}}}
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
				return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid argument"}
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
				return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid argument"}
			}
			grants = append(grants, g)
		}
	}
	if grants != nil {
		return grants, nil
	}
	if r.ContentLength == 0 {
		return nil, invalid("Missing required header for this request: x-amz-acl")
	}
	var in aclIn
	body, err := readConfigBody(r)
	if err != nil || xml.Unmarshal(body, &in) != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "MalformedACLError",
			Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	for _, g := range in.Grants {
		out := aclGrant{Permission: g.Permission, Grantee: aclGrantee{Type: g.Grantee.Type, ID: g.Grantee.ID, URI: g.Grantee.URI, Email: g.Grantee.Email}}
		switch g.Permission {
		case "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP":
		default:
			return nil, &Error{Status: http.StatusBadRequest, Code: "MalformedACLError",
				Message: "The XML you provided was not well-formed or did not validate against our published schema"}
		}
		if out.Grantee.ID == req.OwnerID {
			out.Grantee.DisplayName = req.OwnerName
		}
		grants = append(grants, out)
	}
	return grants, nil
}
