package s3api

import (
	"encoding/xml"
	"errors"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// DeleteRequest is the body of DeleteObjects.
type DeleteRequest struct {
	XMLName xml.Name       `xml:"Delete"`
	Quiet   bool           `xml:"Quiet,omitempty"`
	Objects []DeleteObject `xml:"Object"`
}

// DeleteObject is one key (and optional version) to delete.
type DeleteObject struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

// DeleteResult is the body of DeleteObjects' response.
type DeleteResult struct {
	XMLName xml.Name      `xml:"DeleteResult"`
	Xmlns   string        `xml:"xmlns,attr,omitempty"`
	Deleted []Deleted     `xml:"Deleted"`
	Errors  []DeleteError `xml:"Error"`
}

// Deleted is one deleted key in a DeleteResult.
type Deleted struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

// DeleteError is one key DeleteObjects did not delete.
type DeleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

// deleteKey deletes key of the request's bucket as DeleteObject does: versionID "" deletes
// the key (a delete marker when the bucket has versioning), else removes
// that version or delete marker. A version that does not exist is not an
// error: S3 answers 204 with its ID.
func (h *Handler) deleteKey(req *Request, key, versionID string) (store.DeleteResult, *s3err.Error) {
	res, err := h.store.DeleteObject(req.Bucket, key, versionID, nil)
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
// what S3 reports for it: a Deleted, or an Error entry.
func (h *Handler) deleteEntry(req *Request, o DeleteObject) (Deleted, *DeleteError) {
	res, serr := h.deleteKey(req, o.Key, o.VersionID)
	if serr != nil {
		return Deleted{}, &DeleteError{Key: o.Key, VersionID: o.VersionID, Code: serr.Code, Message: serr.Message}
	}
	d := Deleted{Key: o.Key, VersionID: o.VersionID}
	if res.DeleteMarker {
		d.DeleteMarker, d.DeleteMarkerVersionID = true, res.VersionID
	}
	return d, nil
}
