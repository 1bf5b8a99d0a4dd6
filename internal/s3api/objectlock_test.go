package s3api_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestObjectLockConfigurationSDK: CreateBucket with lock enables
// versioning and lock; PutObjectLockConfiguration's validation and
// bucket-state rules; versioning cannot be suspended once lock is on.
func TestObjectLockConfigurationSDK(t *testing.T) {
	_, c := newServer(t)
	ctx := t.Context()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}

	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("locked")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning of a bucket created with lock: %v %v, want Enabled", v, err)
	}
	got, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	if err != nil || got.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || got.ObjectLockConfiguration.Rule != nil {
		t.Fatalf("GetObjectLockConfiguration after create: %+v %v", got, err)
	}
	if _, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("plain")}); apiError(err) != "ObjectLockConfigurationNotFoundError: Object Lock configuration does not exist for this bucket" {
		t.Errorf("GetObjectLockConfiguration without lock: %s", apiError(err))
	}

	rule := func(mode types.ObjectLockRetentionMode, days, years int32) *types.ObjectLockConfiguration {
		d := &types.DefaultRetention{Mode: mode}
		if days != 0 {
			d.Days = aws.Int32(days)
		}
		if years != 0 {
			d.Years = aws.Int32(years)
		}
		return &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled, Rule: &types.ObjectLockRule{DefaultRetention: d}}
	}
	for _, tt := range []struct {
		name   string
		bucket string
		conf   *types.ObjectLockConfiguration
		want   string // "" for success
	}{
		{"governance days", "locked", rule(types.ObjectLockRetentionModeGovernance, 1, 0), ""},
		{"compliance years", "locked", rule(types.ObjectLockRetentionModeCompliance, 0, 1), ""},
		{"days and years", "locked", rule(types.ObjectLockRetentionModeGovernance, 1, 1), "MalformedXML"},
		{"neither days nor years", "locked", rule(types.ObjectLockRetentionModeGovernance, 0, 0), "MalformedXML"},
		{"negative years", "locked", rule(types.ObjectLockRetentionModeGovernance, 0, -1), "InvalidRetentionPeriod: Default retention period must be a positive integer value."},
		{"too many days", "locked", rule(types.ObjectLockRetentionModeGovernance, 36501, 0), "InvalidRetentionPeriod: Default retention period is too large."},
		{"lower case mode", "locked", rule("governance", 1, 0), "MalformedXML"},
		{"disabled", "locked", &types.ObjectLockConfiguration{ObjectLockEnabled: "Disabled"}, "MalformedXML"},
		{"unversioned bucket", "plain", rule(types.ObjectLockRetentionModeGovernance, 1, 0), "InvalidBucketState: Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(tt.bucket), ObjectLockConfiguration: tt.conf})
			if got := apiError(err); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
				t.Fatalf("PutObjectLockConfiguration: %q, want %q", got, tt.want)
			}
		})
	}
	got, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	if err != nil || got.ObjectLockConfiguration.Rule == nil || got.ObjectLockConfiguration.Rule.DefaultRetention.Mode != types.ObjectLockRetentionModeCompliance ||
		aws.ToInt32(got.ObjectLockConfiguration.Rule.DefaultRetention.Years) != 1 || got.ObjectLockConfiguration.Rule.DefaultRetention.Days != nil {
		t.Fatalf("GetObjectLockConfiguration: %+v %v, want the last rule put", got.ObjectLockConfiguration, err)
	}

	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("locked"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); apiError(err) != "InvalidBucketState: An Object Lock configuration is present on this bucket, so the versioning state cannot be changed." {
		t.Errorf("suspending versioning under lock: %s", apiError(err))
	}

	// An existing bucket takes lock once its versioning is Enabled.
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("plain"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("plain"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}}); err != nil {
		t.Fatalf("enabling lock on a versioned bucket: %v", err)
	}
}

// TestObjectLockWriteSDK: lock set at write time (PutObject, CopyObject,
// CreateMultipartUpload) and by default retention is reported by HEAD and
// Get/PutObjectRetention and LegalHold; the lock operations on a bucket
// without lock are InvalidRequest.
func TestObjectLockWriteSDK(t *testing.T) {
	_, c := newServer(t, "plain")
	ctx := t.Context()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	until := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("locked"), Key: aws.String("copy"), CopySource: aws.String("locked/k"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(until)}); err != nil {
		t.Fatal(err)
	}
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("locked"), Key: aws.String("mp"), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("locked"), Key: aws.String("mp"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("locked"), Key: aws.String("mp"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key   string
		mode  types.ObjectLockMode
		until *time.Time
		hold  types.ObjectLockLegalHoldStatus
	}{
		{"k", types.ObjectLockModeGovernance, &until, types.ObjectLockLegalHoldStatusOn},
		{"copy", types.ObjectLockModeCompliance, &until, ""}, // a copy does not take the source's lock
		{"mp", "", nil, types.ObjectLockLegalHoldStatusOn},
	} {
		t.Run("head "+tt.key, func(t *testing.T) {
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("locked"), Key: aws.String(tt.key)})
			if err != nil {
				t.Fatal(err)
			}
			if h.ObjectLockMode != tt.mode || h.ObjectLockLegalHoldStatus != tt.hold || (tt.until == nil) != (h.ObjectLockRetainUntilDate == nil) ||
				(tt.until != nil && !h.ObjectLockRetainUntilDate.Equal(*tt.until)) {
				t.Errorf("HEAD: mode %q until %v hold %q, want %q %v %q", h.ObjectLockMode, h.ObjectLockRetainUntilDate, h.ObjectLockLegalHoldStatus, tt.mode, tt.until, tt.hold)
			}
			r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("locked"), Key: aws.String(tt.key)})
			if tt.until == nil {
				if apiError(err) != "NoSuchObjectLockConfiguration: The specified object does not have a ObjectLock configuration" {
					t.Errorf("GetObjectRetention without retention: %s", apiError(err))
				}
			} else if err != nil || r.Retention.Mode != types.ObjectLockRetentionMode(tt.mode) || !r.Retention.RetainUntilDate.Equal(*tt.until) {
				t.Errorf("GetObjectRetention: %+v %v", r, err)
			}
		})
	}

	// Default retention: counted from the write.
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("locked"), ObjectLockConfiguration: &types.ObjectLockConfiguration{
		ObjectLockEnabled: types.ObjectLockEnabledEnabled,
		Rule:              &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(2)}}}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Truncate(time.Second)
	put(t, c, "locked", "dflt", "d")
	r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("locked"), Key: aws.String("dflt")})
	if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeGovernance ||
		r.Retention.RetainUntilDate.Before(before.AddDate(0, 0, 2)) || r.Retention.RetainUntilDate.After(time.Now().AddDate(0, 0, 2)) {
		t.Errorf("default retention of 2 days: %+v %v", r, err)
	}

	lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k")})
	if err != nil || lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("GetObjectLegalHold: %+v %v", lh, err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k"), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	if lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k")}); err != nil || lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOff {
		t.Errorf("GetObjectLegalHold after OFF: %+v %v", lh, err)
	}

	put(t, c, "plain", "k", "x")
	const missing = "InvalidRequest: Bucket is missing Object Lock Configuration"
	for name, call := range map[string]func() error{
		"GetObjectRetention": func() error {
			_, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("k")})
			return err
		},
		"PutObjectLegalHold": func() error {
			_, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("plain"), Key: aws.String("k"), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
			return err
		},
		"PutObject with a lock header": func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader("x"), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
			return err
		},
	} {
		t.Run("no lock: "+name, func(t *testing.T) {
			if got := apiError(call()); got != missing {
				t.Errorf("%s, want %s", got, missing)
			}
		})
	}
}

// lockFixture is an emulator on a settable clock with a lock-enabled
// bucket "lkb".
func lockFixture(t *testing.T) (*emulatortest.Server, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	srv := emulatortest.New(t, emulatortest.WithOptions(func(o *emulator.Options) { o.Now = clock.now }))
	r := doAt(t, srv, clock.now(), "PUT", "/lkb", nil, map[string]string{"x-amz-bucket-object-lock-enabled": "true"})
	if r.Status != http.StatusOK {
		t.Fatalf("CreateBucket with lock: %d %s", r.Status, r.Body)
	}
	return srv, clock
}

// lockedPut writes key with the headers (a Content-MD5 added) and returns
// its version ID.
func lockedPut(t *testing.T, srv *emulatortest.Server, clock *testClock, key string, hdr map[string]string) string {
	t.Helper()
	sum := md5.Sum([]byte("body"))
	h := map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}
	for k, v := range hdr {
		h[k] = v
	}
	r := doAt(t, srv, clock.now(), "PUT", "/lkb/"+key, []byte("body"), h)
	if r.Status != http.StatusOK || r.Header.Get("x-amz-version-id") == "" {
		t.Fatalf("PUT %s: %d %s (version %q)", key, r.Status, r.Body, r.Header.Get("x-amz-version-id"))
	}
	return r.Header.Get("x-amz-version-id")
}

// TestObjectLockRequestErrors: the errors S3 gives to malformed lock
// headers and documents, over raw HTTP.
func TestObjectLockRequestErrors(t *testing.T) {
	srv, clock := lockFixture(t)
	future := clock.now().Add(time.Hour).Format(time.RFC3339)
	past := clock.now().Add(-time.Hour).Format(time.RFC3339)
	conf := []byte(`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`)
	sum := md5.Sum(conf)
	goodMD5 := base64.StdEncoding.EncodeToString(sum[:])
	badSum := md5.Sum([]byte("other"))
	crcX := crc32Of("x")
	for _, tt := range []struct {
		name      string
		method    string
		path      string
		body      []byte
		hdr       map[string]string
		status    int
		code, msg string
	}{
		{"mode without date", "PUT", "/lkb/k", []byte("x"), map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-checksum-crc32": crcX},
			400, "InvalidArgument", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
		{"unknown mode", "PUT", "/lkb/k", []byte("x"), map[string]string{"x-amz-object-lock-mode": "governance", "x-amz-object-lock-retain-until-date": future, "x-amz-checksum-crc32": crcX},
			400, "InvalidArgument", "Unknown wormMode directive."},
		{"date in the past", "PUT", "/lkb/k", []byte("x"), map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": past, "x-amz-checksum-crc32": crcX},
			400, "InvalidArgument", "The retain until date must be in the future!"},
		{"bad legal hold", "PUT", "/lkb/k", []byte("x"), map[string]string{"x-amz-object-lock-legal-hold": "on", "x-amz-checksum-crc32": crcX},
			400, "InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'"},
		{"lock headers without a digest", "PUT", "/lkb/k", []byte("x"), map[string]string{"x-amz-object-lock-legal-hold": "ON"},
			400, "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters"},
		{"configuration without a digest", "PUT", "/lkb?object-lock", conf, nil,
			400, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{"configuration with a wrong Content-MD5", "PUT", "/lkb?object-lock", conf, map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(badSum[:])},
			400, "BadDigest", "The Content-MD5 you specified did not match what we received."},
		{"configuration that is not XML", "PUT", "/lkb?object-lock", []byte("nope"), map[string]string{"x-amz-checksum-crc32": crc32Of("nope")},
			400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
		{"retention with a bad mode", "PUT", "/lkb/k?retention", []byte(`<Retention><Mode>abc</Mode><RetainUntilDate>` + future + `</RetainUntilDate></Retention>`), nil,
			400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
		{"retention in the past", "PUT", "/lkb/k?retention", []byte(`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>` + past + `</RetainUntilDate></Retention>`), nil,
			400, "InvalidArgument", "The retain until date must be in the future!"},
		{"legal hold with a bad status", "PUT", "/lkb/k?legal-hold", []byte(`<LegalHold><Status>abc</Status></LegalHold>`), nil,
			400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
		{"legal hold never set", "GET", "/lkb/k?legal-hold", nil, nil,
			404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "/lkb?object-lock" {
				lockedPut(t, srv, clock, "k", nil)
			}
			r := doAt(t, srv, clock.now(), tt.method, tt.path, tt.body, tt.hdr)
			if r.Status != tt.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.status)
			}
			if e := errorOf(t, r); e.Code != tt.code || e.Message != tt.msg {
				t.Errorf("%s: %s, want %s: %s", e.Code, e.Message, tt.code, tt.msg)
			}
		})
	}
	r := doAt(t, srv, clock.now(), "PUT", "/lkb?object-lock", conf, map[string]string{"Content-MD5": goodMD5})
	if r.Status != http.StatusOK {
		t.Errorf("configuration with its Content-MD5: %d %s", r.Status, r.Body)
	}
}

// TestObjectLockEnforcement: deleting a version under retention or legal
// hold is AccessDenied until the retention ends on the emulator's clock,
// the hold is lifted, or (GOVERNANCE only) the request bypasses with the
// permission to; a plain delete (a marker) is always allowed; retention
// can be lengthened freely, shortened only with bypass in GOVERNANCE.
func TestObjectLockEnforcement(t *testing.T) {
	srv, clock := lockFixture(t)
	in := func(d time.Duration) string { return clock.now().Add(d).Format(time.RFC3339) }
	gov := lockedPut(t, srv, clock, "gov", map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": in(time.Hour)})
	comp := lockedPut(t, srv, clock, "comp", map[string]string{"x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": in(time.Hour)})
	hold := lockedPut(t, srv, clock, "hold", map[string]string{"x-amz-object-lock-legal-hold": "ON"})
	free := lockedPut(t, srv, clock, "free", nil)
	bypass := map[string]string{"x-amz-bypass-governance-retention": "true"}
	retention := func(mode string, d time.Duration) []byte {
		return []byte(`<Retention><Mode>` + mode + `</Mode><RetainUntilDate>` + in(d) + `</RetainUntilDate></Retention>`)
	}
	const denied = "Access Denied because object protected by object lock."

	for _, tt := range []struct {
		name   string
		method string
		path   string
		body   []byte
		hdr    map[string]string
		status int
		msg    string // the error's message when status is 403
	}{
		{"plain delete adds a marker", "DELETE", "/lkb/gov", nil, nil, 204, ""},
		{"governance version", "DELETE", "/lkb/gov?versionId=" + gov, nil, nil, 403, denied},
		{"compliance version with bypass", "DELETE", "/lkb/comp?versionId=" + comp, nil, bypass, 403, denied},
		{"legal hold with bypass", "DELETE", "/lkb/hold?versionId=" + hold, nil, bypass, 403, denied},
		{"lengthen governance", "PUT", "/lkb/gov?retention&versionId=" + gov, retention("GOVERNANCE", 2*time.Hour), nil, 200, ""},
		{"shorten governance", "PUT", "/lkb/gov?retention&versionId=" + gov, retention("GOVERNANCE", 30*time.Minute), nil, 403, "Access Denied"},
		{"governance to compliance", "PUT", "/lkb/gov?retention&versionId=" + gov, retention("COMPLIANCE", 3*time.Hour), nil, 403, "Access Denied"},
		{"shorten governance with bypass", "PUT", "/lkb/gov?retention&versionId=" + gov, retention("GOVERNANCE", 30*time.Minute), bypass, 200, ""},
		{"shorten compliance with bypass", "PUT", "/lkb/comp?retention", retention("COMPLIANCE", 30*time.Minute), bypass, 403, "Access Denied"},
		{"compliance to governance", "PUT", "/lkb/comp?retention", retention("GOVERNANCE", 2*time.Hour), bypass, 403, "Access Denied"},
		{"lengthen compliance", "PUT", "/lkb/comp?retention", retention("COMPLIANCE", 2*time.Hour), nil, 200, ""},
		{"overwrite makes a new version", "PUT", "/lkb/comp", []byte("new"), nil, 200, ""},
		{"unlocked version", "DELETE", "/lkb/free?versionId=" + free, nil, nil, 204, ""},
		{"governance version with bypass", "DELETE", "/lkb/gov?versionId=" + gov, nil, bypass, 204, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := doAt(t, srv, clock.now(), tt.method, tt.path, tt.body, tt.hdr)
			if r.Status != tt.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.status)
			}
			if tt.status == 403 {
				if e := errorOf(t, r); e.Code != "AccessDenied" || e.Message != tt.msg {
					t.Errorf("%s: %s, want AccessDenied: %s", e.Code, e.Message, tt.msg)
				}
			}
		})
	}

	// HEAD reports the retention as lengthened.
	r := doAt(t, srv, clock.now(), "HEAD", "/lkb/comp?versionId="+comp, nil, nil)
	if r.Header.Get("x-amz-object-lock-mode") != "COMPLIANCE" || r.Header.Get("x-amz-object-lock-retain-until-date") != clock.now().Add(2*time.Hour).Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("HEAD: mode %q until %q", r.Header.Get("x-amz-object-lock-mode"), r.Header.Get("x-amz-object-lock-retain-until-date"))
	}

	// Once the clock passes the date, COMPLIANCE lets go; a legal hold
	// stays until lifted.
	clock.set(clock.now().Add(3 * time.Hour))
	mustDoAt(t, srv, clock, "DELETE", "/lkb/comp?versionId="+comp, "", 204)
	mustDoAt(t, srv, clock, "DELETE", "/lkb/hold?versionId="+hold, "", 403)
	mustDoAt(t, srv, clock, "PUT", "/lkb/hold?legal-hold", `<LegalHold><Status>OFF</Status></LegalHold>`, 200)
	mustDoAt(t, srv, clock, "DELETE", "/lkb/hold?versionId="+hold, "", 204)
}

// TestObjectLockBypassPermission: x-amz-bypass-governance-retention needs
// s3:BypassGovernanceRetention — the gate refuses DeleteObject and
// PutObjectRetention outright, DeleteObjects per key.
func TestObjectLockBypassPermission(t *testing.T) {
	srv, clock := lockFixture(t)
	in := clock.now().Add(time.Hour).Format(time.RFC3339)
	gov := lockedPut(t, srv, clock, "gov", map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": in})
	free := lockedPut(t, srv, clock, "free", nil)
	srv.SetBucketPolicy("lkb", `{"Version":"2012-10-17","Statement":[{"Sid":"NoBypass","Effect":"Deny","Principal":"*","Action":"s3:BypassGovernanceRetention","Resource":"arn:aws:s3:::lkb/gov"}]}`)
	bypass := map[string]string{"x-amz-bypass-governance-retention": "true"}

	r := doAt(t, srv, clock.now(), "DELETE", "/lkb/gov?versionId="+gov, nil, bypass)
	if r.Status != http.StatusForbidden {
		t.Fatalf("DeleteObject with a denied bypass: %d %s", r.Status, r.Body)
	}
	srv.RequireDeniedBy("NoBypass")

	body := []byte(`<Delete><Object><Key>gov</Key><VersionId>` + gov + `</VersionId></Object><Object><Key>free</Key><VersionId>` + free + `</VersionId></Object></Delete>`)
	sum := md5.Sum(body)
	hdr := map[string]string{"x-amz-bypass-governance-retention": "true", "Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}
	r = doAt(t, srv, clock.now(), "POST", "/lkb?delete", body, hdr)
	if r.Status != http.StatusOK {
		t.Fatalf("DeleteObjects: %d %s", r.Status, r.Body)
	}
	var res struct {
		Deleted []struct{ Key, VersionId string }
		Error   []struct{ Key, VersionId, Code string }
	}
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 1 || res.Deleted[0].Key != "free" || len(res.Error) != 1 || res.Error[0].Key != "gov" || res.Error[0].Code != "AccessDenied" || res.Error[0].VersionId != gov {
		t.Errorf("DeleteObjects with bypass denied on gov: %s", r.Body)
	}

	srv.SetBucketPolicy("lkb", "")
	mustDoAt(t, srv, clock, "DELETE", "/lkb/gov?versionId="+gov, "", 403) // no header: still locked
	r = doAt(t, srv, clock.now(), "DELETE", "/lkb/gov?versionId="+gov, nil, bypass)
	if r.Status != http.StatusNoContent {
		t.Errorf("DeleteObject with an allowed bypass: %d %s", r.Status, r.Body)
	}
}
