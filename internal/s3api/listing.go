package s3api

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// Listing: ListObjects (V1), ListObjectsV2, ListObjectVersions and
// ListMultipartUploads, answered from the backend's full, sorted contents
// with S3's paging, delimiter, marker and encoding rules applied here
// (gofakes3 gets max-keys=0, markers inside common prefixes, fetch-owner,
// encoding-type, the versions root element and empty upload lists wrong).

// serveListing answers the four listing operations.
func (h *Handler) serveListing(w http.ResponseWriter, req *Request) bool {
	switch req.Op {
	case "ListObjects":
		h.listObjects(w, req, false)
	case "ListObjectsV2":
		h.listObjects(w, req, true)
	case "ListObjectVersions":
		h.listObjectVersions(w, req)
	case "ListMultipartUploads":
		h.listMultipartUploads(w, req)
	default:
		return false
	}
	return true
}

const (
	listingMaxKeys = 1000
	listingNS      = "http://s3.amazonaws.com/doc/2006-03-01/"
	listingStorage = "STANDARD"
)

// listingOwner is the Owner (or Initiator) element of a listing.
type listingOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type listingPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listingQuery is a listing request's query: the first value of each
// parameter, as S3 reads it.
type listingQuery url.Values

func (q listingQuery) get(name string) string { return url.Values(q).Get(name) }

func (q listingQuery) has(name string) bool { _, ok := q[name]; return ok }

// listingLimit parses max-keys or max-uploads: absent means 1000, values
// above 1000 are served as 1000. A value that is no int32 is refused here
// (before the bucket is looked up, as S3 does); a negative one is returned
// as is for the caller to refuse after the lookup.
func listingLimit(q listingQuery, name string) (int, *Error) {
	if !q.has(name) {
		return listingMaxKeys, nil
	}
	v := q.get(name)
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || v == "" || v[0] == '+' {
		return 0, listingArgError("Provided "+name+" not an integer or within integer range", name, v, true)
	}
	return int(min(n, listingMaxKeys)), nil
}

// listingArgError is S3's InvalidArgument with ArgumentName and, when
// withValue, ArgumentValue.
func listingArgError(msg, name, value string, withValue bool) *Error {
	e := &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: msg,
		Extra: []ExtraElement{{XMLName: xml.Name{Local: "ArgumentName"}, Value: name}}}
	if withValue {
		e.Extra = append(e.Extra, ExtraElement{XMLName: xml.Name{Local: "ArgumentValue"}, Value: value})
	}
	return e
}

func listingNoSuchBucket(bucket string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist",
		Extra: []ExtraElement{{XMLName: xml.Name{Local: "BucketName"}, Value: bucket}}}
}

func listingInternal() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
}

// listingEncoding reads encoding-type: only "url" (in any case) is valid;
// the value is echoed as sent.
func listingEncoding(q listingQuery) (string, *Error) {
	if !q.has("encoding-type") {
		return "", nil
	}
	v := q.get("encoding-type")
	if !strings.EqualFold(v, "url") {
		return "", listingArgError("Invalid Encoding Method specified in Request", "encoding-type", v, true)
	}
	return v, nil
}

// listingEncoder applies encoding-type=url to key-like response fields the
// way S3 does: letters, digits and - _ . / * stay, space becomes +, every
// other byte is %XX in upper case.
type listingEncoder bool

func (enc listingEncoder) s(v string) string {
	if !enc {
		return v
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '/', c == '*':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func (enc listingEncoder) prefixes(rows []string) []listingPrefix {
	out := make([]listingPrefix, len(rows))
	for i, p := range rows {
		out[i] = listingPrefix{Prefix: enc.s(p)}
	}
	return out
}

// listingTime formats a time as S3 does in listings (always milliseconds).
func listingTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// listingRow is one entry of a listing page: an item or, when prefix is
// set, a common prefix standing for every item under it.
type listingRow[T any] struct {
	item   T
	prefix string
}

// listingWalk pages through items sorted by key, already cut to those after
// the caller's start position: it keeps keys under prefix, rolls keys with
// delimiter after the prefix up into one common prefix each (skipping a
// common prefix that sorts at or before marker, which the previous page
// returned or was inside), and stops after max rows. truncated reports
// whether any row is left.
func listingWalk[T any](items []T, keyOf func(T) string, prefix, delimiter, marker string, max int) (rows []listingRow[T], truncated bool) {
	if max <= 0 {
		return nil, false
	}
	for i := 0; i < len(items); {
		k := keyOf(items[i])
		if !strings.HasPrefix(k, prefix) {
			i++
			continue
		}
		if delimiter != "" {
			if j := strings.Index(k[len(prefix):], delimiter); j >= 0 {
				cp := k[:len(prefix)+j+len(delimiter)]
				for i < len(items) && strings.HasPrefix(keyOf(items[i]), cp) {
					i++
				}
				if marker != "" && cp <= marker {
					continue
				}
				if len(rows) == max {
					return rows, true
				}
				rows = append(rows, listingRow[T]{prefix: cp})
				continue
			}
		}
		if len(rows) == max {
			return rows, true
		}
		rows = append(rows, listingRow[T]{item: items[i]})
		i++
	}
	return rows, false
}

// listingVersion is one version (or delete marker) of a key.
type listingVersion struct {
	key, versionID string // versionID "" is the null version
	deleteMarker   bool
	latest         bool
	etag           string
	size           int64
	modified       time.Time
}

// listingVersions returns every version in the bucket sorted by key,
// newest first per key, the newest marked latest; for a backend without
// versions, the current objects.
func (h *Handler) listingVersions(bucket string) ([]listingVersion, error) {
	vb, ok := h.backend.(gofakes3.VersionedBackend)
	if !ok {
		list, err := h.backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{})
		if err != nil {
			return nil, err
		}
		out := make([]listingVersion, 0, len(list.Contents))
		for _, c := range list.Contents {
			out = append(out, listingVersion{key: c.Key, latest: true, etag: c.ETag, size: c.Size, modified: c.LastModified.Time})
		}
		slices.SortStableFunc(out, func(a, b listingVersion) int { return strings.Compare(a.key, b.key) })
		return out, nil
	}
	res, err := vb.ListBucketVersions(bucket, nil, nil)
	if err != nil {
		return nil, err
	}
	out := make([]listingVersion, 0, len(res.Versions))
	for _, v := range res.Versions {
		switch v := v.(type) {
		case *gofakes3.Version:
			etag := h.listedETag(bucket, v.Key, string(v.VersionID), v.ETag) // a multipart upload's ETag
			out = append(out, listingVersion{key: v.Key, versionID: string(v.VersionID), etag: etag, size: v.Size, modified: v.LastModified.Time})
		case *gofakes3.DeleteMarker:
			out = append(out, listingVersion{key: v.Key, versionID: string(v.VersionID), deleteMarker: true, modified: v.LastModified.Time})
		}
	}
	// The memory backend yields each key's versions oldest first (its
	// version IDs grow); S3 lists them newest first, and the newest is the
	// latest.
	slices.SortStableFunc(out, func(a, b listingVersion) int { return strings.Compare(a.key, b.key) })
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && out[j].key == out[i].key {
			j++
		}
		slices.Reverse(out[i:j])
		out[i].latest = true
		i = j
	}
	return out, nil
}

// listingBucketError maps a backend error to S3's.
func listingBucketError(bucket string, err error) *Error {
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		return listingNoSuchBucket(bucket)
	}
	return listingInternal()
}

// --- ListObjects and ListObjectsV2 ---------------------------------------

type listingContents struct {
	Key          string        `xml:"Key"`
	LastModified string        `xml:"LastModified"`
	ETag         string        `xml:"ETag"`
	Size         int64         `xml:"Size"`
	Owner        *listingOwner `xml:"Owner,omitempty"`
	StorageClass string        `xml:"StorageClass"`
}

type listingV1Result struct {
	XMLName        xml.Name          `xml:"ListBucketResult"`
	Xmlns          string            `xml:"xmlns,attr"`
	Name           string            `xml:"Name"`
	Prefix         string            `xml:"Prefix"`
	Marker         string            `xml:"Marker"`
	NextMarker     *string           `xml:"NextMarker"`
	MaxKeys        int               `xml:"MaxKeys"`
	Delimiter      *string           `xml:"Delimiter"`
	EncodingType   string            `xml:"EncodingType,omitempty"`
	IsTruncated    bool              `xml:"IsTruncated"`
	Contents       []listingContents `xml:"Contents"`
	CommonPrefixes []listingPrefix   `xml:"CommonPrefixes"`
}

type listingV2Result struct {
	XMLName               xml.Name          `xml:"ListBucketResult"`
	Xmlns                 string            `xml:"xmlns,attr"`
	Name                  string            `xml:"Name"`
	Prefix                string            `xml:"Prefix"`
	ContinuationToken     *string           `xml:"ContinuationToken"`
	NextContinuationToken string            `xml:"NextContinuationToken,omitempty"`
	KeyCount              int               `xml:"KeyCount"`
	MaxKeys               int               `xml:"MaxKeys"`
	Delimiter             *string           `xml:"Delimiter"`
	EncodingType          string            `xml:"EncodingType,omitempty"`
	IsTruncated           bool              `xml:"IsTruncated"`
	StartAfter            *string           `xml:"StartAfter"`
	Contents              []listingContents `xml:"Contents"`
	CommonPrefixes        []listingPrefix   `xml:"CommonPrefixes"`
}

// listingOptional is a query value that is echoed only when sent non-empty.
func listingOptional(q listingQuery, name string, enc listingEncoder) *string {
	if v := q.get(name); v != "" {
		s := enc.s(v)
		return &s
	}
	return nil
}

func (h *Handler) listObjects(w http.ResponseWriter, req *Request, v2 bool) {
	r := req.HTTP
	q := listingQuery(req.Query)
	if v2 {
		if q.has("marker") {
			WriteError(w, r, listingArgError("Marker unsupported with REST.GET.BUCKET in list-type=2", "marker", "", false))
			return
		}
	} else {
		if q.has("continuation-token") {
			WriteError(w, r, listingArgError("continuation-token only supported in REST.GET.BUCKET with list-type=2", "continuation-token", "", false))
			return
		}
		if q.has("start-after") {
			WriteError(w, r, listingArgError("startAfter only supported in REST.GET.BUCKET with list-type=2", "start-after", "", false))
			return
		}
	}
	maxKeys, e := listingLimit(q, "max-keys")
	if e != nil {
		WriteError(w, r, e)
		return
	}
	all, err := h.listingVersions(req.Bucket)
	if err != nil {
		WriteError(w, r, listingBucketError(req.Bucket, err))
		return
	}
	if maxKeys < 0 {
		WriteError(w, r, listingArgError("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", strconv.Itoa(maxKeys), true))
		return
	}
	encType, e := listingEncoding(q)
	if e != nil {
		WriteError(w, r, e)
		return
	}
	enc := listingEncoder(encType != "")

	marker := q.get("marker")
	if v2 {
		marker = q.get("start-after")
		if q.has("continuation-token") {
			m, ok := listingDecodeToken(q.get("continuation-token"))
			if !ok {
				WriteError(w, r, listingArgError("The continuation token provided is incorrect", "continuation-token", q.get("continuation-token"), true))
				return
			}
			marker = m
		}
	}
	objects := make([]listingVersion, 0, len(all))
	for _, v := range all {
		if v.latest && !v.deleteMarker && v.key > marker {
			objects = append(objects, v)
		}
	}
	prefix, delimiter := q.get("prefix"), q.get("delimiter")
	rows, truncated := listingWalk(objects, func(v listingVersion) string { return v.key }, prefix, delimiter, marker, maxKeys)

	owner := &listingOwner{ID: req.OwnerID, DisplayName: req.OwnerName}
	if v2 && !strings.EqualFold(q.get("fetch-owner"), "true") {
		owner = nil
	}
	var contents []listingContents
	var prefixes []string
	last := ""
	for _, row := range rows {
		if row.prefix != "" {
			prefixes = append(prefixes, row.prefix)
			last = row.prefix
			continue
		}
		v := row.item
		contents = append(contents, listingContents{Key: enc.s(v.key), LastModified: listingTime(v.modified),
			ETag: v.etag, Size: v.size, Owner: owner, StorageClass: listingStorage})
		last = v.key
	}

	if !v2 {
		res := listingV1Result{Xmlns: listingNS, Name: req.Bucket, Prefix: enc.s(prefix), Marker: enc.s(q.get("marker")),
			MaxKeys: maxKeys, Delimiter: listingOptional(q, "delimiter", enc), EncodingType: encType,
			IsTruncated: truncated, Contents: contents, CommonPrefixes: enc.prefixes(prefixes)}
		if truncated && delimiter != "" {
			next := enc.s(last)
			res.NextMarker = &next
		}
		listingWriteXML(w, r, res)
		return
	}
	res := listingV2Result{Xmlns: listingNS, Name: req.Bucket, Prefix: enc.s(prefix), KeyCount: len(rows),
		MaxKeys: maxKeys, Delimiter: listingOptional(q, "delimiter", enc), EncodingType: encType,
		IsTruncated: truncated, StartAfter: listingOptional(q, "start-after", enc),
		Contents: contents, CommonPrefixes: enc.prefixes(prefixes)}
	if q.has("continuation-token") {
		t := q.get("continuation-token")
		res.ContinuationToken = &t
	}
	if truncated {
		res.NextContinuationToken = listingEncodeToken(last)
	}
	listingWriteXML(w, r, res)
}

// Continuation tokens are opaque to clients: the base64 of a checksum and
// the last key or common prefix returned, so a token this emulator did not
// issue is refused as S3 refuses it.
const listingTokenMagic = "s3vpce/1:"

func listingEncodeToken(last string) string {
	b := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(listingTokenMagic+last)))
	return base64.StdEncoding.EncodeToString(append(b, last...))
}

func listingDecodeToken(tok string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) < 4 {
		return "", false
	}
	last := string(b[4:])
	if binary.BigEndian.Uint32(b) != crc32.ChecksumIEEE([]byte(listingTokenMagic+last)) {
		return "", false
	}
	return last, true
}

// --- ListObjectVersions ---------------------------------------------------

type listingVersionEntry struct {
	XMLName      xml.Name      `xml:"Version"`
	Key          string        `xml:"Key"`
	VersionID    string        `xml:"VersionId"`
	IsLatest     bool          `xml:"IsLatest"`
	LastModified string        `xml:"LastModified"`
	ETag         string        `xml:"ETag"`
	Size         int64         `xml:"Size"`
	Owner        *listingOwner `xml:"Owner"`
	StorageClass string        `xml:"StorageClass"`
}

type listingDeleteMarkerEntry struct {
	XMLName      xml.Name      `xml:"DeleteMarker"`
	Owner        *listingOwner `xml:"Owner"`
	Key          string        `xml:"Key"`
	VersionID    string        `xml:"VersionId"`
	IsLatest     bool          `xml:"IsLatest"`
	LastModified string        `xml:"LastModified"`
}

type listingVersionsResult struct {
	XMLName             xml.Name        `xml:"ListVersionsResult"`
	Xmlns               string          `xml:"xmlns,attr"`
	Name                string          `xml:"Name"`
	Prefix              string          `xml:"Prefix"`
	KeyMarker           string          `xml:"KeyMarker"`
	VersionIDMarker     string          `xml:"VersionIdMarker"`
	NextKeyMarker       *string         `xml:"NextKeyMarker"`
	NextVersionIDMarker *string         `xml:"NextVersionIdMarker"`
	MaxKeys             int             `xml:"MaxKeys"`
	Delimiter           *string         `xml:"Delimiter"`
	EncodingType        string          `xml:"EncodingType,omitempty"`
	IsTruncated         bool            `xml:"IsTruncated"`
	Entries             []any           // listingVersionEntry and listingDeleteMarkerEntry, in listing order
	CommonPrefixes      []listingPrefix `xml:"CommonPrefixes"`
}

func listingVersionID(id string) string {
	if id == "" {
		return "null"
	}
	return id
}

func (h *Handler) listObjectVersions(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	q := listingQuery(req.Query)
	maxKeys, e := listingLimit(q, "max-keys")
	if e != nil {
		WriteError(w, r, e)
		return
	}
	keyMarker := q.get("key-marker")
	if q.has("version-id-marker") {
		if keyMarker == "" {
			WriteError(w, r, listingArgError("A version-id marker cannot be specified without a key marker.", "version-id-marker", q.get("version-id-marker"), true))
			return
		}
		if q.get("version-id-marker") == "" {
			WriteError(w, r, listingArgError("A version-id marker cannot be empty.", "version-id-marker", "", true))
			return
		}
	}
	all, err := h.listingVersions(req.Bucket)
	if err != nil {
		WriteError(w, r, listingBucketError(req.Bucket, err))
		return
	}
	encType, e := listingEncoding(q)
	if e != nil {
		WriteError(w, r, e)
		return
	}
	if maxKeys < 0 {
		WriteError(w, r, listingArgError("max-keys cannot be negative", "max-keys", "", false))
		return
	}
	enc := listingEncoder(encType != "")

	// Start after key-marker, or after version-id-marker within it.
	versionMarker := q.get("version-id-marker")
	start := len(all)
	for i, v := range all {
		if v.key > keyMarker {
			start = i
			break
		}
	}
	if versionMarker != "" {
		found := slices.IndexFunc(all, func(v listingVersion) bool {
			return v.key == keyMarker && listingVersionID(v.versionID) == versionMarker
		})
		switch {
		case found >= 0:
			start = found + 1
		case versionMarker == "null":
			// "null" is always a valid version ID. The version it names may
			// be gone since the last page (a client deleting as it pages, as
			// cleanup code does): S3 goes on from where it stood, so resume
			// at the key's first remaining version rather than refuse.
			if first := slices.IndexFunc(all, func(v listingVersion) bool { return v.key == keyMarker }); first >= 0 {
				start = first
			}
		default:
			WriteError(w, r, listingArgError("Invalid version id specified", "version-id-marker", versionMarker, true))
			return
		}
	}
	prefix, delimiter := q.get("prefix"), q.get("delimiter")
	rows, truncated := listingWalk(all[start:], func(v listingVersion) string { return v.key }, prefix, delimiter, keyMarker, maxKeys)

	owner := &listingOwner{ID: req.OwnerID, DisplayName: req.OwnerName}
	res := listingVersionsResult{Xmlns: listingNS, Name: req.Bucket, Prefix: enc.s(prefix), KeyMarker: enc.s(keyMarker),
		VersionIDMarker: versionMarker, MaxKeys: maxKeys, Delimiter: listingOptional(q, "delimiter", enc),
		EncodingType: encType, IsTruncated: truncated}
	var prefixes []string
	for _, row := range rows {
		if row.prefix != "" {
			prefixes = append(prefixes, row.prefix)
			continue
		}
		v := row.item
		if v.deleteMarker {
			res.Entries = append(res.Entries, listingDeleteMarkerEntry{Owner: owner, Key: enc.s(v.key),
				VersionID: listingVersionID(v.versionID), IsLatest: v.latest, LastModified: listingTime(v.modified)})
			continue
		}
		res.Entries = append(res.Entries, listingVersionEntry{Key: enc.s(v.key), VersionID: listingVersionID(v.versionID),
			IsLatest: v.latest, LastModified: listingTime(v.modified), ETag: v.etag, Size: v.size, Owner: owner,
			StorageClass: listingStorage})
	}
	res.CommonPrefixes = enc.prefixes(prefixes)
	if truncated {
		last := rows[len(rows)-1]
		if last.prefix != "" {
			next := enc.s(last.prefix)
			res.NextKeyMarker = &next
		} else {
			next, id := enc.s(last.item.key), listingVersionID(last.item.versionID)
			res.NextKeyMarker, res.NextVersionIDMarker = &next, &id
		}
	}
	listingWriteXML(w, r, res)
}

// --- ListMultipartUploads -------------------------------------------------

type listingUpload struct {
	key, id   string
	initiated time.Time
}

type listingUploadEntry struct {
	Key          string       `xml:"Key"`
	UploadID     string       `xml:"UploadId"`
	Initiator    listingOwner `xml:"Initiator"`
	Owner        listingOwner `xml:"Owner"`
	StorageClass string       `xml:"StorageClass"`
	Initiated    string       `xml:"Initiated"`
}

type listingUploadsResult struct {
	XMLName            xml.Name             `xml:"ListMultipartUploadsResult"`
	Xmlns              string               `xml:"xmlns,attr"`
	Bucket             string               `xml:"Bucket"`
	KeyMarker          string               `xml:"KeyMarker"`
	UploadIDMarker     string               `xml:"UploadIdMarker"`
	NextKeyMarker      string               `xml:"NextKeyMarker"`
	NextUploadIDMarker string               `xml:"NextUploadIdMarker"`
	Delimiter          *string              `xml:"Delimiter"`
	Prefix             *string              `xml:"Prefix"`
	MaxUploads         int                  `xml:"MaxUploads"`
	EncodingType       string               `xml:"EncodingType,omitempty"`
	IsTruncated        bool                 `xml:"IsTruncated"`
	Uploads            []listingUploadEntry `xml:"Upload"`
	CommonPrefixes     []listingPrefix      `xml:"CommonPrefixes"`
}

// listingUploads returns every upload in progress in the bucket, sorted by
// key and, per key, in the order they were initiated. gofakes3 keeps
// uploads to itself (the memory backend is no MultipartBackend), so they
// are read page by page through its own ListMultipartUploads.
func (h *Handler) listingUploads(r *http.Request, bucket string) ([]listingUpload, error) {
	type page struct {
		IsTruncated        bool
		NextKeyMarker      string
		NextUploadIdMarker string
		Upload             []struct {
			Key, UploadId, Initiated string
		}
	}
	var out []listingUpload
	seen := map[string]bool{}
	q := url.Values{"uploads": {""}, "max-uploads": {"1000"}}
	for {
		fr, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/"+url.PathEscape(bucket)+"?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		rec := &listingRecorder{header: http.Header{}}
		h.fake.ServeHTTP(rec, fr)
		if rec.status != 0 && rec.status != http.StatusOK {
			var fe struct{ Code string }
			_ = xml.Unmarshal(rec.body.Bytes(), &fe)
			if fe.Code == string(gofakes3.ErrNoSuchUpload) {
				return out, nil // gofakes3 has never seen an upload in this bucket
			}
			return nil, errors.New("s3compat: listing uploads: " + strconv.Itoa(rec.status) + " " + fe.Code)
		}
		var p page
		if err := xml.Unmarshal(rec.body.Bytes(), &p); err != nil {
			return nil, err
		}
		for _, u := range p.Upload {
			if seen[u.UploadId] {
				continue
			}
			seen[u.UploadId] = true
			t, _ := time.Parse(time.RFC3339Nano, u.Initiated)
			out = append(out, listingUpload{key: u.Key, id: u.UploadId, initiated: t})
		}
		if !p.IsTruncated || p.NextKeyMarker == "" {
			break
		}
		q.Set("key-marker", p.NextKeyMarker)
		q.Set("upload-id-marker", p.NextUploadIdMarker)
	}
	slices.SortStableFunc(out, func(a, b listingUpload) int { return strings.Compare(a.key, b.key) })
	return out, nil
}

func (h *Handler) listMultipartUploads(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	q := listingQuery(req.Query)
	maxUploads, e := listingLimit(q, "max-uploads")
	if e != nil {
		WriteError(w, r, e)
		return
	}
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		if err != nil {
			WriteError(w, r, listingInternal())
		} else {
			WriteError(w, r, listingNoSuchBucket(req.Bucket))
		}
		return
	}
	encType, e := listingEncoding(q)
	if e != nil {
		WriteError(w, r, e)
		return
	}
	if maxUploads < 0 {
		WriteError(w, r, listingArgError("Argument max-uploads must be an integer between 0 and 2147483647", "max-uploads", strconv.Itoa(maxUploads), true))
		return
	}
	all, err := h.listingUploads(r, req.Bucket)
	if err != nil {
		WriteError(w, r, listingInternal())
		return
	}
	enc := listingEncoder(encType != "")

	keyMarker := q.get("key-marker")
	idMarker := ""
	if keyMarker != "" {
		idMarker = q.get("upload-id-marker") // ignored without key-marker
	}
	start := len(all)
	for i, u := range all {
		if u.key > keyMarker {
			start = i
			break
		}
	}
	if idMarker != "" {
		found := slices.IndexFunc(all, func(u listingUpload) bool { return u.key == keyMarker && u.id == idMarker })
		if found < 0 {
			WriteError(w, r, listingArgError("Invalid uploadId marker", "upload-id-marker", idMarker, true))
			return
		}
		start = found + 1
	}
	prefix, delimiter := q.get("prefix"), q.get("delimiter")
	rows, truncated := listingWalk(all[start:], func(u listingUpload) string { return u.key }, prefix, delimiter, keyMarker, maxUploads)

	owner := listingOwner{ID: req.OwnerID, DisplayName: req.OwnerName}
	res := listingUploadsResult{Xmlns: listingNS, Bucket: req.Bucket, KeyMarker: enc.s(keyMarker), UploadIDMarker: idMarker,
		Delimiter: listingOptional(q, "delimiter", enc), Prefix: listingOptional(q, "prefix", enc),
		MaxUploads: maxUploads, EncodingType: encType, IsTruncated: truncated}
	var prefixes []string
	for _, row := range rows {
		if row.prefix != "" {
			prefixes = append(prefixes, row.prefix)
			continue
		}
		u := row.item
		res.Uploads = append(res.Uploads, listingUploadEntry{Key: enc.s(u.key), UploadID: u.id, Initiator: owner,
			Owner: owner, StorageClass: listingStorage, Initiated: listingTime(u.initiated)})
	}
	res.CommonPrefixes = enc.prefixes(prefixes)
	if truncated {
		if last := rows[len(rows)-1]; last.prefix != "" {
			res.NextKeyMarker = enc.s(last.prefix)
		} else {
			res.NextKeyMarker, res.NextUploadIDMarker = enc.s(last.item.key), last.item.id
		}
	}
	listingWriteXML(w, r, res)
}

// listingRecorder captures gofakes3's answer to an internal request.
type listingRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *listingRecorder) Header() http.Header { return rec.header }

func (rec *listingRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *listingRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

// listingWriteXML writes a 200 listing body; quotes in ETags come out as
// &quot; as in S3's own listings.
func listingWriteXML(w http.ResponseWriter, r *http.Request, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		WriteError(w, r, listingInternal())
		return
	}
	out = bytes.ReplaceAll(out, []byte("&#34;"), []byte("&quot;"))
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
}
