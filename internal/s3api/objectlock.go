package s3api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// S3 Object Lock: the bucket's configuration (enabled, default retention)
// in store.Bucket.Config[configObjectLock]; each version's retention and
// legal hold in its ObjectMeta.Extra (extraRetention, extraLegalHold).
// Retention is in force while its date is after the request's clock
// (Request.Now).

const (
	// configObjectLock holds the JSON of objectLockConfiguration; present
	// once lock is enabled (it cannot be disabled).
	configObjectLock = "object-lock"
	// extraRetention holds the JSON of versionRetention.
	extraRetention = "retention"
	// extraLegalHold holds "ON" or "OFF".
	extraLegalHold = "legal-hold"
)

// The retention modes and legal hold statuses S3 accepts (case sensitive).
const (
	modeGovernance = "GOVERNANCE"
	modeCompliance = "COMPLIANCE"
	legalHoldOn    = "ON"
	legalHoldOff   = "OFF"
)

// S3's limits on a default retention period.
const (
	maxRetentionDays  = 36500
	maxRetentionYears = 100
)

// objectLockConfiguration is the body of Put/GetObjectLockConfiguration.
type objectLockConfiguration struct {
	XMLName           xml.Name        `xml:"ObjectLockConfiguration" json:"-"`
	Xmlns             string          `xml:"xmlns,attr,omitempty" json:"-"`
	ObjectLockEnabled string          `xml:"ObjectLockEnabled,omitempty" json:"enabled"`
	Rule              *objectLockRule `xml:"Rule,omitempty" json:"rule,omitempty"`
}

type objectLockRule struct {
	DefaultRetention *defaultRetention `xml:"DefaultRetention" json:"defaultRetention,omitempty"`
}

type defaultRetention struct {
	Mode  string `xml:"Mode,omitempty" json:"mode"`
	Days  *int   `xml:"Days,omitempty" json:"days,omitempty"`
	Years *int   `xml:"Years,omitempty" json:"years,omitempty"`
}

// objectRetention is the body of Put/GetObjectRetention.
type objectRetention struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

// objectLegalHold is the body of Put/GetObjectLegalHold.
type objectLegalHold struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

// versionRetention is a version's retention as stored.
type versionRetention struct {
	Mode  string    `json:"mode"`
	Until time.Time `json:"until"`
}

// objectLockOf is the bucket's Object Lock configuration; nil when lock
// is not enabled.
func objectLockOf(b *store.Bucket) (*objectLockConfiguration, error) {
	if _, ok := b.Config[configObjectLock]; !ok {
		return nil, nil // the usual case, without an allocation
	}
	var c objectLockConfiguration
	set, _, err := readConfig(b, configObjectLock, &c)
	if err != nil || !set {
		return nil, err
	}
	return &c, nil
}

func errLockNotConfigured() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidRequest", "Bucket is missing Object Lock Configuration")
}

// errLocked is S3's refusal to remove a version under retention or legal
// hold.
func errLocked() *s3err.Error {
	return s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied because object protected by object lock.")
}

func errLockInvalidBucketState(msg string) *s3err.Error {
	return s3err.New(http.StatusConflict, "InvalidBucketState", msg)
}

// lockOnCreate enables Object Lock (and versioning) on a bucket being
// created with x-amz-bucket-object-lock-enabled: true.
func lockOnCreate(hdr http.Header, b *store.Bucket) *s3err.Error {
	v := strings.TrimSpace(reqHeader(hdr, "X-Amz-Bucket-Object-Lock-Enabled"))
	switch {
	case v == "" || strings.EqualFold(v, "false"):
		return nil
	case !strings.EqualFold(v, "true"):
		return errInvalidArgument("Invalid x-amz-bucket-object-lock-enabled header: "+v, "x-amz-bucket-object-lock-enabled").With("ArgumentValue", v)
	}
	if b.Config == nil {
		b.Config = map[string][]byte{}
	}
	b.Config[configObjectLock], _ = json.Marshal(objectLockConfiguration{ObjectLockEnabled: "Enabled"})
	b.Versioning = store.Enabled
	return nil
}

// lockRefusesVersioning is S3's refusal to suspend versioning on a bucket
// with Object Lock; nil when the change is allowed.
func lockRefusesVersioning(b *store.Bucket, status store.Versioning) *s3err.Error {
	if status == store.Enabled {
		return nil
	}
	if lc, err := objectLockOf(b); err != nil || lc == nil {
		return nil
	}
	return errLockInvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
}

// serveObjectLockConfiguration answers Get and PutObjectLockConfiguration.
func (h *Handler) serveObjectLockConfiguration(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	lc, err := objectLockOf(b)
	if err != nil {
		return err
	}
	if req.Op == "GetObjectLockConfiguration" {
		if lc == nil {
			return s3err.New(http.StatusNotFound, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket").
				With("BucketName", req.Bucket)
		}
		lc.Xmlns = xmlns
		return writeXML(w, req.HTTP, lc)
	}
	in, serr := readLockConfiguration(req)
	if serr != nil {
		return serr
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("s3api: object lock configuration: %w", err)
	}
	// Lock may be enabled on an existing bucket whose versioning is
	// Enabled (S3 allows it since November 2023); the check runs in the
	// update's transaction.
	if _, err := h.store.UpdateBucket(req.Bucket, func(b *store.Bucket) error {
		if _, ok := b.Config[configObjectLock]; !ok && b.Versioning != store.Enabled {
			return errLockInvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
		}
		if b.Config == nil {
			b.Config = map[string][]byte{}
		}
		b.Config[configObjectLock] = raw
		return nil
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// readLockConfiguration reads and validates PutObjectLockConfiguration's
// body as S3 does.
func readLockConfiguration(req *Request) (*objectLockConfiguration, *s3err.Error) {
	doc, serr := readCheckedDocument(req, "Content-MD5 OR x-amz-checksum-*")
	if serr != nil {
		return nil, serr
	}
	var in objectLockConfiguration
	if len(doc) == 0 || len(doc) > maxDocument || xml.NewDecoder(bytes.NewReader(doc)).Decode(&in) != nil {
		return nil, s3err.MalformedXML()
	}
	if in.ObjectLockEnabled != "Enabled" {
		return nil, s3err.MalformedXML()
	}
	if in.Rule == nil {
		return &in, nil
	}
	d := in.Rule.DefaultRetention
	if d == nil || (d.Mode != modeGovernance && d.Mode != modeCompliance) || (d.Days != nil) == (d.Years != nil) {
		return nil, s3err.MalformedXML()
	}
	switch {
	case d.Days != nil && *d.Days <= 0, d.Years != nil && *d.Years <= 0:
		return nil, s3err.New(http.StatusBadRequest, "InvalidRetentionPeriod", "Default retention period must be a positive integer value.")
	case d.Days != nil && *d.Days > maxRetentionDays, d.Years != nil && *d.Years > maxRetentionYears:
		return nil, s3err.New(http.StatusBadRequest, "InvalidRetentionPeriod", "Default retention period is too large.")
	}
	return &in, nil
}

// retentionOf is a version's retention; ok is false when it has none.
func retentionOf(v *store.Version) (versionRetention, bool) {
	raw := v.Extra[extraRetention]
	if raw == nil {
		return versionRetention{}, false // the usual case, without an allocation
	}
	var r versionRetention
	if json.Unmarshal(raw, &r) != nil || r.Mode == "" {
		return versionRetention{}, false
	}
	return r, true
}

// legalHoldOf is a version's legal hold status, "" when never set.
func legalHoldOf(v *store.Version) string { return string(v.Extra[extraLegalHold]) }

func setExtra(meta *store.ObjectMeta, name string, value []byte) {
	if meta.Extra == nil {
		meta.Extra = map[string][]byte{}
	}
	if value == nil {
		delete(meta.Extra, name)
		return
	}
	meta.Extra[name] = value
}

func setRetention(meta *store.ObjectMeta, r *versionRetention) {
	if r == nil {
		setExtra(meta, extraRetention, nil)
		return
	}
	raw, _ := json.Marshal(r)
	setExtra(meta, extraRetention, raw)
}

// parseLockDate parses a retain-until date as S3 takes it: ISO 8601 with
// a zone.
func parseLockDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t.UTC(), err == nil
}

// writeLockHeaders reports v's retention and legal hold on GET and HEAD.
func writeLockHeaders(hdr http.Header, v *store.Version) {
	if r, ok := retentionOf(v); ok {
		hdr.Set("X-Amz-Object-Lock-Mode", r.Mode)
		hdr.Set("X-Amz-Object-Lock-Retain-Until-Date", s3Time(r.Until))
	}
	if lh := legalHoldOf(v); lh != "" {
		hdr.Set("X-Amz-Object-Lock-Legal-Hold", lh)
	}
}

// lockOnWrite applies Object Lock to the metadata of a version being
// written (PutObject, CopyObject, CreateMultipartUpload): the
// x-amz-object-lock-* headers, checked as S3 does, else the bucket's
// default retention counted from the request's time. The headers are
// refused on a bucket without lock.
func (h *Handler) lockOnWrite(req *Request, meta *store.ObjectMeta) *s3err.Error {
	hdr := req.HTTP.Header
	for _, k := range []string{"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold"} {
		delete(meta.Headers, k) // kept in Extra, reported by writeLockHeaders
	}
	mode, date, hold := reqHeader(hdr, "X-Amz-Object-Lock-Mode"), reqHeader(hdr, "X-Amz-Object-Lock-Retain-Until-Date"), reqHeader(hdr, "X-Amz-Object-Lock-Legal-Hold")
	b, err := h.store.ViewBucket(req.Bucket) // read only
	if err != nil {
		return h.storeError(req, requestTarget(req), err)
	}
	lc, err := objectLockOf(b)
	if err != nil {
		return h.storeError(req, requestTarget(req), err)
	}
	if lc == nil {
		if mode != "" || date != "" || hold != "" {
			return errLockNotConfigured()
		}
		return nil
	}
	switch {
	case (mode == "") != (date == ""):
		return errInvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", "x-amz-object-lock-retain-until-date")
	case mode != "":
		if mode != modeGovernance && mode != modeCompliance {
			return errInvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode").With("ArgumentValue", mode)
		}
		until, ok := parseLockDate(date)
		if !ok {
			return errInvalidArgument("The retain until date must be in the future!", "x-amz-object-lock-retain-until-date").With("ArgumentValue", date)
		}
		if !until.After(req.Now) {
			return errInvalidArgument("The retain until date must be in the future!", "x-amz-object-lock-retain-until-date").With("ArgumentValue", date)
		}
		setRetention(meta, &versionRetention{Mode: mode, Until: until})
	case lc.Rule != nil && lc.Rule.DefaultRetention != nil:
		d := lc.Rule.DefaultRetention
		now := req.Now.UTC()
		until := now
		if d.Days != nil {
			until = now.AddDate(0, 0, *d.Days)
		} else if d.Years != nil {
			until = now.AddDate(*d.Years, 0, 0)
		}
		setRetention(meta, &versionRetention{Mode: d.Mode, Until: until})
	}
	if hold != "" {
		if hold != legalHoldOn && hold != legalHoldOff {
			return errInvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold").With("ArgumentValue", hold)
		}
		setExtra(meta, extraLegalHold, []byte(hold))
	}
	return nil
}

// lockNeedsDigest is S3's refusal of a PutObject with Object Lock
// headers and neither Content-MD5 nor an additional checksum (header or
// trailer, known once the body is read: v.Checksum).
func lockNeedsDigest(req *Request, v *store.Version) *s3err.Error {
	hdr := req.HTTP.Header
	if reqHeader(hdr, "X-Amz-Object-Lock-Mode") == "" && reqHeader(hdr, "X-Amz-Object-Lock-Retain-Until-Date") == "" && reqHeader(hdr, "X-Amz-Object-Lock-Legal-Hold") == "" {
		return nil
	}
	if hasDigest(hdr) || v.Checksum.Algorithm != "" {
		return nil
	}
	return s3err.New(http.StatusBadRequest, "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
}

// bypassGovernance reports whether the request asks to bypass GOVERNANCE
// retention. The gate has already required s3:BypassGovernanceRetention
// of the caller for a request with the header (policy's Conditional).
func bypassGovernance(req *Request) bool {
	return strings.EqualFold(strings.TrimSpace(reqHeader(req.HTTP.Header, "X-Amz-Bypass-Governance-Retention")), "true")
}

// lockDeleteCheck is the check a delete of one version runs in the
// store's transaction on a bucket with Object Lock: a version under legal
// hold, or under retention still in force at the request's time, is not
// removed (GOVERNANCE yields to x-amz-bypass-governance-retention,
// COMPLIANCE to nothing). nil when the bucket has no lock.
func (h *Handler) lockDeleteCheck(req *Request) (func(v *store.Version) error, error) {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return nil, err
	}
	lc, err := objectLockOf(b)
	if err != nil || lc == nil {
		return nil, err
	}
	now, bypass := req.Now, bypassGovernance(req)
	return func(v *store.Version) error {
		if lockHolds(v, now, bypass) {
			return errLocked()
		}
		return nil
	}, nil
}

// lockHolds reports whether object lock forbids removing version v at now:
// a legal hold, or a retention date still ahead (GOVERNANCE lifted by
// bypass). Delete markers are never locked.
func lockHolds(v *store.Version, now time.Time, bypass bool) bool {
	if v.DeleteMarker {
		return false
	}
	if legalHoldOf(v) == legalHoldOn {
		return true
	}
	r, ok := retentionOf(v)
	if !ok || !r.Until.After(now) {
		return false
	}
	return !(r.Mode == modeGovernance && bypass)
}

// lockedVersion looks up the version an object lock operation is about
// (?versionId, else the current one) on a bucket with lock.
func (h *Handler) lockedVersion(req *Request) (*store.Version, error) {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return nil, err
	}
	lc, err := objectLockOf(b)
	if err != nil {
		return nil, err
	}
	if lc == nil {
		return nil, errLockNotConfigured()
	}
	v, _, serr := h.lookupVersion(req)
	if serr != nil {
		return nil, serr
	}
	return v, nil
}

func errNoObjectLock() *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
}

// serveObjectRetention answers Get and PutObjectRetention.
func (h *Handler) serveObjectRetention(w http.ResponseWriter, req *Request) error {
	v, err := h.lockedVersion(req)
	if err != nil {
		return err
	}
	if req.Op == "GetObjectRetention" {
		r, ok := retentionOf(v)
		if !ok {
			return errNoObjectLock()
		}
		return writeXML(w, req.HTTP, &objectRetention{Xmlns: xmlns, Mode: r.Mode, RetainUntilDate: s3Time(r.Until)})
	}
	var in objectRetention
	if serr := readXML(req.HTTP, maxDocument, &in); serr != nil {
		return serr
	}
	var want *versionRetention
	switch {
	case in.Mode == "" && in.RetainUntilDate == "":
		// An empty Retention removes it.
	case in.Mode != modeGovernance && in.Mode != modeCompliance, in.RetainUntilDate == "":
		return s3err.MalformedXML()
	default:
		until, ok := parseLockDate(in.RetainUntilDate)
		if !ok {
			return s3err.MalformedXML()
		}
		if !until.After(req.Now) {
			return errInvalidArgument("The retain until date must be in the future!", "RetainUntilDate").With("ArgumentValue", in.RetainUntilDate)
		}
		want = &versionRetention{Mode: in.Mode, Until: until}
	}
	now, bypass := req.Now, bypassGovernance(req)
	_, err = h.store.UpdateObject(req.Bucket, req.Key, v.VersionID, func(cur *store.Version) error {
		if cur.DeleteMarker {
			return errMarkerMethod(req, cur)
		}
		if old, ok := retentionOf(cur); ok && old.Until.After(now) {
			// Only lengthening, in the same mode, needs no permission;
			// COMPLIANCE allows nothing else, GOVERNANCE the bypass.
			extends := want != nil && want.Mode == old.Mode && !want.Until.Before(old.Until)
			if !extends && (old.Mode == modeCompliance || !bypass) {
				return s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
			}
		}
		setRetention(&cur.ObjectMeta, want)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// errMarkerMethod is S3's answer to a lock operation on a delete marker
// named by version ID.
func errMarkerMethod(req *Request, v *store.Version) *s3err.Error {
	e := s3err.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		With("Method", req.HTTP.Method).With("ResourceType", "DeleteMarker")
	e.Header = map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": v.VersionID, "Allow": "DELETE"}
	return e
}

// serveObjectLegalHold answers Get and PutObjectLegalHold.
func (h *Handler) serveObjectLegalHold(w http.ResponseWriter, req *Request) error {
	v, err := h.lockedVersion(req)
	if err != nil {
		return err
	}
	if req.Op == "GetObjectLegalHold" {
		lh := legalHoldOf(v)
		if lh == "" {
			return errNoObjectLock()
		}
		return writeXML(w, req.HTTP, &objectLegalHold{Xmlns: xmlns, Status: lh})
	}
	var in objectLegalHold
	if serr := readXML(req.HTTP, maxDocument, &in); serr != nil {
		return serr
	}
	if in.Status != legalHoldOn && in.Status != legalHoldOff {
		return s3err.MalformedXML()
	}
	if _, err := h.store.UpdateObject(req.Bucket, req.Key, v.VersionID, func(cur *store.Version) error {
		if cur.DeleteMarker {
			return errMarkerMethod(req, cur)
		}
		setExtra(&cur.ObjectMeta, extraLegalHold, []byte(in.Status))
		return nil
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// deleteChecked deletes key (versionID "") or one version of it, the
// latter only if lockDeleteCheck allows.
func (h *Handler) deleteChecked(req *Request, key, versionID string) (store.DeleteResult, error) {
	if versionID == "" {
		return h.store.DeleteObject(req.Bucket, key, "", nil)
	}
	check, err := h.lockDeleteCheck(req)
	if err != nil {
		return store.DeleteResult{}, err
	}
	return h.store.DeleteVersion(req.Bucket, key, versionID, check)
}
