package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

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

// The groups an ACL grants to.
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
