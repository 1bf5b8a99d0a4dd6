package s3api

import (
	"encoding/xml"
	"errors"
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

// removeVersion permanently deletes version vid ("null" included) of key.
// A version that does not exist is not an error (S3 answers 204): the
// result then names vid.
func (h *Handler) removeVersion(bucket, key, vid string) (store.DeleteResult, error) {
	res, err := h.store.DeleteObject(bucket, key, vid, nil)
	if errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrNoSuchKey) {
		return store.DeleteResult{VersionID: vid}, nil
	}
	if err == nil && res.VersionID == "" {
		res.VersionID = vid
	}
	return res, err
}

// deleteVersion answers DeleteObject with a versionId.
func (h *Handler) deleteVersion(w http.ResponseWriter, req *Request) {
	res, err := h.removeVersion(req.Bucket, req.Key, req.Query.Get("versionId"))
	if err != nil {
		WriteError(w, req.HTTP, bucketError(req.Bucket, err))
		return
	}
	if res.DeleteMarker {
		w.Header().Set("x-amz-delete-marker", "true")
	}
	w.Header().Set("x-amz-version-id", res.VersionID)
	w.WriteHeader(http.StatusNoContent)
}

// deleteObjects answers DeleteObjects (the keys the gate allowed) with S3's
// versioning rules: a version ID deletes that version ("null" the null
// version), a key without one is deleted as DeleteObject does (a delete
// marker in a versioning-enabled bucket).
func (h *Handler) deleteObjects(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if h.bucketOf(w, req) == nil {
		return
	}
	var in DeleteRequest
	if !readConfigXML(w, r, &in) {
		return
	}
	if len(in.Objects) == 0 || len(in.Objects) > 1000 {
		WriteError(w, r, errMalformedXML())
		return
	}
	out := DeleteResult{Xmlns: s3Namespace}
	for _, o := range in.Objects {
		var res store.DeleteResult
		var err error
		if o.VersionID != "" {
			res, err = h.removeVersion(req.Bucket, o.Key, o.VersionID)
		} else {
			res, err = h.store.DeleteObject(req.Bucket, o.Key, "", nil)
		}
		if err != nil {
			e := bucketError(req.Bucket, err)
			out.Errors = append(out.Errors, DeleteError{Key: o.Key, VersionID: o.VersionID, Code: e.Code, Message: e.Message})
			continue
		}
		if in.Quiet {
			continue
		}
		d := Deleted{Key: o.Key, VersionID: o.VersionID}
		if res.DeleteMarker {
			d.DeleteMarker, d.DeleteMarkerVersionID = true, res.VersionID
		}
		out.Deleted = append(out.Deleted, d)
	}
	WriteXML(w, r, &out)
}

// serveDeleteMarker answers GetObject and HeadObject when they address a
// delete marker: a versionId naming a marker is 405 MethodNotAllowed, a
// current marker 404 NoSuchKey, both with x-amz-delete-marker. It returns
// false for every other request.
func (h *Handler) serveDeleteMarker(w http.ResponseWriter, req *Request) bool {
	vid := req.Query.Get("versionId")
	v, err := h.store.Object(req.Bucket, req.Key, vid)
	if err != nil || !v.DeleteMarker {
		return false
	}
	w.Header().Set("x-amz-delete-marker", "true")
	w.Header().Set("x-amz-version-id", v.VersionID)
	if vid != "" {
		w.Header().Set("Allow", "DELETE")
		WriteError(w, req.HTTP, &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource.",
			Extra: []ExtraElement{elem("Method", req.HTTP.Method), elem("ResourceType", "DeleteMarker")}})
		return true
	}
	WriteError(w, req.HTTP, errNoSuchKey(req.Key))
	return true
}
