package s3api

import (
	"encoding/xml"
	"net/http"

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

func (h *Handler) serveVersioning(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	b := h.bucketOf(w, req)
	if b == nil {
		return
	}
	switch req.Op {
	case "GetBucketVersioning":
		WriteXML(w, r, &versioningConfiguration{Xmlns: s3Namespace, Status: string(b.Versioning)})
	case "PutBucketVersioning":
		var in versioningConfiguration
		if !readConfigXML(w, r, &in) {
			return
		}
		status := store.Versioning(in.Status)
		if (status != store.Enabled && status != store.Suspended) || (in.MFADelete != "" && in.MFADelete != "Enabled" && in.MFADelete != "Disabled") {
			WriteError(w, r, errMalformedXML())
			return
		}
		if in.MFADelete == "Enabled" {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "DevPay and Mfa are mutually exclusive authorization methods."})
			return
		}
		if _, err := h.store.UpdateBucket(req.Bucket, func(b *store.Bucket) error {
			b.Versioning = status
			return nil
		}); err != nil {
			WriteError(w, r, bucketError(req.Bucket, err))
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}
