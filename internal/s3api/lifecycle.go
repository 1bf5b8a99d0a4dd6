package s3api

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// configLifecycle names the bucket's lifecycle configuration in
// store.Bucket.Config: the JSON of a lifecycleConfiguration, validated.
const configLifecycle = "lifecycle"

// lifecycleConfiguration is the body of Put/GetBucketLifecycleConfiguration
// (and of the older Put/GetBucketLifecycle, the same request). Pointers keep
// what the writer gave apart from what it left out, so a GET returns the
// rules in the shape they were PUT (a top-level Prefix stays one).
type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration" json:"-"`
	Xmlns   string          `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []lifecycleRule `xml:"Rule" json:"rules"`
}

type lifecycleRule struct {
	Expiration                     *lcExpiration            `xml:"Expiration" json:"expiration,omitempty"`
	ID                             string                   `xml:"ID" json:"id"`
	Prefix                         *string                  `xml:"Prefix" json:"prefix,omitempty"`
	Filter                         *lcFilter                `xml:"Filter" json:"filter,omitempty"`
	Status                         string                   `xml:"Status" json:"status"`
	Transitions                    []lcTransition           `xml:"Transition" json:"transitions,omitempty"`
	NoncurrentVersionTransitions   []lcNoncurrentTransition `xml:"NoncurrentVersionTransition" json:"noncurrentTransitions,omitempty"`
	NoncurrentVersionExpiration    *lcNoncurrentExpiration  `xml:"NoncurrentVersionExpiration" json:"noncurrentExpiration,omitempty"`
	AbortIncompleteMultipartUpload *lcAbort                 `xml:"AbortIncompleteMultipartUpload" json:"abort,omitempty"`
}

// lcFilter is a rule's Filter: at most one predicate, or And.
type lcFilter struct {
	Prefix                *string    `xml:"Prefix" json:"prefix,omitempty"`
	Tag                   *store.Tag `xml:"Tag" json:"tag,omitempty"`
	ObjectSizeGreaterThan *int64     `xml:"ObjectSizeGreaterThan" json:"gt,omitempty"`
	ObjectSizeLessThan    *int64     `xml:"ObjectSizeLessThan" json:"lt,omitempty"`
	And                   *lcAnd     `xml:"And" json:"and,omitempty"`
}

type lcAnd struct {
	Prefix                *string     `xml:"Prefix" json:"prefix,omitempty"`
	Tags                  []store.Tag `xml:"Tag" json:"tags,omitempty"`
	ObjectSizeGreaterThan *int64      `xml:"ObjectSizeGreaterThan" json:"gt,omitempty"`
	ObjectSizeLessThan    *int64      `xml:"ObjectSizeLessThan" json:"lt,omitempty"`
}

type lcExpiration struct {
	// Date is RFC 3339 in the request; stored and returned as
	// lcDateFormat.
	Date                      *string `xml:"Date" json:"date,omitempty"`
	Days                      *int    `xml:"Days" json:"days,omitempty"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker" json:"eodm,omitempty"`
}

type lcTransition struct {
	Date         *string `xml:"Date" json:"date,omitempty"`
	Days         *int    `xml:"Days" json:"days,omitempty"`
	StorageClass string  `xml:"StorageClass" json:"class"`
}

type lcNoncurrentTransition struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays" json:"days,omitempty"`
	StorageClass            string `xml:"StorageClass" json:"class"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions" json:"newer,omitempty"`
}

type lcNoncurrentExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays" json:"days,omitempty"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions" json:"newer,omitempty"`
}

type lcAbort struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation" json:"days,omitempty"`
}

// S3's limits on a lifecycle configuration.
const (
	maxLifecycleRules  = 1000
	maxLifecycleRuleID = 255
	// maxNewerNoncurrent bounds NewerNoncurrentVersions.
	maxNewerNoncurrent = 100
)

// lcDateFormat is how S3 returns a rule's Date.
const lcDateFormat = "2006-01-02T15:04:05.000Z"

// transitionDefaultMinimum is the x-amz-transition-default-minimum-object-size
// S3 reports for a configuration PUT without one (its default since 2024).
const transitionDefaultMinimum = "all_storage_classes_128K"

// lcStorageClasses are the storage classes a transition may name.
var lcStorageClasses = map[string]bool{
	"GLACIER": true, "STANDARD_IA": true, "ONEZONE_IA": true, "INTELLIGENT_TIERING": true,
	"DEEP_ARCHIVE": true, "GLACIER_IR": true,
}

// serveLifecycle answers Get/PutBucketLifecycleConfiguration and
// DeleteBucketLifecycle.
func (h *Handler) serveLifecycle(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	switch req.Op {
	case "GetBucketLifecycleConfiguration":
		c, err := lifecycleOf(b)
		if err != nil {
			return err
		}
		if c == nil {
			return s3err.New(http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist").
				With("BucketName", req.Bucket)
		}
		c.Xmlns = xmlns
		w.Header().Set("X-Amz-Transition-Default-Minimum-Object-Size", transitionDefaultMinimum)
		return writeXML(w, req.HTTP, c)
	case "DeleteBucketLifecycle":
		return h.resetConfig(w, req, configLifecycle)
	}
	c, serr := readLifecycle(req)
	if serr != nil {
		return serr
	}
	if serr := validateLifecycle(c, req.HTTP.Header); serr != nil {
		return serr
	}
	w.Header().Set("X-Amz-Transition-Default-Minimum-Object-Size", transitionDefaultMinimum)
	return h.setConfig(w, req, configLifecycle, c, http.StatusOK)
}

// lifecycleOf is the bucket's lifecycle configuration; nil when none.
func lifecycleOf(b *store.Bucket) (*lifecycleConfiguration, error) {
	if _, ok := b.Config[configLifecycle]; !ok {
		return nil, nil // the usual case, without an allocation
	}
	var c lifecycleConfiguration
	set, _, err := readConfig(b, configLifecycle, &c)
	if err != nil || !set {
		return nil, err
	}
	return &c, nil
}

// readLifecycle reads the configuration document. S3 requires it to carry
// an integrity check: Content-MD5 (verified here) or an additional
// checksum (verified by the emulator as the body is read).
func readLifecycle(req *Request) (*lifecycleConfiguration, *s3err.Error) {
	doc, serr := readCheckedDocument(req, "Content-MD5")
	if serr != nil {
		return nil, serr
	}
	var c lifecycleConfiguration
	if len(doc) == 0 || len(doc) > maxDocument || xml.Unmarshal(doc, &c) != nil {
		return nil, s3err.MalformedXML()
	}
	return &c, nil
}

// invalidArgument is S3's InvalidArgument with the argument named.
func invalidArgument(msg, name, value string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidArgument", msg).With("ArgumentName", name).With("ArgumentValue", value)
}

// validateLifecycle applies S3's rules to c, normalising it for storage:
// a missing rule ID is generated, dates are rewritten as S3 returns them.
func validateLifecycle(c *lifecycleConfiguration, hdr http.Header) *s3err.Error {
	if len(c.Rules) == 0 || len(c.Rules) > maxLifecycleRules {
		return s3err.MalformedXML()
	}
	if m := reqHeader(hdr, "X-Amz-Transition-Default-Minimum-Object-Size"); m != "" && m != "all_storage_classes_128K" && m != "varies_by_storage_class" {
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "Invalid TransitionDefaultMinimumObjectSize found: "+m)
	}
	ids := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.ID == "" {
			r.ID = newRuleID()
		}
		if len(r.ID) > maxLifecycleRuleID {
			return invalidArgument("ID length should not exceed allowed limit of 255", "ID", r.ID)
		}
		if ids[r.ID] {
			return invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", r.ID)
		}
		ids[r.ID] = true
		if serr := validateRule(r); serr != nil {
			return serr
		}
	}
	return nil
}

// newRuleID is the ID S3 gives a rule PUT without one: a random string.
func newRuleID() string {
	var b [30]byte
	rand.Read(b[:])
	return strings.TrimRight(base32.StdEncoding.EncodeToString(b[:]), "=")[:48]
}

func validateRule(r *lifecycleRule) *s3err.Error {
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return s3err.MalformedXML()
	}
	if (r.Prefix == nil) == (r.Filter == nil) {
		return s3err.MalformedXML()
	}
	tagged := false
	if f := r.Filter; f != nil {
		n := 0
		for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil, f.And != nil} {
			if set {
				n++
			}
		}
		if n > 1 {
			return s3err.MalformedXML()
		}
		tagged = f.Tag != nil
		if a := f.And; a != nil {
			if len(a.Tags) > 0 {
				tagged = true
			}
			seen := map[string]bool{}
			for _, t := range a.Tags {
				if seen[t.Key] {
					return s3err.New(http.StatusBadRequest, "InvalidRequest", "Duplicate Tag Keys are not allowed.")
				}
				seen[t.Key] = true
			}
			if serr := validateSizes(a.ObjectSizeGreaterThan, a.ObjectSizeLessThan); serr != nil {
				return serr
			}
		}
		if serr := validateSizes(f.ObjectSizeGreaterThan, f.ObjectSizeLessThan); serr != nil {
			return serr
		}
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil &&
		len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 {
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "At least one action needs to be specified in a rule")
	}
	if e := r.Expiration; e != nil {
		set := 0
		for _, b := range []bool{e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil} {
			if b {
				set++
			}
		}
		if set != 1 {
			return s3err.MalformedXML()
		}
		if e.Days != nil && *e.Days <= 0 {
			return invalidArgument("'Days' for Expiration action must be a positive integer", "Days", strconv.Itoa(*e.Days))
		}
		if e.Date != nil {
			d, serr := lifecycleDate(*e.Date)
			if serr != nil {
				return serr
			}
			*e.Date = d.Format(lcDateFormat)
		}
		if e.ExpiredObjectDeleteMarker != nil && tagged {
			return s3err.New(http.StatusBadRequest, "InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with tag-based filter.")
		}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil {
			return s3err.MalformedXML()
		}
		if *a.DaysAfterInitiation <= 0 {
			return invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
				"DaysAfterInitiation", strconv.Itoa(*a.DaysAfterInitiation))
		}
		if tagged {
			return s3err.New(http.StatusBadRequest, "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if n.NoncurrentDays == nil && n.NewerNoncurrentVersions == nil {
			return s3err.MalformedXML()
		}
		if n.NoncurrentDays != nil && *n.NoncurrentDays <= 0 {
			return invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
				"NoncurrentDays", strconv.Itoa(*n.NoncurrentDays))
		}
		if serr := validateNewer(n.NewerNoncurrentVersions); serr != nil {
			return serr
		}
	}
	return validateTransitions(r)
}

// validateSizes checks an object size range: both bounds non-negative,
// the lower below the upper.
func validateSizes(gt, lt *int64) *s3err.Error {
	if gt != nil && *gt < 0 {
		return invalidArgument("'ObjectSizeGreaterThan' should be a non-negative integer", "ObjectSizeGreaterThan", strconv.FormatInt(*gt, 10))
	}
	if lt != nil && *lt <= 0 {
		return invalidArgument("'ObjectSizeLessThan' should be a positive integer", "ObjectSizeLessThan", strconv.FormatInt(*lt, 10))
	}
	if gt != nil && lt != nil && *gt >= *lt {
		return invalidArgument("ObjectSizeGreaterThan must be less than ObjectSizeLessThan", "ObjectSizeGreaterThan", strconv.FormatInt(*gt, 10))
	}
	return nil
}

func validateNewer(n *int) *s3err.Error {
	if n != nil && (*n <= 0 || *n > maxNewerNoncurrent) {
		return invalidArgument("'NewerNoncurrentVersions' must be a positive integer up to 100", "NewerNoncurrentVersions", strconv.Itoa(*n))
	}
	return nil
}

// validateTransitions checks a rule's transitions, which s3vpce stores
// and returns but does not apply (it has one storage class).
func validateTransitions(r *lifecycleRule) *s3err.Error {
	classes := map[string]bool{}
	lastDays := -1
	for i := range r.Transitions {
		t := &r.Transitions[i]
		if !lcStorageClasses[t.StorageClass] || (t.Days == nil) == (t.Date == nil) || classes[t.StorageClass] {
			return s3err.MalformedXML()
		}
		classes[t.StorageClass] = true
		if t.Date != nil {
			d, serr := lifecycleDate(*t.Date)
			if serr != nil {
				return serr
			}
			*t.Date = d.Format(lcDateFormat)
			continue
		}
		days := *t.Days
		if days < 0 {
			return invalidArgument("'Days' in Transition action must be nonnegative", "Days", strconv.Itoa(days))
		}
		if (t.StorageClass == "STANDARD_IA" || t.StorageClass == "ONEZONE_IA") && days < 30 {
			return invalidArgument(fmt.Sprintf("'Days' in Transition action for StorageClass %s for current objects must be at least 30.", t.StorageClass),
				"Days", strconv.Itoa(days))
		}
		if days <= lastDays {
			return invalidArgument("'Days' in the Transition actions must be in increasing order", "Days", strconv.Itoa(days))
		}
		lastDays = days
	}
	if e := r.Expiration; e != nil && e.Days != nil && lastDays >= 0 && *e.Days <= lastDays {
		return invalidArgument("'Days' in the Expiration action must be greater than 'Days' in the Transition action",
			"Days", strconv.Itoa(*e.Days))
	}
	classes = map[string]bool{}
	for _, t := range r.NoncurrentVersionTransitions {
		if !lcStorageClasses[t.StorageClass] || t.NoncurrentDays == nil || classes[t.StorageClass] {
			return s3err.MalformedXML()
		}
		classes[t.StorageClass] = true
		days := *t.NoncurrentDays
		if days < 0 {
			return invalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative", "NoncurrentDays", strconv.Itoa(days))
		}
		if (t.StorageClass == "STANDARD_IA" || t.StorageClass == "ONEZONE_IA") && days < 30 {
			return invalidArgument(fmt.Sprintf("'NoncurrentDays' in NoncurrentVersionTransition action for StorageClass %s must be at least 30.", t.StorageClass),
				"NoncurrentDays", strconv.Itoa(days))
		}
		if serr := validateNewer(t.NewerNoncurrentVersions); serr != nil {
			return serr
		}
	}
	return nil
}

// lifecycleDate parses a rule's Date (ISO 8601), which must be a
// midnight UTC.
func lifecycleDate(s string) (time.Time, *s3err.Error) {
	d, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		if d, err = time.Parse("2006-01-02", strings.TrimSpace(s)); err != nil {
			return time.Time{}, s3err.MalformedXML()
		}
	}
	if _, off := d.Zone(); off != 0 || !d.Equal(d.Truncate(24*time.Hour)) {
		return time.Time{}, invalidArgument("'Date' must be at midnight GMT", "Date", s)
	}
	return d.UTC(), nil
}

// ---- matching (the expiration header and the lifecycle worker)

// enabled reports whether the rule applies.
func (r *lifecycleRule) enabled() bool { return r.Status == "Enabled" }

// matches reports whether the rule's filter selects an object with this
// key, size and tags.
func (r *lifecycleRule) matches(key string, size int64, tags []store.Tag) bool {
	if r.Prefix != nil {
		return strings.HasPrefix(key, *r.Prefix)
	}
	f := r.Filter
	if f == nil {
		return true
	}
	hasTag := func(t store.Tag) bool {
		for _, o := range tags {
			if o.Key == t.Key && o.Value == t.Value {
				return true
			}
		}
		return false
	}
	sizeOK := func(gt, lt *int64) bool {
		return (gt == nil || size > *gt) && (lt == nil || size < *lt)
	}
	switch {
	case f.Prefix != nil:
		return strings.HasPrefix(key, *f.Prefix)
	case f.Tag != nil:
		return hasTag(*f.Tag)
	case f.And != nil:
		a := f.And
		if a.Prefix != nil && !strings.HasPrefix(key, *a.Prefix) {
			return false
		}
		for _, t := range a.Tags {
			if !hasTag(t) {
				return false
			}
		}
		return sizeOK(a.ObjectSizeGreaterThan, a.ObjectSizeLessThan)
	}
	return sizeOK(f.ObjectSizeGreaterThan, f.ObjectSizeLessThan)
}

// matchesUpload reports whether the rule selects a multipart upload of
// key: uploads have no tags and no size yet, so only prefixes count.
func (r *lifecycleRule) matchesUpload(key string) bool {
	var p *string
	switch f := r.Filter; {
	case r.Prefix != nil:
		p = r.Prefix
	case f == nil:
	case f.Prefix != nil:
		p = f.Prefix
	case f.And != nil:
		p = f.And.Prefix
	}
	return p == nil || strings.HasPrefix(key, *p)
}

// ceilDay rounds t up to the next multiple of day since the Unix epoch:
// with a 24-hour day, S3's "next midnight UTC".
func ceilDay(t time.Time, day time.Duration) time.Time {
	n := t.UnixNano()
	d := int64(day)
	if r := n % d; r != 0 {
		if r < 0 {
			r += d
		}
		n += d - r
	}
	return time.Unix(0, n).UTC()
}

// expiryOf is when the rule's Expiration expires a current version last
// modified at mtime, with a day of length day; zero when the rule has no
// Days or Date.
func (r *lifecycleRule) expiryOf(mtime time.Time, day time.Duration) time.Time {
	e := r.Expiration
	switch {
	case e == nil:
		return time.Time{}
	case e.Days != nil:
		return ceilDay(mtime.Add(time.Duration(*e.Days)*day), day)
	case e.Date != nil:
		d, err := time.Parse(lcDateFormat, *e.Date)
		if err != nil {
			return time.Time{}
		}
		return d
	}
	return time.Time{}
}

// expirationHeader is S3's x-amz-expiration for a current version v of a
// bucket with lifecycle configuration c: the earliest expiry among the
// enabled rules that expire it, in S3's calendar (24-hour days, whatever
// the worker's day), and that rule's ID; "" when none does.
func expirationHeader(c *lifecycleConfiguration, v *store.Version) string {
	if c == nil || v == nil || v.DeleteMarker {
		return ""
	}
	var best time.Time
	id := ""
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.enabled() || !r.matches(v.Key, v.Size, v.Tags) {
			continue
		}
		if at := r.expiryOf(v.LastModified, 24*time.Hour); !at.IsZero() && (id == "" || at.Before(best)) {
			best, id = at, r.ID
		}
	}
	if id == "" {
		return ""
	}
	return fmt.Sprintf(`expiry-date="%s", rule-id="%s"`, best.Format(http.TimeFormat), strings.ReplaceAll(url.QueryEscape(id), "+", "%20"))
}

// setExpiration sets x-amz-expiration on a response about version v of the
// request's bucket when a lifecycle rule expires it.
func (h *Handler) setExpiration(w http.ResponseWriter, req *Request, v *store.Version) {
	if v == nil || !v.IsLatest && req.Query.Get("versionId") != "" {
		return
	}
	b, err := h.store.ViewBucket(req.Bucket) // read only
	if err != nil {
		return
	}
	c, err := lifecycleOf(b)
	if err != nil || c == nil {
		return
	}
	if s := expirationHeader(c, v); s != "" {
		w.Header().Set("X-Amz-Expiration", s)
	}
}
