package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/johannesboyne/gofakes3"
)

var subresErrTooLarge = errors.New("s3compat: request body too large")

// versioningConfiguration is the body of Get/PutBucketVersioning. S3 sends
// an empty element for a bucket that was never versioned.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MFADelete string   `xml:"MfaDelete,omitempty"`
}

func (h *Handler) versioned() (gofakes3.VersionedBackend, bool) {
	vb, ok := h.backend.(gofakes3.VersionedBackend)
	return vb, ok
}

func (h *Handler) serveVersioning(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if !h.bucketExists(w, req) {
		return
	}
	vb, ok := h.versioned()
	if !ok {
		WriteError(w, r, &Error{Status: http.StatusNotImplemented, Code: "NotImplemented", Message: "A header you provided implies functionality that is not implemented"})
		return
	}
	switch req.Op {
	case "GetBucketVersioning":
		cfg, err := vb.VersioningConfiguration(req.Bucket)
		if err != nil {
			subresInternal(w, r)
			return
		}
		out := versioningConfiguration{Xmlns: subresXMLNS, Status: string(cfg.Status)}
		h.config.with(req.Bucket, func(b *bucketConfig) {
			if out.Status == "" && b.versioningSet {
				out.Status = "Suspended"
			}
		})
		WriteXML(w, r, &out)
	case "PutBucketVersioning":
		var in versioningConfiguration
		if !subresReadXML(w, r, &in) {
			return
		}
		if (in.Status != "Enabled" && in.Status != "Suspended") || (in.MFADelete != "" && in.MFADelete != "Enabled" && in.MFADelete != "Disabled") {
			subresMalformedXML(w, r)
			return
		}
		if in.MFADelete == "Enabled" {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "DevPay and Mfa are mutually exclusive authorization methods."})
			return
		}
		h.config.mu.Lock()
		defer h.config.mu.Unlock()
		cfg, err := vb.VersioningConfiguration(req.Bucket)
		if err != nil {
			subresInternal(w, r)
			return
		}
		if cfg.Status == "" && in.Status == "Enabled" {
			// The objects written so far are S3's "null" versions: remember
			// gofakes3's IDs for them before versioning reveals those IDs.
			nulls, err := h.currentVersions(req.Bucket)
			if err != nil {
				subresInternal(w, r)
				return
			}
			b := h.config.bucketLocked(req.Bucket)
			for k, v := range nulls {
				b.nullVersions[k] = v
			}
		}
		if err := vb.SetVersioningConfiguration(req.Bucket, gofakes3.VersioningConfiguration{Status: gofakes3.VersioningStatus(in.Status)}); err != nil {
			subresInternal(w, r)
			return
		}
		h.config.bucketLocked(req.Bucket).versioningSet = true
		w.WriteHeader(http.StatusOK)
	}
}

// bucketLocked is with without the lock: the caller holds c.mu.
func (c *configState) bucketLocked(bucket string) *bucketConfig {
	b := c.buckets[bucket]
	if b == nil {
		b = newBucketConfig()
		c.buckets[bucket] = b
	}
	return b
}

// currentVersions returns gofakes3's version ID of every object of an
// unversioned bucket (HeadObject reveals it where listings do not).
func (h *Handler) currentVersions(bucket string) (map[string]gofakes3.VersionID, error) {
	out := map[string]gofakes3.VersionID{}
	marker := ""
	for {
		list, err := h.backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{Marker: marker, HasMarker: marker != "", MaxKeys: 1000})
		if err != nil {
			return nil, err
		}
		for _, c := range list.Contents {
			obj, err := h.backend.HeadObject(bucket, c.Key)
			if err != nil {
				continue // deleted meanwhile
			}
			obj.Contents.Close()
			out[c.Key] = obj.VersionID
			marker = c.Key
		}
		if !list.IsTruncated || len(list.Contents) == 0 {
			return out, nil
		}
	}
}

// subresVersion is one version of one key in gofakes3's memory backend.
type subresVersion struct {
	id           gofakes3.VersionID
	latest       bool
	deleteMarker bool
}

// versionsOf lists the versions of exactly key, newest first.
func (h *Handler) versionsOf(vb gofakes3.VersionedBackend, bucket, key string) ([]subresVersion, error) {
	res, err := vb.ListBucketVersions(bucket, &gofakes3.Prefix{HasPrefix: true, Prefix: key}, &gofakes3.ListBucketVersionsPage{})
	if err != nil {
		return nil, err
	}
	var out []subresVersion
	for _, item := range res.Versions {
		switch v := item.(type) {
		case *gofakes3.Version:
			if v.Key == key {
				out = append(out, subresVersion{id: v.VersionID, latest: v.IsLatest})
			}
		case *gofakes3.DeleteMarker:
			if v.Key == key {
				out = append(out, subresVersion{id: v.VersionID, latest: v.IsLatest, deleteMarker: true})
			}
		}
	}
	// gofakes3 lists a key's older versions in ascending ID order (its IDs
	// sort in creation order), then the current one.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// subresDeleted is the outcome of deleting one version.
type subresDeleted struct {
	versionID    string
	deleteMarker bool
}

// removeVersion permanently deletes version vid ("null" included) of key,
// as S3 does: deleting the latest version makes the previous one current.
// A version that does not exist is not an error. The caller holds h.config.mu.
func (h *Handler) removeVersion(bucket, key, vid string) (subresDeleted, error) {
	res := subresDeleted{versionID: vid}
	vb, ok := h.versioned()
	if !ok {
		return res, gofakes3.ErrNotImplemented
	}
	cfg, err := vb.VersioningConfiguration(bucket)
	if err != nil {
		return res, err
	}
	b := h.config.bucketLocked(bucket)
	id := gofakes3.VersionID(vid)
	if vid == "null" {
		if cfg.Status == "" {
			// Unversioned bucket: the object is its null version.
			_, err := h.backend.DeleteObject(bucket, key)
			return res, err
		}
		nid, ok := b.nullVersions[key]
		if !ok {
			return res, nil
		}
		id = nid
	}
	for range len(b.moved) {
		next, ok := b.moved[id]
		if !ok {
			break
		}
		id = next
	}
	versions, err := h.versionsOf(vb, bucket, key)
	if err != nil {
		return res, err
	}
	idx := -1
	for i, v := range versions {
		if v.id == id {
			idx = i
		}
	}
	if idx < 0 {
		return res, nil
	}
	res.deleteMarker = versions[idx].deleteMarker
	if versions[idx].latest && len(versions) > 1 {
		// gofakes3 would leave the key without a current version (and
		// then fail on it): first make the previous version current by
		// writing it again, then delete.
		if err := h.promote(vb, cfg.Status, bucket, key, versions[idx+1:]); err != nil {
			return res, err
		}
	}
	if _, err := vb.DeleteObjectVersion(bucket, key, id); err != nil {
		return res, err
	}
	if b.nullVersions[key] == id {
		delete(b.nullVersions, key)
	}
	return res, nil
}

// promote makes rest[0], the newest version below the current one, current
// again, deleting its old copy. Its gofakes3 version ID changes; a null
// version stays the null version. The current version is left for the
// caller to delete.
func (h *Handler) promote(vb gofakes3.VersionedBackend, status gofakes3.VersioningStatus, bucket, key string, rest []subresVersion) error {
	b := h.config.bucketLocked(bucket)
	for len(rest) > 0 {
		prev := rest[0]
		if prev.deleteMarker && status != gofakes3.VersioningEnabled {
			// Only an enabled bucket makes delete markers: drop it.
			if _, err := vb.DeleteObjectVersion(bucket, key, prev.id); err != nil {
				return err
			}
			rest = rest[1:]
			continue
		}
		if prev.deleteMarker {
			m, err := h.backend.DeleteObject(bucket, key)
			if err != nil {
				return err
			}
			b.moved[prev.id] = m.VersionID
		} else {
			obj, err := vb.GetObjectVersion(bucket, key, prev.id, nil)
			if err != nil {
				return err
			}
			meta := make(map[string]string, len(obj.Metadata))
			for k, v := range obj.Metadata {
				meta[k] = v
			}
			_, err = h.backend.PutObject(bucket, key, meta, obj.Contents, obj.Size, nil)
			obj.Contents.Close()
			if err != nil {
				return err
			}
			if head, err := h.backend.HeadObject(bucket, key); err == nil {
				head.Contents.Close()
				b.moved[prev.id] = head.VersionID
				if b.nullVersions[key] == prev.id {
					b.nullVersions[key] = head.VersionID
				}
			}
		}
		_, err := vb.DeleteObjectVersion(bucket, key, prev.id)
		return err
	}
	return nil
}

// deleteVersion answers DeleteObject with a versionId.
func (h *Handler) deleteVersion(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if !h.bucketExists(w, req) {
		return
	}
	h.config.mu.Lock()
	res, err := h.removeVersion(req.Bucket, req.Key, req.Query.Get("versionId"))
	h.config.mu.Unlock()
	if err != nil {
		subresInternal(w, r)
		return
	}
	if res.deleteMarker {
		w.Header().Set("x-amz-delete-marker", "true")
	}
	w.Header().Set("x-amz-version-id", res.versionID)
	w.WriteHeader(http.StatusNoContent)
}

// deleteObjects answers DeleteObjects (the keys the gate allowed) with S3's
// versioning rules: version "null" deletes the null version, a key without
// a version in a versioning-enabled bucket gets a delete marker.
func (h *Handler) deleteObjects(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if !h.bucketExists(w, req) {
		return
	}
	var in DeleteRequest
	if !subresReadXML(w, r, &in) {
		return
	}
	if len(in.Objects) == 0 || len(in.Objects) > 1000 {
		subresMalformedXML(w, r)
		return
	}
	out := DeleteResult{Xmlns: subresXMLNS}
	h.config.mu.Lock()
	for _, o := range in.Objects {
		d := Deleted{Key: o.Key, VersionID: o.VersionID}
		if o.VersionID != "" {
			res, err := h.removeVersion(req.Bucket, o.Key, o.VersionID)
			if err != nil {
				out.Errors = append(out.Errors, DeleteError{Key: o.Key, VersionID: o.VersionID, Code: "InternalError", Message: "We encountered an internal error. Please try again."})
				continue
			}
			if res.deleteMarker {
				d.DeleteMarker, d.DeleteMarkerVersionID = true, o.VersionID
			}
		} else {
			res, err := h.backend.DeleteObject(req.Bucket, o.Key)
			if err != nil {
				out.Errors = append(out.Errors, DeleteError{Key: o.Key, Code: "InternalError", Message: "We encountered an internal error. Please try again."})
				continue
			}
			if res.IsDeleteMarker {
				d.DeleteMarker, d.DeleteMarkerVersionID = true, string(res.VersionID)
			}
		}
		if !in.Quiet {
			out.Deleted = append(out.Deleted, d)
		}
	}
	h.config.mu.Unlock()
	WriteXML(w, r, &out)
}

// serveDeleteMarker answers GetObject and HeadObject when they address a
// delete marker, which gofakes3 gets wrong: a versionId naming a marker is
// 405 MethodNotAllowed, a current marker 404 NoSuchKey, both with
// x-amz-delete-marker. It returns false for every other request.
func (h *Handler) serveDeleteMarker(w http.ResponseWriter, req *Request) bool {
	vb, ok := h.versioned()
	if !ok {
		return false
	}
	cfg, err := vb.VersioningConfiguration(req.Bucket)
	if err != nil || cfg.Status == "" {
		return false
	}
	vid := req.Query.Get("versionId")
	h.config.mu.Lock()
	versions, err := h.versionsOf(vb, req.Bucket, req.Key)
	if vid == "null" {
		if nid, ok := h.config.bucketLocked(req.Bucket).nullVersions[req.Key]; ok {
			vid = string(nid)
		}
	}
	h.config.mu.Unlock()
	if err != nil {
		return false
	}
	for _, v := range versions {
		if !v.deleteMarker || (vid != "" && string(v.id) != vid) || (vid == "" && !v.latest) {
			continue
		}
		w.Header().Set("x-amz-delete-marker", "true")
		w.Header().Set("x-amz-version-id", string(v.id))
		if vid != "" {
			w.Header().Set("Allow", "DELETE")
			WriteError(w, req.HTTP, &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource.",
				Extra: []ExtraElement{{XMLName: xml.Name{Local: "Method"}, Value: req.HTTP.Method}, {XMLName: xml.Name{Local: "ResourceType"}, Value: "DeleteMarker"}}})
			return true
		}
		WriteError(w, req.HTTP, &Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
			Extra: []ExtraElement{{XMLName: xml.Name{Local: "Key"}, Value: req.Key}}})
		return true
	}
	return false
}
