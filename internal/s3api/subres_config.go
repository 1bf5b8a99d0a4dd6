package s3api

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// corsConfiguration is the body of PutBucketCors and GetBucketCors.
type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// publicAccessBlock is the body of Put/GetPublicAccessBlock.
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// ownershipControls is the body of Put/GetBucketOwnershipControls.
type ownershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

// encryptionConfiguration is the body of Put/GetBucketEncryption.
type encryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string           `xml:"xmlns,attr,omitempty"`
	Rules   []encryptionRule `xml:"Rule"`
}

type encryptionRule struct {
	Default *struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled bool `xml:"BucketKeyEnabled"`
}

// subresDefaultEncryption is what S3 reports for a bucket without its own
// configuration: every bucket has SSE-S3 (AES256) since January 2023.
func subresDefaultEncryption() *encryptionConfiguration {
	c := &encryptionConfiguration{Rules: []encryptionRule{{}}}
	c.Rules[0].Default = &struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
	}{SSEAlgorithm: "AES256"}
	return c
}

func (h *Handler) serveBucketConfig(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if !h.bucketExists(w, req) {
		return
	}
	notFound := func(code, msg string) {
		WriteError(w, r, &Error{Status: http.StatusNotFound, Code: code, Message: msg,
			Extra: []ExtraElement{{XMLName: xml.Name{Local: "BucketName"}, Value: req.Bucket}}})
	}
	switch req.Op {
	case "GetBucketCors":
		var c *corsConfiguration
		h.config.with(req.Bucket, func(b *bucketConfig) { c = b.cors })
		if c == nil {
			notFound("NoSuchCORSConfiguration", "The CORS configuration does not exist")
			return
		}
		WriteXML(w, r, c)
	case "PutBucketCors":
		var c corsConfiguration
		if !subresReadXML(w, r, &c) {
			return
		}
		if e := subresValidateCORS(&c); e != nil {
			WriteError(w, r, e)
			return
		}
		c.Xmlns = subresXMLNS
		h.config.with(req.Bucket, func(b *bucketConfig) { b.cors = &c })
		w.WriteHeader(http.StatusOK)
	case "DeleteBucketCors":
		h.config.with(req.Bucket, func(b *bucketConfig) { b.cors = nil })
		w.WriteHeader(http.StatusNoContent)
	case "GetPublicAccessBlock":
		var p *publicAccessBlock
		h.config.with(req.Bucket, func(b *bucketConfig) { p = b.pab })
		if p == nil {
			notFound("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
			return
		}
		out := *p
		out.Xmlns = subresXMLNS
		WriteXML(w, r, &out)
	case "PutPublicAccessBlock":
		var p publicAccessBlock
		if !subresReadXML(w, r, &p) {
			return
		}
		h.config.with(req.Bucket, func(b *bucketConfig) { b.pab = &p })
		w.WriteHeader(http.StatusOK)
	case "DeletePublicAccessBlock":
		h.config.with(req.Bucket, func(b *bucketConfig) { b.pab = nil })
		w.WriteHeader(http.StatusNoContent)
	case "GetBucketOwnershipControls":
		var o string
		h.config.with(req.Bucket, func(b *bucketConfig) { o = b.ownership })
		if o == "" {
			notFound("OwnershipControlsNotFoundError", "The bucket ownership controls were not found")
			return
		}
		out := ownershipControls{Xmlns: subresXMLNS}
		out.Rules = append(out.Rules, struct {
			ObjectOwnership string `xml:"ObjectOwnership"`
		}{o})
		WriteXML(w, r, &out)
	case "PutBucketOwnershipControls":
		var o ownershipControls
		if !subresReadXML(w, r, &o) {
			return
		}
		if len(o.Rules) != 1 || !subresValidOwnership(o.Rules[0].ObjectOwnership) {
			subresMalformedXML(w, r)
			return
		}
		h.config.with(req.Bucket, func(b *bucketConfig) { b.ownership = o.Rules[0].ObjectOwnership })
		w.WriteHeader(http.StatusOK)
	case "DeleteBucketOwnershipControls":
		h.config.with(req.Bucket, func(b *bucketConfig) { b.ownership = "" })
		w.WriteHeader(http.StatusNoContent)
	case "GetBucketEncryption":
		var c *encryptionConfiguration
		h.config.with(req.Bucket, func(b *bucketConfig) { c = b.encryption })
		if c == nil {
			c = subresDefaultEncryption()
		}
		out := *c
		out.Xmlns = subresXMLNS
		WriteXML(w, r, &out)
	case "PutBucketEncryption":
		var c encryptionConfiguration
		if !subresReadXML(w, r, &c) {
			return
		}
		if len(c.Rules) != 1 || c.Rules[0].Default == nil {
			subresMalformedXML(w, r)
			return
		}
		switch c.Rules[0].Default.SSEAlgorithm {
		case "AES256", "aws:kms", "aws:kms:dsse":
		default:
			subresMalformedXML(w, r)
			return
		}
		h.config.with(req.Bucket, func(b *bucketConfig) { b.encryption = &c })
		w.WriteHeader(http.StatusOK)
	case "DeleteBucketEncryption":
		h.config.with(req.Bucket, func(b *bucketConfig) { b.encryption = nil })
		w.WriteHeader(http.StatusNoContent)
	}
}

func subresValidOwnership(s string) bool {
	return s == "BucketOwnerEnforced" || s == "BucketOwnerPreferred" || s == "ObjectWriter"
}

// subresValidateCORS applies S3's rules: 1 to 100 rules, each with at least one
// origin and one method among GET, PUT, HEAD, POST and DELETE.
func subresValidateCORS(c *corsConfiguration) *Error {
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

// aclGrant is one ACL aclGrant.
type aclGrant struct {
	Grantee    aclGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type aclGrantee struct {
	XMLNSXsi    string `xml:"xmlns:xsi,attr,omitempty"`
	Type        string `xml:"xsi:type,attr,omitempty"`
	ID          string `xml:"ID,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty"`
	URI         string `xml:"URI,omitempty"`
	Email       string `xml:"EmailAddress,omitempty"`
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
	if !h.bucketExists(w, req) {
		return
	}
	if req.Key != "" {
		if _, err := h.backend.HeadObject(req.Bucket, req.Key); err != nil {
			if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
				WriteError(w, r, &Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
					Extra: []ExtraElement{{XMLName: xml.Name{Local: "Key"}, Value: req.Key}}})
				return
			}
			subresInternal(w, r)
			return
		}
	}
	var ownership string
	var stored []aclGrant
	h.config.with(req.Bucket, func(b *bucketConfig) { ownership, stored = b.ownership, b.acl })
	switch req.Op {
	case "GetBucketAcl", "GetObjectAcl":
		out := accessControlPolicy{Xmlns: subresXMLNS}
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
			h.config.with(req.Bucket, func(b *bucketConfig) { b.acl = grants })
		}
		w.WriteHeader(http.StatusOK)
	}
}

// aclRequested reads the ACL of a Put*Acl request: a canned x-amz-acl,
// x-amz-aclGrant-* headers or an AccessControlPolicy body, exactly one of them.
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
	body, err := subresReadBody(r)
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

// subresReadBody reads a sub-resource request body of at most maxConfigBody bytes.
func subresReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBody+1))
	if err == nil && len(body) > maxConfigBody {
		err = subresErrTooLarge
	}
	return body, err
}
