package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// MaxDeleteBody bounds a DeleteObjects request (1000 keys of 1 KiB each).
const MaxDeleteBody = 2 << 20

// MaxDeleteKeys is the most keys one DeleteObjects request may name.
const MaxDeleteKeys = 1000

// DeleteRequest is the body of DeleteObjects, a <Delete> document.
type DeleteRequest struct {
	XMLName xml.Name           `xml:"Delete"`
	Quiet   bool               `xml:"Quiet,omitempty"`
	Objects []ObjectIdentifier `xml:"Object"`
}

// ObjectIdentifier is one key (and optional version) to delete.
type ObjectIdentifier struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

// Valid reports whether d names 1 to MaxDeleteKeys keys, as S3 requires
// (else MalformedXML).
func (d *DeleteRequest) Valid() bool { return len(d.Objects) > 0 && len(d.Objects) <= MaxDeleteKeys }

// deleteResult is the body of DeleteObjects' response.
type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr,omitempty"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

// deletedObject is one deleted key in a deleteResult.
type deletedObject struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

// deleteError is one key DeleteObjects did not delete.
type deleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

// deleteKey deletes key of the request's bucket as DeleteObject does:
// versionID "" deletes the key (a delete marker when the bucket has
// versioning), else removes that version or delete marker. A version that
// does not exist is not an error: S3 answers 204 with its ID. A version
// under Object Lock is not removed (lockDeleteCheck).
func (h *Handler) deleteKey(req *Request, key, versionID string) (store.DeleteResult, *s3err.Error) {
	res, err := h.deleteChecked(req, key, versionID)
	switch {
	case err == nil:
		return res, nil
	case versionID != "" && (errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrNoSuchKey)):
		return store.DeleteResult{VersionID: versionID}, nil
	case versionID == "" && errors.Is(err, store.ErrNoSuchKey):
		return store.DeleteResult{}, nil
	}
	return res, h.storeError(req, target{bucket: req.Bucket, key: key, versionID: versionID}, err)
}

// deleteEntry deletes one entry of a DeleteObjects request and returns
// what S3 reports for it: a Deleted or an Error entry.
func (h *Handler) deleteEntry(req *Request, o ObjectIdentifier) (deletedObject, *deleteError) {
	res, serr := h.deleteKey(req, o.Key, o.VersionID)
	if serr != nil {
		return deletedObject{}, &deleteError{Key: o.Key, VersionID: o.VersionID, Code: serr.Code, Message: serr.Message}
	}
	d := deletedObject{Key: o.Key, VersionID: o.VersionID}
	if res.DeleteMarker {
		d.DeleteMarker, d.DeleteMarkerVersionID = true, res.VersionID
	}
	return d, nil
}

// deleteObject answers DeleteObject, with or without ?versionId, as S3
// does; the store keeps the versioning rules (delete markers, the null
// version, the previous version becoming current).
func (h *Handler) deleteObject(w http.ResponseWriter, req *Request) error {
	id := req.Query.Get("versionId")
	if req.Query.Has("versionId") && id == "" {
		return errInvalidVersionID("versionId", id)
	}
	res, serr := h.deleteKey(req, req.Key, id)
	if serr != nil {
		return serr
	}
	if res.DeleteMarker {
		w.Header().Set("x-amz-delete-marker", "true")
	}
	if id != "" || res.DeleteMarker {
		w.Header().Set("x-amz-version-id", res.VersionID)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteObjects answers DeleteObjects as S3 does: each key is
// authorized on its own (s3:DeleteObject, or s3:DeleteObjectVersion with a
// version ID) and a denied key is an AccessDenied entry in the result, not
// a failure of the request; the others are deleted with the bucket's
// versioning rules.
func (h *Handler) deleteObjects(w http.ResponseWriter, req *Request) error {
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	var in DeleteRequest
	if serr := readCheckedXML(req, MaxDeleteBody, &in); serr != nil { // checksums.go
		return serr
	}
	if !in.Valid() {
		return s3err.MalformedXML()
	}
	out := deleteResult{Xmlns: xmlns}
	for _, o := range in.Objects {
		if req.Auth != nil && !req.Auth.Allow("DeleteObject", o.Key, o.VersionID) {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: "AccessDenied", Message: "Access Denied"})
			continue
		}
		d, derr := h.deleteEntry(req, o)
		if derr != nil {
			out.Errors = append(out.Errors, *derr)
			continue
		}
		if !in.Quiet {
			out.Deleted = append(out.Deleted, d)
		}
	}
	return writeXML(w, req.HTTP, &out)
}
