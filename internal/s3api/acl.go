package s3api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
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
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Owner   owner      `xml:"Owner"`
	Grants  []aclGrant `xml:"AccessControlList>Grant"`
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

func aclFullControl(id, name string) aclGrant {
	return aclGrant{Grantee: aclGrantee{Type: "CanonicalUser", ID: id, DisplayName: name}, Permission: "FULL_CONTROL"}
}

func aclGroupGrant(uri, perm string) aclGrant {
	return aclGrant{Grantee: aclGrantee{Type: "Group", URI: uri}, Permission: perm}
}

// aclCanned expands a canned ACL for a resource owned by ownerID in a
// bucket owned by bucketOwnerID; ok is false for an unknown name. On a
// bucket (the two IDs equal) bucket-owner-read and
// bucket-owner-full-control are the owner's FULL_CONTROL alone, as S3
// ignores them there.
func aclCanned(name, ownerID, bucketOwnerID, displayName string) (grants []aclGrant, ok bool) {
	owner := aclFullControl(ownerID, displayName)
	switch name {
	case "private", "aws-exec-read":
		return []aclGrant{owner}, true
	case "bucket-owner-read", "bucket-owner-full-control":
		if bucketOwnerID == ownerID {
			return []aclGrant{owner}, true
		}
		g := aclFullControl(bucketOwnerID, displayName)
		if name == "bucket-owner-read" {
			g.Permission = "READ"
		}
		return []aclGrant{owner, g}, true
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

// aclOwnerOnly reports whether grants give nothing beyond ownerID's
// FULL_CONTROL: the only ACL a bucket with BucketOwnerEnforced accepts.
func aclOwnerOnly(grants []aclGrant, ownerID string) bool {
	for _, g := range grants {
		if g.Grantee.ID != ownerID || g.Permission != "FULL_CONTROL" {
			return false
		}
	}
	return true
}

// aclPublic reports whether grants give anything to AllUsers or
// AuthenticatedUsers: what S3's block public access calls a public ACL.
func aclPublic(grants []aclGrant) bool {
	for _, g := range grants {
		if g.Grantee.URI == aclAllUsers || g.Grantee.URI == aclAuthenticatedUsers {
			return true
		}
	}
	return false
}

// aclGrantHeaders are the x-amz-grant-* headers and their permissions.
var aclGrantHeaders = []struct{ header, perm string }{
	{"X-Amz-Grant-Full-Control", "FULL_CONTROL"}, {"X-Amz-Grant-Read", "READ"}, {"X-Amz-Grant-Write", "WRITE"},
	{"X-Amz-Grant-Read-Acp", "READ_ACP"}, {"X-Amz-Grant-Write-Acp", "WRITE_ACP"},
}

// aclFromHeaders reads the ACL a request sets by header: a canned x-amz-acl
// or x-amz-grant-* headers (not both). given is false when it sets none.
func aclFromHeaders(req *Request, ownerID, bucketOwnerID string) (grants []aclGrant, given bool, serr *s3err.Error) {
	r := req.HTTP
	canned := reqHeader(r.Header, "X-Amz-Acl")
	for _, hp := range aclGrantHeaders {
		v := reqHeader(r.Header, hp.header)
		if v == "" {
			continue
		}
		if canned != "" {
			return nil, false, s3err.New(http.StatusBadRequest, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")
		}
		for _, part := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !ok || val == "" {
				return nil, false, errInvalidArgument("Invalid argument", hp.header).With("ArgumentValue", v)
			}
			g := aclGrant{Permission: hp.perm}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "id":
				g.Grantee = aclGrantee{Type: "CanonicalUser", ID: val}
			case "uri":
				g.Grantee = aclGrantee{Type: "Group", URI: val}
			case "emailaddress":
				g.Grantee = aclGrantee{Type: "AmazonCustomerByEmail", Email: val}
			default:
				return nil, false, errInvalidArgument("Invalid argument", hp.header).With("ArgumentValue", v)
			}
			grants = append(grants, g)
		}
	}
	if grants != nil {
		grants, serr = checkGrants(req, grants)
		return grants, serr == nil, serr
	}
	if canned == "" {
		return nil, false, nil
	}
	g, ok := aclCanned(canned, ownerID, bucketOwnerID, req.OwnerName)
	if !ok {
		return nil, false, errInvalidArgument("", "x-amz-acl").With("ArgumentValue", canned)
	}
	return g, true, nil
}

// aclRequested reads the ACL of a Put*Acl request: a canned x-amz-acl,
// x-amz-grant-* headers or an AccessControlPolicy body, exactly one of
// them. ownerID owns the resource, bucketOwnerID its bucket.
func aclRequested(req *Request, ownerID, bucketOwnerID string) ([]aclGrant, *s3err.Error) {
	if grants, given, serr := aclFromHeaders(req, ownerID, bucketOwnerID); serr != nil || given {
		return grants, serr
	}
	r := req.HTTP
	if r.ContentLength == 0 {
		return nil, s3err.New(http.StatusBadRequest, "MissingSecurityHeader", "Your request was missing a required header").
			With("MissingHeaderName", "x-amz-acl")
	}
	malformed := s3err.New(http.StatusBadRequest, "MalformedACLError",
		"The XML you provided was not well-formed or did not validate against our published schema")
	var in aclIn
	if readXML(r, maxDocument, &in) != nil {
		return nil, malformed
	}
	grants := make([]aclGrant, 0, len(in.Grants))
	for _, g := range in.Grants {
		switch g.Permission {
		case "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP":
		default:
			return nil, malformed
		}
		grants = append(grants, aclGrant{Permission: g.Permission,
			Grantee: aclGrantee{Type: g.Grantee.Type, ID: g.Grantee.ID, URI: g.Grantee.URI, Email: g.Grantee.Email}})
	}
	return checkGrants(req, grants)
}

// checkGrants validates grantees as S3 does (a canonical ID is 64 hex
// digits; a group is one of S3's; s3vpce resolves no e-mail address) and
// fills their type and display name.
func checkGrants(req *Request, grants []aclGrant) ([]aclGrant, *s3err.Error) {
	for i := range grants {
		g := &grants[i].Grantee
		switch {
		case g.Email != "":
			return nil, s3err.New(http.StatusBadRequest, "UnresolvableGrantByEmailAddress",
				"The e-mail address you provided does not match any account on record.").With("EmailAddress", g.Email)
		case g.URI != "":
			if g.URI != aclAllUsers && g.URI != aclAuthenticatedUsers && g.URI != aclLogDelivery {
				return nil, errInvalidArgument("Invalid group uri", "uri").With("ArgumentValue", g.URI)
			}
			*g = aclGrantee{Type: "Group", URI: g.URI}
		default:
			if !isCanonicalID(g.ID) {
				return nil, errInvalidArgument("Invalid id", "CanonicalUser/ID").With("ArgumentValue", g.ID)
			}
			*g = aclGrantee{Type: "CanonicalUser", ID: g.ID, DisplayName: req.OwnerName}
		}
	}
	return grants, nil
}

func isCanonicalID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// decodeACL reads a stored ACL; nil (none stored) is def.
func decodeACL(raw []byte, def []aclGrant) ([]aclGrant, error) {
	if len(raw) == 0 {
		return def, nil
	}
	var g []aclGrant
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("s3api: stored ACL: %w", err)
	}
	return g, nil
}

// bucketACL is bucket b's ACL as S3 reports and applies it: the owner's
// FULL_CONTROL alone when none was set or the bucket enforces bucket
// ownership.
func (h *Handler) bucketACL(b *store.Bucket, displayName string) (ownerID string, grants []aclGrant, ownership string, err error) {
	ownerID = CanonicalUserID(h.BucketOwner(b))
	def := []aclGrant{aclFullControl(ownerID, displayName)}
	if ownership, err = ownershipOf(b); err != nil || ownership == "BucketOwnerEnforced" {
		return ownerID, def, ownership, err
	}
	grants, err = decodeACL(b.Config[configACL], def)
	return ownerID, grants, ownership, err
}

// objectACL is version v's ACL (in bucket b) as S3 reports and applies it.
func (h *Handler) objectACL(b *store.Bucket, v *store.Version, displayName string) (ownerID string, grants []aclGrant, err error) {
	ownerID = h.objectOwnerID(b, &v.ObjectMeta)
	def := []aclGrant{aclFullControl(ownerID, displayName)}
	if o, err := ownershipOf(b); err != nil || o == "BucketOwnerEnforced" {
		return ownerID, def, err
	}
	grants, err = decodeACL(v.ACL, def)
	return ownerID, grants, err
}

// serveACL answers Get/PutBucketAcl and Get/PutObjectAcl. With
// BucketOwnerEnforced, ACLs read as the bucket owner's FULL_CONTROL and
// only that ACL may be put (else AccessControlListNotSupported); a public
// ACL is refused (AccessDenied) when the bucket blocks public ACLs.
func (h *Handler) serveACL(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	bucketOwnerID, bucketGrants, ownership, err := h.bucketACL(b, req.OwnerName)
	if err != nil {
		return err
	}
	var v *store.Version
	if req.Key != "" {
		var serr *s3err.Error
		if v, _, serr = h.lookupVersion(req); serr != nil {
			return serr
		}
	}
	switch req.Op {
	case "GetBucketAcl", "GetObjectAcl":
		out := accessControlPolicy{Xmlns: xmlns, Owner: owner{ID: bucketOwnerID, DisplayName: req.OwnerName}, Grants: bucketGrants}
		if v != nil {
			if out.Owner.ID, out.Grants, err = h.objectACL(b, v, req.OwnerName); err != nil {
				return err
			}
			if req.Query.Has("versionId") {
				w.Header().Set("x-amz-version-id", v.VersionID)
			}
		}
		for i := range out.Grants {
			out.Grants[i].Grantee.XMLNSXsi = "http://www.w3.org/2001/XMLSchema-instance"
		}
		return writeXML(w, r, &out)
	}
	ownerID := bucketOwnerID
	if v != nil {
		ownerID = h.objectOwnerID(b, &v.ObjectMeta)
	}
	grants, serr := aclRequested(req, ownerID, bucketOwnerID)
	if serr != nil {
		return serr
	}
	if ownership == "BucketOwnerEnforced" {
		canned := reqHeader(r.Header, "X-Amz-Acl")
		if !(v != nil && canned == "bucket-owner-full-control") && (canned != "" || !aclOwnerOnly(grants, bucketOwnerID)) {
			return errACLNotSupported()
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if aclPublic(grants) {
		if pab, err := publicAccessBlockOf(b); err != nil {
			return err
		} else if pab.BlockPublicAcls {
			return errAccessDenied()
		}
	}
	if v == nil {
		return h.setConfig(w, req, configACL, grants, http.StatusOK)
	}
	raw, err := json.Marshal(grants)
	if err != nil {
		return err
	}
	if _, err := h.store.UpdateObject(req.Bucket, req.Key, v.VersionID, func(v *store.Version) error {
		v.ACL = raw
		return nil
	}); err != nil {
		return err
	}
	if req.Query.Has("versionId") {
		w.Header().Set("x-amz-version-id", v.VersionID)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// ACLsApply reports whether bucket b's ACLs take part in authorization:
// not with BucketOwnerEnforced.
func (h *Handler) ACLsApply(b *store.Bucket) bool {
	o, err := ownershipOf(b)
	return err == nil && o != "BucketOwnerEnforced"
}

// ACL permissions, as ACLGrant takes them.
const (
	PermRead     = "READ"
	PermWrite    = "WRITE"
	PermReadACP  = "READ_ACP"
	PermWriteACP = "WRITE_ACP"
)

// ACLGrant reports which grant of an ACL gives perm to a caller of
// account ("" for an anonymous caller): the ACL of bucket b when v is nil,
// else that of its version v. It describes the grant ("READ to
// AllUsers"), or returns "" when none gives perm: ACLs grant nothing in a
// bucket with BucketOwnerEnforced, and AllUsers and AuthenticatedUsers
// grants nothing when the bucket's public access block ignores public
// ACLs. FULL_CONTROL gives every permission.
func (h *Handler) ACLGrant(b *store.Bucket, v *store.Version, account, perm string) (string, error) {
	if o, err := ownershipOf(b); err != nil || o == "BucketOwnerEnforced" {
		return "", err
	}
	var grants []aclGrant
	var err error
	if v == nil {
		_, grants, _, err = h.bucketACL(b, "")
	} else {
		_, grants, err = h.objectACL(b, v, "")
	}
	if err != nil {
		return "", err
	}
	pab, err := publicAccessBlockOf(b)
	if err != nil {
		return "", err
	}
	id := ""
	if account != "" {
		id = CanonicalUserID(account)
	}
	for _, g := range grants {
		if g.Permission != perm && g.Permission != "FULL_CONTROL" {
			continue
		}
		var to string
		switch {
		case g.Grantee.URI == aclAllUsers && !pab.IgnorePublicAcls:
			to = "AllUsers"
		case g.Grantee.URI == aclAuthenticatedUsers && account != "" && !pab.IgnorePublicAcls:
			to = "AuthenticatedUsers"
		case g.Grantee.ID != "" && g.Grantee.ID == id:
			to = "canonical user " + id
		default:
			continue
		}
		return g.Permission + " to " + to, nil
	}
	return "", nil
}
