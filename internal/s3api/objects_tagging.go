package s3api

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
)

// objTag is one tag of an object or bucket tag set.
type objTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

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
	body, err := io.ReadAll(r.Body)
	if err != nil {
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

// tagsOf returns the tags of one stored object version (obj from the
// backend's HeadObject or HeadObjectVersion).
func (h *Handler) tagsOf(bucket, key string, obj *gofakes3.Object) []objTag {
	h.objects.mu.Lock()
	defer h.objects.mu.Unlock()
	return h.objects.tags[bucket+"/"+key][objectStamp(obj)]
}

// setTags replaces the tags of one stored object version (nil removes
// them). dropOthers forgets the tags of every other version of the key, as
// after a write in a bucket without versioning.
func (h *Handler) setTags(bucket, key string, obj *gofakes3.Object, tags []objTag, dropOthers bool) {
	h.objects.mu.Lock()
	defer h.objects.mu.Unlock()
	id := bucket + "/" + key
	if dropOthers {
		delete(h.objects.tags, id)
	}
	byStamp := h.objects.tags[id]
	if len(tags) == 0 {
		delete(byStamp, objectStamp(obj))
		if len(byStamp) == 0 {
			delete(h.objects.tags, id)
		}
		return
	}
	if byStamp == nil {
		byStamp = map[string][]objTag{}
		h.objects.tags[id] = byStamp
	}
	byStamp[objectStamp(obj)] = tags
}

func (h *Handler) objectTagging(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	// The body is read before the lock is taken and the answer written
	// after it is released: no lock is held across network I/O.
	var tags []objTag
	if req.Op == "PutObjectTagging" {
		var serr *Error
		if tags, serr = parseTaggingBody(r, true); serr != nil {
			WriteError(w, r, serr)
			return
		}
	}
	versionID, current, serr := h.updateObjectTags(req, tags)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if versionID != "" {
		w.Header().Set("x-amz-version-id", versionID)
	}
	switch req.Op {
	case "GetObjectTagging":
		WriteXML(w, r, objTaggingOut{TagSet: current})
	case "PutObjectTagging":
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case "DeleteObjectTagging":
		w.WriteHeader(http.StatusNoContent)
	}
}

// updateObjectTags finds the object version req addresses and, for
// PutObjectTagging and DeleteObjectTagging, replaces its tags with tags;
// it returns the version ID to report and the version's tags.
func (h *Handler) updateObjectTags(req *Request, tags []objTag) (versionID string, current []objTag, serr *Error) {
	h.objects.write.RLock()
	defer h.objects.write.RUnlock()
	t, serr := h.headTarget(req)
	if serr != nil {
		return "", nil, serr
	}
	switch req.Op {
	case "GetObjectTagging":
		current = h.tagsOf(req.Bucket, req.Key, t.obj)
	case "PutObjectTagging":
		h.setTags(req.Bucket, req.Key, t.obj, tags, false)
	case "DeleteObjectTagging":
		h.setTags(req.Bucket, req.Key, t.obj, nil, false)
	}
	return t.versionID, current, nil
}

// bucketCreated returns the bucket's creation date, false when it does
// not exist.
func (h *Handler) bucketCreated(bucket string) (time.Time, bool) {
	buckets, err := h.backend.ListBuckets()
	if err != nil {
		return time.Time{}, false
	}
	for _, b := range buckets {
		if b.Name == bucket {
			return b.CreationDate.Time, true
		}
	}
	return time.Time{}, false
}

func (h *Handler) bucketTagging(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	created, ok := h.bucketCreated(req.Bucket)
	if !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	switch req.Op {
	case "GetBucketTagging":
		h.objects.mu.Lock()
		set, ok := h.objects.bucketTags[req.Bucket]
		h.objects.mu.Unlock()
		if !ok || !set.created.Equal(created) || len(set.tags) == 0 {
			WriteError(w, r, &Error{Status: http.StatusNotFound, Code: "NoSuchTagSet", Message: "The TagSet does not exist",
				Extra: []ExtraElement{elem("BucketName", req.Bucket)}})
			return
		}
		WriteXML(w, r, objTaggingOut{TagSet: set.tags})
	case "PutBucketTagging":
		tags, serr := parseTaggingBody(r, false)
		if serr != nil {
			WriteError(w, r, serr)
			return
		}
		h.objects.mu.Lock()
		h.objects.bucketTags[req.Bucket] = bucketTagSet{created: created, tags: tags}
		h.objects.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case "DeleteBucketTagging":
		h.objects.mu.Lock()
		delete(h.objects.bucketTags, req.Bucket)
		h.objects.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}
