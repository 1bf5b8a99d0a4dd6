package s3api

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/s3vpce/s3vpce/internal/store"
)

// objTag is one tag of an object or bucket tag set; its fields marshal as
// S3's <Key> and <Value>.
type objTag = store.Tag

// objTaggingOut is the body of GetObjectTagging and GetBucketTagging.
type objTaggingOut struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  []objTag `xml:"TagSet>Tag"`
}

// objTaggingIn is the body of PutObjectTagging and PutBucketTagging.
type objTaggingIn struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  *struct {
		Tags []objTag `xml:"Tag"`
	} `xml:"TagSet"`
}

// S3's tag limits.
const (
	maxObjectTags  = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
	// maxTaggingBody bounds a Tagging document (50 tags at their longest
	// are well under it).
	maxTaggingBody = 64 << 10
)

// validateTags checks a tag set against S3's rules for objects (limit 10)
// or buckets (limit 50).
func validateTags(tags []objTag, object bool) *Error {
	if object && len(tags) > maxObjectTags {
		return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Object tags cannot be greater than 10"}
	}
	if !object && len(tags) > maxBucketTags {
		return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Bucket tag count cannot be greater than 50"}
	}
	seen := map[string]bool{}
	for _, t := range tags {
		invalid := func(msg string) *Error {
			return &Error{Status: http.StatusBadRequest, Code: "InvalidTag", Message: msg,
				Extra: []ExtraElement{elem("TagKey", t.Key)}}
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
func parseTaggingHeader(v string) ([]objTag, *Error) {
	bad := &Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
		Message: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
		Extra:   []ExtraElement{elem("ArgumentName", "x-amz-tagging"), elem("ArgumentValue", v)}}
	var tags []objTag
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
		tags = append(tags, objTag{Key: k, Value: val})
	}
	if serr := validateTags(tags, true); serr != nil {
		return nil, serr
	}
	return tags, nil
}

// parseTaggingBody reads a Tagging XML document.
func parseTaggingBody(r *http.Request, object bool) ([]objTag, *Error) {
	malformed := &Error{Status: http.StatusBadRequest, Code: "MalformedXML",
		Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTaggingBody+1))
	if err != nil || len(body) > maxTaggingBody {
		return nil, malformed
	}
	var in objTaggingIn
	if err := xml.Unmarshal(body, &in); err != nil || in.TagSet == nil {
		return nil, malformed
	}
	if serr := validateTags(in.TagSet.Tags, object); serr != nil {
		return nil, serr
	}
	return in.TagSet.Tags, nil
}

func (h *Handler) objectTagging(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	// The body is read before the store is asked: nothing is held across
	// network I/O.
	var tags []objTag
	if req.Op == "PutObjectTagging" {
		var serr *Error
		if tags, serr = parseTaggingBody(r, true); serr != nil {
			WriteError(w, r, serr)
			return
		}
	}
	v, reportedID, serr := h.lookupVersion(req)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if req.Op != "GetObjectTagging" {
		// The version found, by its ID: a write since then does not move
		// the tags to another version.
		_, err := h.store.UpdateObject(req.Bucket, req.Key, v.VersionID, func(v *store.Version) error {
			v.Tags = tags
			return nil
		})
		if err != nil {
			WriteError(w, r, storeError(err, req.Bucket, req.Key, v.VersionID))
			return
		}
	}
	if reportedID != "" {
		w.Header().Set("x-amz-version-id", reportedID)
	}
	switch req.Op {
	case "GetObjectTagging":
		WriteXML(w, r, objTaggingOut{TagSet: v.Tags})
	case "PutObjectTagging":
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case "DeleteObjectTagging":
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *Handler) bucketTagging(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	switch req.Op {
	case "GetBucketTagging":
		b, err := h.store.Bucket(req.Bucket)
		if err != nil {
			WriteError(w, r, storeError(err, req.Bucket, "", ""))
			return
		}
		if len(b.Tags) == 0 {
			WriteError(w, r, &Error{Status: http.StatusNotFound, Code: "NoSuchTagSet", Message: "The TagSet does not exist",
				Extra: []ExtraElement{elem("BucketName", req.Bucket)}})
			return
		}
		WriteXML(w, r, objTaggingOut{TagSet: b.Tags})
	case "PutBucketTagging", "DeleteBucketTagging":
		if _, err := h.store.Bucket(req.Bucket); err != nil {
			WriteError(w, r, storeError(err, req.Bucket, "", ""))
			return
		}
		var tags []objTag
		if req.Op == "PutBucketTagging" {
			var serr *Error
			if tags, serr = parseTaggingBody(r, false); serr != nil {
				WriteError(w, r, serr)
				return
			}
		}
		if _, err := h.store.UpdateBucket(req.Bucket, func(b *store.Bucket) error {
			b.Tags = tags
			return nil
		}); err != nil {
			WriteError(w, r, storeError(err, req.Bucket, "", ""))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
