package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// tagging is the body of Get/PutObjectTagging and Get/PutBucketTagging.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  *struct {
		Tags []store.Tag `xml:"Tag"`
	} `xml:"TagSet"`
}

// taggingOf is the Tagging document of a tag set.
func taggingOf(tags []store.Tag) *tagging {
	t := &tagging{Xmlns: xmlns}
	t.TagSet = &struct {
		Tags []store.Tag `xml:"Tag"`
	}{tags}
	return t
}

// S3's tag limits.
const (
	maxObjectTags  = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validateTags checks a tag set against S3's rules for objects (limit 10)
// or buckets (limit 50).
func validateTags(tags []store.Tag, object bool) *s3err.Error {
	if object && len(tags) > maxObjectTags {
		return s3err.New(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
	}
	if !object && len(tags) > maxBucketTags {
		return s3err.New(http.StatusBadRequest, "BadRequest", "Bucket tag count cannot be greater than 50")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		invalid := func(msg string) *s3err.Error {
			return s3err.New(http.StatusBadRequest, "InvalidTag", msg).With("TagKey", t.Key)
		}
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKeyLen:
			return invalid("The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > maxTagValueLen:
			return invalid("The TagValue you have provided is invalid")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return invalid("Your TagKey cannot be prefixed with aws:")
		case seen[t.Key]:
			return invalid("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

// parseTaggingHeader parses x-amz-tagging (URL query encoding, as on
// PutObject, CreateMultipartUpload and CopyObject with the REPLACE tagging
// directive) and validates the tags.
func parseTaggingHeader(v string) ([]store.Tag, *s3err.Error) {
	bad := errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
		"x-amz-tagging").With("ArgumentValue", v)
	var tags []store.Tag
	seen := map[string]bool{}
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil || seen[k] || !utf8.ValidString(k) || !utf8.ValidString(val) {
			return nil, bad
		}
		seen[k] = true
		tags = append(tags, store.Tag{Key: k, Value: val})
	}
	if serr := validateTags(tags, true); serr != nil {
		return nil, serr
	}
	return tags, nil
}

// readTagging reads a Tagging document and validates its tags.
func readTagging(r *http.Request, object bool) ([]store.Tag, *s3err.Error) {
	var in tagging
	if serr := readXML(r, maxDocument, &in); serr != nil {
		return nil, serr
	}
	if in.TagSet == nil {
		return nil, s3err.MalformedXML()
	}
	if serr := validateTags(in.TagSet.Tags, object); serr != nil {
		return nil, serr
	}
	return in.TagSet.Tags, nil
}

// objectTagging answers Get/Put/DeleteObjectTagging on the version the
// request names (see lookupVersion).
func (h *Handler) objectTagging(w http.ResponseWriter, req *Request) error {
	// The body is read before the store is asked: nothing is held across
	// network I/O.
	var tags []store.Tag
	if req.Op == "PutObjectTagging" {
		var serr *s3err.Error
		if tags, serr = readTagging(req.HTTP, true); serr != nil {
			return serr
		}
	}
	v, reportedID, serr := h.lookupVersion(req)
	if serr != nil {
		return serr
	}
	if req.Op != "GetObjectTagging" {
		// The version found, by its ID: a write since then does not move
		// the tags to another version.
		_, err := h.store.UpdateObject(req.Bucket, req.Key, v.VersionID, func(v *store.Version) error {
			v.Tags = tags
			return nil
		})
		if err != nil {
			return h.storeError(req, target{bucket: req.Bucket, key: req.Key, versionID: v.VersionID}, err)
		}
	}
	if reportedID != "" {
		w.Header().Set("x-amz-version-id", reportedID)
	}
	switch req.Op {
	case "GetObjectTagging":
		return writeXML(w, req.HTTP, taggingOf(v.Tags))
	case "PutObjectTagging":
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case "DeleteObjectTagging":
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// bucketTagging answers Get/Put/DeleteBucketTagging.
func (h *Handler) bucketTagging(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	switch req.Op {
	case "GetBucketTagging":
		if len(b.Tags) == 0 {
			return s3err.New(http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist").With("BucketName", req.Bucket)
		}
		return writeXML(w, req.HTTP, taggingOf(b.Tags))
	case "PutBucketTagging", "DeleteBucketTagging":
		var tags []store.Tag
		if req.Op == "PutBucketTagging" {
			var serr *s3err.Error
			if tags, serr = readTagging(req.HTTP, false); serr != nil {
				return serr
			}
		}
		return h.updateBucket(w, req, http.StatusNoContent, func(b *store.Bucket) { b.Tags = tags })
	}
	return nil
}
