package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Listing: ListObjects (V1), ListObjectsV2, ListObjectVersions and
// ListMultipartUploads. The store yields keys in order from a position;
// paging, delimiter grouping, markers and encoding-type are applied here,
// and a page never holds more than max-keys rows in memory: a common
// prefix is skipped by starting the store's iteration again past it.

// maxPageSize is the most rows a listing page holds.
const maxPageSize = 1000

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// pageLimit parses max-keys or max-uploads: absent means 1000, values
// above 1000 are served as 1000. A value that is no int32 is refused here
// (before the bucket is looked up, as S3 does); a negative one is returned
// as is for the caller to refuse after the lookup.
func pageLimit(q url.Values, name string) (int, *s3err.Error) {
	if !q.Has(name) {
		return maxPageSize, nil
	}
	v := q.Get(name)
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || v == "" || v[0] == '+' {
		return 0, errInvalidArgument("Provided "+name+" not an integer or within integer range", name).With("ArgumentValue", v)
	}
	return int(min(n, maxPageSize)), nil
}

// encodingType reads encoding-type: only "url" (in any case) is valid;
// the value is echoed as sent.
func encodingType(q url.Values) (string, *s3err.Error) {
	if !q.Has("encoding-type") {
		return "", nil
	}
	v := q.Get("encoding-type")
	if !strings.EqualFold(v, "url") {
		return "", errInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type").With("ArgumentValue", v)
	}
	return v, nil
}

// keyEncoder applies encoding-type=url to key-like response fields the
// way S3 does: letters, digits and - _ . / * stay, space becomes +, every
// other byte is %XX in upper case.
type keyEncoder bool

func (enc keyEncoder) encode(v string) string {
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

func (enc keyEncoder) prefixes(rows []string) []commonPrefix {
	out := make([]commonPrefix, len(rows))
	for i, p := range rows {
		out[i] = commonPrefix{Prefix: enc.encode(p)}
	}
	return out
}

// echoParam is a query value that is echoed only when sent non-empty.
func echoParam(q url.Values, name string, enc keyEncoder) *string {
	if v := q.Get(name); v != "" {
		s := enc.encode(v)
		return &s
	}
	return nil
}

// pageRow is one row of a listing page: an item or, when prefix is set, a
// common prefix standing for every item under it.
type pageRow[T any] struct {
	item   T
	prefix string
}

// afterAll is the position past every key that starts with p: keys are
// UTF-8, which has no 0xFF byte.
func afterAll(p string) string { return p + "\xff" }

// page reads one page of rows from an ordered source of items. first
// starts the iteration at the request's position; from(after) starts it
// again past a common prefix. Keys under prefix with delimiter after the
// prefix roll up into one common prefix each (skipping a common prefix
// that sorts at or before marker, which the previous page returned or was
// inside). It stops after max rows; truncated reports whether any row is
// left. Both sources call fn in key order until it returns false.
func page[T any](first func(fn func(T) bool) error, from func(after string, fn func(T) bool) error,
	keyOf func(T) string, prefix, delimiter, marker string, max int) (rows []pageRow[T], truncated bool, err error) {
	if max <= 0 {
		return nil, false, nil
	}
	skipTo := ""
	visit := func(item T) bool {
		k := keyOf(item)
		if !strings.HasPrefix(k, prefix) {
			return true
		}
		if delimiter != "" {
			if j := strings.Index(k[len(prefix):], delimiter); j >= 0 {
				cp := k[:len(prefix)+j+len(delimiter)]
				if marker == "" || cp > marker {
					if len(rows) == max {
						truncated = true
						return false
					}
					rows = append(rows, pageRow[T]{prefix: cp})
				}
				skipTo = afterAll(cp)
				return false
			}
		}
		if len(rows) == max {
			truncated = true
			return false
		}
		rows = append(rows, pageRow[T]{item: item})
		return true
	}
	err = first(visit)
	for err == nil && skipTo != "" && !truncated {
		after := skipTo
		skipTo = ""
		err = from(after, visit)
	}
	return rows, truncated, err
}

// storageClass is a stored storage class as S3 lists it: STANDARD when
// none was asked for.
func storageClass(class string) string {
	if class == "" {
		return "STANDARD"
	}
	return class
}

// --- ListObjects and ListObjectsV2 ---------------------------------------

type objectEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	listedChecksum
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

type listV1Result struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	Xmlns          string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	NextMarker     *string        `xml:"NextMarker"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      *string        `xml:"Delimiter"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	Contents       []objectEntry  `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type listV2Result struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	ContinuationToken     *string        `xml:"ContinuationToken"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             *string        `xml:"Delimiter"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	StartAfter            *string        `xml:"StartAfter"`
	Contents              []objectEntry  `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

func (h *Handler) listObjects(w http.ResponseWriter, req *Request, v2 bool) error {
	r := req.HTTP
	q := req.Query
	if v2 {
		if q.Has("marker") {
			return errInvalidArgument("Marker unsupported with REST.GET.BUCKET in list-type=2", "marker")
		}
	} else {
		if q.Has("continuation-token") {
			return errInvalidArgument("continuation-token only supported in REST.GET.BUCKET with list-type=2", "continuation-token")
		}
		if q.Has("start-after") {
			return errInvalidArgument("startAfter only supported in REST.GET.BUCKET with list-type=2", "start-after")
		}
	}
	maxKeys, e := pageLimit(q, "max-keys")
	if e != nil {
		return e
	}
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	if maxKeys < 0 {
		return errInvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys").
			With("ArgumentValue", strconv.Itoa(maxKeys))
	}
	encType, e := encodingType(q)
	if e != nil {
		return e
	}
	enc := keyEncoder(encType != "")

	marker := q.Get("marker")
	if v2 {
		marker = q.Get("start-after")
		if q.Get("continuation-token") != "" { // an empty token lists from the start
			m, ok := decodeContinuation(q.Get("continuation-token"))
			if !ok {
				return errInvalidArgument("The continuation token provided is incorrect", "continuation-token").
					With("ArgumentValue", q.Get("continuation-token"))
			}
			marker = m
		}
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	from := func(after string, fn func(*store.Version) bool) error {
		return h.store.ListObjects(req.Bucket, prefix, after, fn)
	}
	rows, truncated, err := page(func(fn func(*store.Version) bool) error { return from(marker, fn) }, from,
		func(v *store.Version) string { return v.Key }, prefix, delimiter, marker, maxKeys)
	if err != nil {
		return err
	}

	ownerOf, err := h.owners(req)
	if err != nil {
		return err
	}
	fetchOwner := !v2 || strings.EqualFold(q.Get("fetch-owner"), "true")
	var contents []objectEntry
	var prefixes []string
	last := ""
	for _, row := range rows {
		if row.prefix != "" {
			prefixes = append(prefixes, row.prefix)
			last = row.prefix
			continue
		}
		v := row.item
		var own *owner
		if fetchOwner {
			o := ownerOf(&v.ObjectMeta)
			own = &o
		}
		contents = append(contents, objectEntry{Key: enc.encode(v.Key), LastModified: s3Time(v.LastModified),
			ETag: quoteETag(v.ETag), listedChecksum: listedChecksumOf(v.Checksum), Size: v.Size, Owner: own, StorageClass: storageClass(v.StorageClass)})
		last = v.Key
	}

	if !v2 {
		res := listV1Result{Xmlns: xmlns, Name: req.Bucket, Prefix: enc.encode(prefix), Marker: enc.encode(q.Get("marker")),
			MaxKeys: maxKeys, Delimiter: echoParam(q, "delimiter", enc), EncodingType: encType,
			IsTruncated: truncated, Contents: contents, CommonPrefixes: enc.prefixes(prefixes)}
		if truncated && delimiter != "" {
			next := enc.encode(last)
			res.NextMarker = &next
		}
		return writeXML(w, r, res)
	}
	res := listV2Result{Xmlns: xmlns, Name: req.Bucket, Prefix: enc.encode(prefix), KeyCount: len(rows),
		MaxKeys: maxKeys, Delimiter: echoParam(q, "delimiter", enc), EncodingType: encType,
		IsTruncated: truncated, StartAfter: echoParam(q, "start-after", enc),
		Contents: contents, CommonPrefixes: enc.prefixes(prefixes)}
	if q.Has("continuation-token") {
		t := q.Get("continuation-token")
		res.ContinuationToken = &t
	}
	if truncated {
		res.NextContinuationToken = encodeContinuation(last)
	}
	return writeXML(w, r, res)
}

// Continuation tokens are opaque to clients: the base64 of a checksum and
// the last key or common prefix returned, so a token this emulator did not
// issue is refused as S3 refuses it.
const continuationMagic = "s3vpce/1:"

func encodeContinuation(last string) string {
	b := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(continuationMagic+last)))
	return base64.StdEncoding.EncodeToString(append(b, last...))
}

func decodeContinuation(tok string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) < 4 {
		return "", false
	}
	last := string(b[4:])
	if binary.BigEndian.Uint32(b) != crc32.ChecksumIEEE([]byte(continuationMagic+last)) {
		return "", false
	}
	return last, true
}

// --- ListObjectVersions ---------------------------------------------------

type versionEntry struct {
	XMLName      xml.Name `xml:"Version"`
	Key          string   `xml:"Key"`
	VersionID    string   `xml:"VersionId"`
	IsLatest     bool     `xml:"IsLatest"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	listedChecksum
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
}

type deleteMarkerEntry struct {
	XMLName      xml.Name `xml:"DeleteMarker"`
	Owner        *owner   `xml:"Owner"`
	Key          string   `xml:"Key"`
	VersionID    string   `xml:"VersionId"`
	IsLatest     bool     `xml:"IsLatest"`
	LastModified string   `xml:"LastModified"`
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Xmlns               string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       *string        `xml:"NextKeyMarker"`
	NextVersionIDMarker *string        `xml:"NextVersionIdMarker"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           *string        `xml:"Delimiter"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []any          // versionEntry and deleteMarkerEntry, in listing order
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

func (h *Handler) listObjectVersions(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	q := req.Query
	maxKeys, e := pageLimit(q, "max-keys")
	if e != nil {
		return e
	}
	keyMarker := q.Get("key-marker")
	if q.Has("version-id-marker") {
		if keyMarker == "" {
			return errInvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker").
				With("ArgumentValue", q.Get("version-id-marker"))
		}
		if q.Get("version-id-marker") == "" {
			return errInvalidArgument("A version-id marker cannot be empty.", "version-id-marker").With("ArgumentValue", "")
		}
	}
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	encType, e := encodingType(q)
	if e != nil {
		return e
	}
	if maxKeys < 0 {
		return errInvalidArgument("max-keys cannot be negative", "max-keys")
	}
	enc := keyEncoder(encType != "")

	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	versionMarker := q.Get("version-id-marker")
	from := func(after string, fn func(*store.Version) bool) error {
		return h.store.ListVersions(req.Bucket, prefix, after, "", fn)
	}
	// Start after key-marker, or after version-id-marker within it.
	first := func(fn func(*store.Version) bool) error {
		return h.store.ListVersions(req.Bucket, prefix, keyMarker, versionMarker, fn)
	}
	if versionMarker != "" {
		_, err := h.store.Object(req.Bucket, keyMarker, versionMarker)
		switch {
		case err == nil:
		case versionMarker == store.NullVersionID && (errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrNoSuchKey)):
			// "null" is always a valid version ID. The version it names may
			// be gone since the last page (a client deleting as it pages, as
			// cleanup code does): S3 goes on from where it stood, so resume
			// at the key's first remaining version rather than refuse.
			first = func(fn func(*store.Version) bool) error {
				return h.versionsFromKey(req.Bucket, prefix, keyMarker, fn)
			}
		case errors.Is(err, store.ErrNoSuchVersion), errors.Is(err, store.ErrNoSuchKey):
			return errInvalidVersionID("version-id-marker", versionMarker)
		default:
			return err
		}
	}
	rows, truncated, err := page(first, from, func(v *store.Version) string { return v.Key }, prefix, delimiter, keyMarker, maxKeys)
	if err != nil {
		return err
	}

	ownerOf, err := h.owners(req)
	if err != nil {
		return err
	}
	res := listVersionsResult{Xmlns: xmlns, Name: req.Bucket, Prefix: enc.encode(prefix), KeyMarker: enc.encode(keyMarker),
		VersionIDMarker: versionMarker, MaxKeys: maxKeys, Delimiter: echoParam(q, "delimiter", enc),
		EncodingType: encType, IsTruncated: truncated}
	var prefixes []string
	for _, row := range rows {
		if row.prefix != "" {
			prefixes = append(prefixes, row.prefix)
			continue
		}
		v := row.item
		o := ownerOf(&v.ObjectMeta)
		own := &o
		if v.DeleteMarker {
			res.Entries = append(res.Entries, deleteMarkerEntry{Owner: own, Key: enc.encode(v.Key),
				VersionID: v.VersionID, IsLatest: v.IsLatest, LastModified: s3Time(v.LastModified)})
			continue
		}
		res.Entries = append(res.Entries, versionEntry{Key: enc.encode(v.Key), VersionID: v.VersionID,
			IsLatest: v.IsLatest, LastModified: s3Time(v.LastModified), ETag: quoteETag(v.ETag), Size: v.Size, Owner: own,
			StorageClass: storageClass(v.StorageClass), listedChecksum: listedChecksumOf(v.Checksum)})
	}
	res.CommonPrefixes = enc.prefixes(prefixes)
	if truncated {
		last := rows[len(rows)-1]
		if last.prefix != "" {
			next := enc.encode(last.prefix)
			res.NextKeyMarker = &next
		} else {
			next, id := enc.encode(last.item.Key), last.item.VersionID
			res.NextKeyMarker, res.NextVersionIDMarker = &next, &id
		}
	}
	return writeXML(w, r, res)
}

// versionsFromKey calls fn with every version of key (when it is under
// prefix), then with the versions of the keys after it, until fn returns
// false.
func (h *Handler) versionsFromKey(bucket, prefix, key string, fn func(*store.Version) bool) error {
	stopped := false
	if strings.HasPrefix(key, prefix) {
		err := h.store.ListVersions(bucket, key, "", "", func(v *store.Version) bool {
			if v.Key != key {
				return false
			}
			if !fn(v) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil || stopped {
			return err
		}
	}
	return h.store.ListVersions(bucket, prefix, key, "", fn)
}

// --- ListMultipartUploads -------------------------------------------------

type uploadEntry struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiator    owner  `xml:"Initiator"`
	Owner        owner  `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
	Initiated    string `xml:"Initiated"`
}

type listUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	Xmlns              string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Delimiter          *string        `xml:"Delimiter"`
	Prefix             *string        `xml:"Prefix"`
	MaxUploads         int            `xml:"MaxUploads"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

func (h *Handler) listMultipartUploads(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	q := req.Query
	maxUploads, e := pageLimit(q, "max-uploads")
	if e != nil {
		return e
	}
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	encType, e := encodingType(q)
	if e != nil {
		return e
	}
	if maxUploads < 0 {
		return errInvalidArgument("Argument max-uploads must be an integer between 0 and 2147483647", "max-uploads").
			With("ArgumentValue", strconv.Itoa(maxUploads))
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	// Uploads in progress are few: the store hands them over at once.
	all, err := h.store.Uploads(req.Bucket, prefix)
	if err != nil {
		return err
	}
	enc := keyEncoder(encType != "")

	keyMarker := q.Get("key-marker")
	idMarker := ""
	if keyMarker != "" {
		idMarker = q.Get("upload-id-marker") // ignored without key-marker
	}
	// after returns the index of the first upload of a key after k.
	after := func(k string) int {
		for i, u := range all {
			if u.Key > k {
				return i
			}
		}
		return len(all)
	}
	start := after(keyMarker)
	if idMarker != "" {
		found := -1
		for i, u := range all {
			if u.Key == keyMarker && u.ID == idMarker {
				found = i
			}
		}
		if found < 0 {
			return errInvalidArgument("Invalid uploadId marker", "upload-id-marker").With("ArgumentValue", idMarker)
		}
		start = found + 1
	}
	each := func(from int, fn func(*store.Upload) bool) error {
		for _, u := range all[from:] {
			if !fn(u) {
				break
			}
		}
		return nil
	}
	rows, truncated, _ := page(func(fn func(*store.Upload) bool) error { return each(start, fn) },
		func(k string, fn func(*store.Upload) bool) error { return each(after(k), fn) },
		func(u *store.Upload) string { return u.Key }, prefix, delimiter, keyMarker, maxUploads)

	ownerOf, err := h.owners(req)
	if err != nil {
		return err
	}
	res := listUploadsResult{Xmlns: xmlns, Bucket: req.Bucket, KeyMarker: enc.encode(keyMarker), UploadIDMarker: idMarker,
		Delimiter: echoParam(q, "delimiter", enc), Prefix: echoParam(q, "prefix", enc),
		MaxUploads: maxUploads, EncodingType: encType, IsTruncated: truncated}
	var prefixes []string
	for _, row := range rows {
		if row.prefix != "" {
			prefixes = append(prefixes, row.prefix)
			continue
		}
		u := row.item
		res.Uploads = append(res.Uploads, uploadEntry{Key: enc.encode(u.Key), UploadID: u.ID, Initiator: initiator(req, &u.Meta),
			Owner: ownerOf(&u.Meta), StorageClass: storageClass(u.Meta.StorageClass), Initiated: s3Time(u.Initiated)})
	}
	res.CommonPrefixes = enc.prefixes(prefixes)
	if truncated {
		if last := rows[len(rows)-1]; last.prefix != "" {
			res.NextKeyMarker = enc.encode(last.prefix)
		} else {
			res.NextKeyMarker, res.NextUploadIDMarker = enc.encode(last.item.Key), last.item.ID
		}
	}
	return writeXML(w, r, res)
}
