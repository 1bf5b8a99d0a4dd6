package s3api_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/store"
)

// lcDoc wraps rules in a LifecycleConfiguration document.
func lcDoc(rules ...string) string {
	return "<LifecycleConfiguration>" + strings.Join(rules, "") + "</LifecycleConfiguration>"
}

// crc32Of is the base64 CRC32 of body, as x-amz-checksum-crc32 carries it.
func crc32Of(body string) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(body))))
}

// md5Header is a Content-MD5 header for body.
func md5Header(body string) map[string]string {
	sum := md5.Sum([]byte(body))
	return map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}
}

// TestLifecycleConfigurationSDK: a configuration round-trips through the
// SDK in the shape PUT (a top-level Prefix stays one, a missing ID is
// generated), and DeleteBucketLifecycle removes it.
func TestLifecycleConfigurationSDK(t *testing.T) {
	_, c := newServer(t, "lc")
	ctx := t.Context()
	b := aws.String("lc")
	rules := []types.LifecycleRule{
		{ID: aws.String("days"), Prefix: aws.String("logs/"), Status: types.ExpirationStatusEnabled,
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}},
		{ID: aws.String("and"), Status: types.ExpirationStatusDisabled,
			Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("tmp/"),
				Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}, ObjectSizeGreaterThan: aws.Int64(10)}},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(5), NewerNoncurrentVersions: aws.Int32(2)}},
		{ID: aws.String("abort"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("up/")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
			Transitions:                    []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa}}},
		{Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))}},
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}); err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", apiError(err))
	}
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	if err != nil {
		t.Fatalf("GetBucketLifecycleConfiguration: %v", apiError(err))
	}
	if len(got.Rules) != 4 {
		t.Fatalf("%d rules, want 4", len(got.Rules))
	}
	r0, r1, r2, r3 := got.Rules[0], got.Rules[1], got.Rules[2], got.Rules[3]
	switch {
	case aws.ToString(r0.Prefix) != "logs/" || r0.Filter != nil || aws.ToInt32(r0.Expiration.Days) != 30:
		t.Errorf("rule 0 = %+v", r0)
	case r1.Status != types.ExpirationStatusDisabled || aws.ToString(r1.Filter.And.Prefix) != "tmp/" || len(r1.Filter.And.Tags) != 1 ||
		aws.ToInt64(r1.Filter.And.ObjectSizeGreaterThan) != 10 || aws.ToInt32(r1.NoncurrentVersionExpiration.NewerNoncurrentVersions) != 2:
		t.Errorf("rule 1 = %+v", r1)
	case aws.ToInt32(r2.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 7 || len(r2.Transitions) != 1 ||
		r2.Transitions[0].StorageClass != types.TransitionStorageClassStandardIa:
		t.Errorf("rule 2 = %+v", r2)
	case aws.ToString(r3.ID) == "" || !aws.ToTime(r3.Expiration.Date).Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)):
		t.Errorf("rule 3 = %+v (an ID must be generated)", r3)
	}
	if got.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("TransitionDefaultMinimumObjectSize = %q", got.TransitionDefaultMinimumObjectSize)
	}
	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketLifecycle: %v", apiError(err))
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	if got := apiError(err); got != "NoSuchLifecycleConfiguration: The lifecycle configuration does not exist" {
		t.Errorf("after delete: %s", got)
	}
}

// TestLifecycleValidationRaw: invalid configurations get S3's code and
// message.
func TestLifecycleValidationRaw(t *testing.T) {
	srv, _ := newServer(t, "lv")
	exp := func(inner string) string { return "<Expiration>" + inner + "</Expiration>" }
	rule := func(parts ...string) string { return "<Rule>" + strings.Join(parts, "") + "</Rule>" }
	ok := func(id string) string {
		return rule("<ID>"+id+"</ID><Prefix>p/</Prefix><Status>Enabled</Status>", exp("<Days>1</Days>"))
	}
	tests := []struct {
		name, body       string
		status           int
		code, msgHas     string
		noMD5, withCRC32 bool
	}{
		{name: "valid", body: lcDoc(ok("a"), ok("b")), status: 200},
		{name: "valid with a checksum instead of Content-MD5", body: lcDoc(ok("a")), status: 200, noMD5: true, withCRC32: true},
		{name: "no Content-MD5 nor checksum", body: lcDoc(ok("a")), status: 400, code: "InvalidRequest", msgHas: "Missing required header for this request: Content-MD5", noMD5: true},
		{name: "no rules", body: lcDoc(), status: 400, code: "MalformedXML"},
		{name: "not XML", body: "<Lifecycle", status: 400, code: "MalformedXML"},
		{name: "ID too long", body: lcDoc(ok(strings.Repeat("a", 256))), status: 400, code: "InvalidArgument", msgHas: "ID length should not exceed allowed limit of 255"},
		{name: "same ID", body: lcDoc(ok("a"), ok("a")), status: 400, code: "InvalidArgument", msgHas: "Rule ID must be unique"},
		{name: "status lower case", body: lcDoc(rule("<ID>a</ID><Prefix/><Status>enabled</Status>", exp("<Days>1</Days>"))), status: 400, code: "MalformedXML"},
		{name: "prefix and filter", body: lcDoc(rule("<Prefix/><Filter><Prefix/></Filter><Status>Enabled</Status>", exp("<Days>1</Days>"))), status: 400, code: "MalformedXML"},
		{name: "neither prefix nor filter", body: lcDoc(rule("<Status>Enabled</Status>", exp("<Days>1</Days>"))), status: 400, code: "MalformedXML"},
		{name: "filter with two predicates", body: lcDoc(rule("<Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status>", exp("<Days>1</Days>"))), status: 400, code: "MalformedXML"},
		{name: "duplicate tag keys", body: lcDoc(rule("<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>", exp("<Days>1</Days>"))), status: 400, code: "InvalidRequest", msgHas: "Duplicate Tag Keys are not allowed."},
		{name: "days 0", body: lcDoc(rule("<Prefix/><Status>Enabled</Status>", exp("<Days>0</Days>"))), status: 400, code: "InvalidArgument", msgHas: "'Days' for Expiration action must be a positive integer"},
		{name: "date not midnight", body: lcDoc(rule("<Prefix/><Status>Enabled</Status>", exp("<Date>2030-01-01T10:00:00Z</Date>"))), status: 400, code: "InvalidArgument", msgHas: "'Date' must be at midnight GMT"},
		{name: "days and date", body: lcDoc(rule("<Prefix/><Status>Enabled</Status>", exp("<Days>1</Days><Date>2030-01-01T00:00:00Z</Date>"))), status: 400, code: "MalformedXML"},
		{name: "delete marker with days", body: lcDoc(rule("<Prefix/><Status>Enabled</Status>", exp("<Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"))), status: 400, code: "MalformedXML"},
		{name: "no action", body: lcDoc(rule("<Prefix/><Status>Enabled</Status>")), status: 400, code: "InvalidRequest", msgHas: "At least one action needs to be specified in a rule"},
		{name: "noncurrent days 0", body: lcDoc(rule("<Prefix/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>")), status: 400, code: "InvalidArgument", msgHas: "'NoncurrentDays'"},
		{name: "abort with tags", body: lcDoc(rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>")), status: 400, code: "InvalidRequest", msgHas: "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{name: "transition bad class", body: lcDoc(rule("<Prefix/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>")), status: 400, code: "MalformedXML"},
		{name: "transition IA too early", body: lcDoc(rule("<Prefix/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>STANDARD_IA</StorageClass></Transition>")), status: 400, code: "InvalidArgument", msgHas: "must be at least 30"},
		{name: "transition date not midnight", body: lcDoc(rule("<Prefix/><Status>Enabled</Status><Transition><Date>1970-08-23T19:15:01Z</Date><StorageClass>GLACIER</StorageClass></Transition>")), status: 400, code: "InvalidArgument", msgHas: "'Date' must be at midnight GMT"},
		{name: "too many rules", body: lcDoc(slices.Repeat([]string{rule("<Prefix/><Status>Enabled</Status>", exp("<Days>1</Days>"))}, 1001)...), status: 400, code: "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := md5Header(tt.body)
			if tt.noMD5 {
				hdr = map[string]string{}
			}
			if tt.withCRC32 {
				hdr["x-amz-checksum-crc32"] = crc32Of(tt.body)
			}
			r := do(t, srv, "PUT", "/lv?lifecycle", []byte(tt.body), hdr)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if tt.code == "" {
				return
			}
			if e := errorOf(t, r); e.Code != tt.code || !strings.Contains(e.Message, tt.msgHas) {
				t.Errorf("%s: %s, want %s containing %q", e.Code, e.Message, tt.code, tt.msgHas)
			}
		})
	}
}

// lcFixture is an emulator on a settable clock with no lifecycle worker,
// and a Handler over the same store to run passes with any day.
type lcFixture struct {
	srv   *emulatortest.Server
	h     *s3api.Handler
	clock *testClock
}

var lcT0 = time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)

func newLCFixture(t *testing.T, buckets ...string) *lcFixture {
	t.Helper()
	clock := &testClock{t: lcT0}
	st := store.NewMemory(store.Options{Now: clock.now})
	t.Cleanup(func() { st.Close() })
	srv := emulatortest.New(t, emulatortest.WithBuckets(buckets...), emulatortest.WithOptions(func(o *emulator.Options) {
		o.Now, o.Store, o.LifecycleDay = clock.now, st, -1
	}))
	return &lcFixture{srv: srv, h: s3api.New(st), clock: clock}
}

// putLifecycle sets a configuration and fails the test unless it is taken.
func (f *lcFixture) putLifecycle(t *testing.T, bucket string, rules ...string) {
	t.Helper()
	doc := lcDoc(rules...)
	if r := doAt(t, f.srv, f.clock.now(), "PUT", "/"+bucket+"?lifecycle", []byte(doc), md5Header(doc)); r.Status != 200 {
		t.Fatalf("PutBucketLifecycleConfiguration: %d %s", r.Status, r.Body)
	}
}

// versions lists the keys of bucket's versions and delete markers as
// ListObjectVersions gives them.
func (f *lcFixture) versions(t *testing.T, bucket string) []string {
	t.Helper()
	var out []string
	body := mustDoAt(t, f.srv, f.clock, "GET", "/"+bucket+"?versions", "", 200)
	for _, part := range strings.Split(string(body), "<Key>")[1:] {
		key := part[:strings.Index(part, "</Key>")]
		out = append(out, key)
	}
	return out
}

// TestExpirationHeader: PutObject, HeadObject and GetObject of an object a
// rule expires carry x-amz-expiration with S3's date (creation plus Days,
// rounded up to midnight UTC) and the rule's ID; an object no rule
// expires does not.
func TestExpirationHeader(t *testing.T) {
	f := newLCFixture(t, "eh")
	f.putLifecycle(t, "eh",
		"<Rule><ID>late rule</ID><Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Days>9</Days></Expiration></Rule>",
		"<Rule><ID>early</ID><Filter><And><Prefix>a/</Prefix><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
		"<Rule><ID>off</ID><Prefix>b/</Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
		"<Rule><ID>tagged</ID><Filter><Tag><Key>t</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status><Expiration><Date>2031-01-01T00:00:00Z</Date></Expiration></Rule>")
	tests := []struct {
		name, key string
		hdr       map[string]string
		want      string
	}{
		{"earliest rule wins", "a/small", nil, `expiry-date="Mon, 04 Mar 2030 00:00:00 GMT", rule-id="early"`},
		{"disabled rule", "b/x", nil, ""},
		{"date rule by tag", "c/x", map[string]string{"x-amz-tagging": "t=1"}, `expiry-date="Wed, 01 Jan 2031 00:00:00 GMT", rule-id="tagged"`},
		{"tag not matching", "c/y", map[string]string{"x-amz-tagging": "t=2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := doAt(t, f.srv, f.clock.now(), "PUT", "/eh/"+tt.key, []byte("body"), tt.hdr)
			if r.Status != 200 {
				t.Fatalf("PUT: %d %s", r.Status, r.Body)
			}
			for _, method := range []string{"PUT", "HEAD", "GET"} {
				if method != "PUT" {
					r = doAt(t, f.srv, f.clock.now(), method, "/eh/"+tt.key, nil, nil)
				}
				if got := r.Header.Get("x-amz-expiration"); got != tt.want {
					t.Errorf("%s: x-amz-expiration %q, want %q", method, got, tt.want)
				}
			}
		})
	}
	t.Run("too big for the early rule; rule ID URL-encoded", func(t *testing.T) {
		big := strings.Repeat("z", 200)
		if r := doAt(t, f.srv, f.clock.now(), "PUT", "/eh/a/big", []byte(big), nil); r.Header.Get("x-amz-expiration") != `expiry-date="Mon, 11 Mar 2030 00:00:00 GMT", rule-id="late%20rule"` {
			t.Errorf("x-amz-expiration %q", r.Header.Get("x-amz-expiration"))
		}
	})
}

// TestRunLifecycle: one pass at chosen times applies each action as S3
// does, and nothing before it is due.
func TestRunLifecycle(t *testing.T) {
	day := 24 * time.Hour
	f := newLCFixture(t, "plain", "ver", "ups")
	mustDoAt(t, f.srv, f.clock, "PUT", "/ver?versioning", "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", 200)
	for _, k := range []string{"exp/a", "exp/b", "keep/a"} {
		mustDoAt(t, f.srv, f.clock, "PUT", "/plain/"+k, "x", 200)
	}
	mustDoAt(t, f.srv, f.clock, "PUT", "/plain/big/a", strings.Repeat("x", 3000), 200)
	mustDoAt(t, f.srv, f.clock, "PUT", "/plain/big/b", "x", 200)
	// ver: cur/a has one version (to expire behind a marker); nc/a has 4
	// versions written a day apart; dm/a is a lone delete marker.
	mustDoAt(t, f.srv, f.clock, "PUT", "/ver/cur/a", "x", 200)
	mustDoAt(t, f.srv, f.clock, "PUT", "/ver/dm/a", "x", 200)
	mustDoAt(t, f.srv, f.clock, "DELETE", "/ver/dm/a", "", 204)
	for i := range 4 {
		f.clock.set(lcT0.Add(time.Duration(i) * day))
		mustDoAt(t, f.srv, f.clock, "PUT", "/ver/nc/a", "x", 200)
	}
	f.clock.set(lcT0)
	mustDoAt(t, f.srv, f.clock, "POST", "/ups/old/a?uploads", "", 200)
	mustDoAt(t, f.srv, f.clock, "POST", "/ups/other/a?uploads", "", 200)

	f.putLifecycle(t, "plain",
		"<Rule><ID>exp</ID><Prefix>exp/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
		"<Rule><ID>big</ID><Filter><And><Prefix>big/</Prefix><ObjectSizeGreaterThan>2000</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
		"<Rule><ID>off</ID><Prefix>keep/</Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>")
	f.putLifecycle(t, "ver",
		"<Rule><ID>cur</ID><Prefix>cur/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
		"<Rule><ID>nc</ID><Prefix>nc/</Prefix><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>",
		"<Rule><ID>dm</ID><Prefix>dm/</Prefix><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>",
		"<Rule><ID>dm2</ID><Prefix>dm/</Prefix><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>")
	f.putLifecycle(t, "ups",
		"<Rule><ID>abort</ID><Prefix>old/</Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>")

	// Objects written 2030-03-01 10:00 with Days 1 expire at 2030-03-03
	// 00:00; the upload (2 days) at 2030-03-04 00:00.
	early := time.Date(2030, 3, 2, 23, 59, 59, 0, time.UTC)
	res, err := f.h.RunLifecycle(t.Context(), early, day)
	if err != nil {
		t.Fatal(err)
	}
	if res != (s3api.LifecycleResult{}) {
		t.Errorf("pass before anything is due did %+v", res)
	}
	// The versions of nc/a became noncurrent on days 1, 2 and 3 (10:00);
	// at 2030-03-05 00:00 those noncurrent since days 1 to 3 are due, and
	// the newest noncurrent one is kept by NewerNoncurrentVersions.
	due := time.Date(2030, 3, 5, 0, 0, 0, 0, time.UTC)
	res, err = f.h.RunLifecycle(t.Context(), due, day)
	if err != nil {
		t.Fatal(err)
	}
	want := s3api.LifecycleResult{Expired: 4, NoncurrentRemoved: 3, MarkersRemoved: 1, UploadsAborted: 1}
	if res != want {
		t.Errorf("pass = %+v, want %+v", res, want)
	}
	if got := f.versions(t, "plain"); !slices.Equal(got, []string{"big/b", "keep/a"}) {
		t.Errorf("plain holds %v", got)
	}
	// cur/a: its version and the marker hiding it; nc/a: current + 1.
	if got := f.versions(t, "ver"); !slices.Equal(got, []string{"cur/a", "cur/a", "nc/a", "nc/a"}) {
		t.Errorf("ver holds %v", got)
	}
	body := mustDoAt(t, f.srv, f.clock, "GET", "/ups?uploads", "", 200)
	if !strings.Contains(string(body), "<Key>other/a</Key>") || strings.Contains(string(body), "<Key>old/a</Key>") {
		t.Errorf("uploads: %s", body)
	}
	// A second pass finds nothing more to do.
	if res, err := f.h.RunLifecycle(t.Context(), due, day); err != nil || res != (s3api.LifecycleResult{}) {
		t.Errorf("second pass = %+v, %v", res, err)
	}
}

// TestRunLifecycleShortDay: with a 10-second day (serve --lifecycle-day
// 10s), Days 1 expires an object at the first 10-second boundary at least
// 10 s after it was written.
func TestRunLifecycleShortDay(t *testing.T) {
	day := 10 * time.Second
	f := newLCFixture(t, "sd")
	f.clock.set(lcT0.Add(3 * time.Second))
	mustDoAt(t, f.srv, f.clock, "PUT", "/sd/a", "x", 200)
	f.putLifecycle(t, "sd", "<Rule><ID>r</ID><Prefix/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>")
	for _, tt := range []struct {
		at      time.Duration // after lcT0
		expired int
	}{
		{19*time.Second + 999*time.Millisecond, 0},
		{20 * time.Second, 1},
	} {
		res, err := f.h.RunLifecycle(t.Context(), lcT0.Add(tt.at), day)
		if err != nil || res.Expired != tt.expired {
			t.Errorf("at T0+%v: %+v, %v; want %d expired", tt.at, res, err, tt.expired)
		}
	}
	if res, err := f.h.RunLifecycle(t.Context(), lcT0, 0); err == nil {
		t.Errorf("day 0 accepted: %+v", res)
	}
}

// TestRunLifecycleKeepsLockedVersions: a noncurrent version under legal
// hold or unexpired retention outlives its NoncurrentDays; once the lock
// is gone the next pass removes it.
func TestRunLifecycleKeepsLockedVersions(t *testing.T) {
	day := 24 * time.Hour
	f := newLCFixture(t)
	if r := doAt(t, f.srv, f.clock.now(), "PUT", "/lkb", nil, map[string]string{"x-amz-bucket-object-lock-enabled": "true"}); r.Status != 200 {
		t.Fatalf("CreateBucket with lock: %d %s", r.Status, r.Body)
	}
	mustDoAt(t, f.srv, f.clock, "PUT", "/lkb/held", "x", 200)
	if r := doAt(t, f.srv, f.clock.now(), "PUT", "/lkb/held?legal-hold", []byte(`<LegalHold><Status>ON</Status></LegalHold>`), md5Header(`<LegalHold><Status>ON</Status></LegalHold>`)); r.Status != 200 {
		t.Fatalf("PutObjectLegalHold: %d %s", r.Status, r.Body)
	}
	until := lcT0.Add(10 * day).Format(time.RFC3339)
	if r := doAt(t, f.srv, f.clock.now(), "PUT", "/lkb/kept", []byte("x"), map[string]string{
		"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": until, "x-amz-checksum-crc32": crc32Of("x")}); r.Status != 200 {
		t.Fatalf("PutObject with retention: %d %s", r.Status, r.Body)
	}
	mustDoAt(t, f.srv, f.clock, "PUT", "/lkb/held", "y", 200)
	mustDoAt(t, f.srv, f.clock, "PUT", "/lkb/kept", "y", 200)
	f.putLifecycle(t, "lkb", "<Rule><ID>nc</ID><Filter></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>")

	res, err := f.h.RunLifecycle(t.Context(), lcT0.Add(3*day), day)
	if err != nil {
		t.Fatal(err)
	}
	if res.NoncurrentRemoved != 0 {
		t.Errorf("pass removed %d locked versions", res.NoncurrentRemoved)
	}
	if got := f.versions(t, "lkb"); !slices.Equal(got, []string{"held", "held", "kept", "kept"}) {
		t.Fatalf("lkb holds %v, want both versions of each key", got)
	}
	// Past the retention date, and with the hold off, both go.
	f.clock.set(lcT0.Add(3 * day))
	off := `<LegalHold><Status>OFF</Status></LegalHold>`
	body := mustDoAt(t, f.srv, f.clock, "GET", "/lkb?versions", "", 200)
	heldID := firstVersionIDOf(t, string(body), "held", false)
	if r := doAt(t, f.srv, f.clock.now(), "PUT", "/lkb/held?legal-hold&versionId="+heldID, []byte(off), md5Header(off)); r.Status != 200 {
		t.Fatalf("PutObjectLegalHold OFF: %d %s", r.Status, r.Body)
	}
	res, err = f.h.RunLifecycle(t.Context(), lcT0.Add(11*day), day)
	if err != nil {
		t.Fatal(err)
	}
	if res.NoncurrentRemoved != 2 {
		t.Errorf("pass after the locks removed %d versions, want 2", res.NoncurrentRemoved)
	}
	if got := f.versions(t, "lkb"); !slices.Equal(got, []string{"held", "kept"}) {
		t.Errorf("lkb holds %v, want the current versions only", got)
	}
}

// firstVersionIDOf returns the version ID of key's version in a
// ListObjectVersions body that is (latest) or is not the current one.
func firstVersionIDOf(t *testing.T, body, key string, latest bool) string {
	t.Helper()
	for _, v := range strings.Split(body, "<Version>")[1:] {
		if strings.Contains(v, "<Key>"+key+"</Key>") && strings.Contains(v, "<IsLatest>"+strconv.FormatBool(latest)+"</IsLatest>") {
			start := strings.Index(v, "<VersionId>") + len("<VersionId>")
			return v[start:strings.Index(v, "</VersionId>")]
		}
	}
	t.Fatalf("no version of %s (latest %v) in %s", key, latest, body)
	return ""
}
