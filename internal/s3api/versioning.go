package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Versioning: Get/PutBucketVersioning, deletes of one version, DeleteObjects
// and reads of delete markers. The store keeps versions as S3 does
// (deleting the current version makes the previous one current; the
// "null" version is addressable by that ID), so these map requests to
// store calls and store errors to S3's.

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
	return h.updateBucket(w, req, http.StatusOK, func(b *store.Bucket) { b.Versioning = status })
}
