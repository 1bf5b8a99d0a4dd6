package s3api

import (
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// MaxDeleteBody bounds a DeleteObjects request (1000 keys of 1 KiB each).
const MaxDeleteBody = 2 << 20

// deleteObjectsBatch answers DeleteObjects as S3 does: each key is
// authorized on its own (s3:DeleteObject, or s3:DeleteObjectVersion with a
// version ID) and a denied key is an AccessDenied entry in the result, not
// a failure of the request; the others are deleted with the bucket's
// versioning rules.
func (h *Handler) deleteObjects(w http.ResponseWriter, req *Request) error {
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	var in DeleteRequest
	if serr := readXML(req.HTTP, MaxDeleteBody, &in); serr != nil {
		return serr
	}
	if len(in.Objects) == 0 || len(in.Objects) > 1000 {
		return s3err.MalformedXML()
	}
	out := DeleteResult{Xmlns: xmlns}
	for _, o := range in.Objects {
		if req.Auth != nil && !req.Auth.Allow("DeleteObject", o.Key, o.VersionID) {
			out.Errors = append(out.Errors, DeleteError{Key: o.Key, VersionID: o.VersionID, Code: "AccessDenied", Message: "Access Denied"})
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
