package s3api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"

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
// string). An absent name means what a new S3 bucket has: no CORS, no
// public access block (CreateBucket stores S3's, all on), BucketOwnerEnforced, SSE-S3 encryption, the
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
	const enforced = "BucketOwnerEnforced"
	if _, ok := b.Config[configOwnership]; !ok {
		return enforced, nil // the usual case, without an allocation
	}
	o := enforced
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
		if serr := readCheckedXML(req, maxDocument, &c); serr != nil { // checksums.go
			return serr
		}
		if serr := validateCORS(&c); serr != nil {
			return serr
		}
		return h.setConfig(w, req, configCORS, &c, http.StatusOK)
	case "DeleteBucketCors":
		return h.resetConfig(w, req, configCORS)
	case "GetPublicAccessBlock":
		var p publicAccessBlock
		set, _, err := readConfig(b, configPublicAccessBlock, &p)
		switch {
		case err != nil:
			return err
		case !set: // none (see publicAccessBlockOf)
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
		if serr := h.checkOwnershipChange(b, o.Rules[0].ObjectOwnership); serr != nil {
			return serr
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
		if serr := validateEncryptionConfig(&c); serr != nil {
			return serr
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

// versioningConfiguration is the body of Get/PutBucketVersioning. S3 sends
// an empty element for a bucket that was never versioned.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MFADelete string   `xml:"MfaDelete,omitempty"`
}

func (h *Handler) serveVersioning(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if req.Op == "GetBucketVersioning" {
		return writeXML(w, req.HTTP, &versioningConfiguration{Xmlns: xmlns, Status: string(b.Versioning)})
	}
	var in versioningConfiguration
	if serr := readXML(req.HTTP, maxDocument, &in); serr != nil {
		return serr
	}
	status := store.Versioning(in.Status)
	if (status != store.Enabled && status != store.Suspended) || (in.MFADelete != "" && in.MFADelete != "Enabled" && in.MFADelete != "Disabled") {
		return s3err.MalformedXML()
	}
	if in.MFADelete == "Enabled" {
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "DevPay and Mfa are mutually exclusive authorization methods.")
	}
	if serr := lockRefusesVersioning(b, status); serr != nil {
		return serr
	}
	return h.updateBucket(w, req, http.StatusOK, func(b *store.Bucket) { b.Versioning = status })
}
