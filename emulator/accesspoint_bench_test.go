package emulator_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// BenchmarkAccessPointGet1KiB measures a signed 1 KiB GetObject through
// the emulator's handler in-process (no TLS, no network) through an access
// point (<name>-<account>.accesspoint.vpce-…: endpoint, access point and
// bucket policies) against the same GET through bucket.vpce-… (endpoint
// and bucket policies), in the same run; the bucket and the access point
// each have a policy of a few statements with conditions:
//
//	go test -run '^$' -bench AccessPointGet1KiB ./emulator
func BenchmarkAccessPointGet1KiB(b *testing.B) {
	st := store.NewMemory(store.Options{})
	defer st.Close()
	srv, err := emulator.New(emulator.Options{Store: st, Buckets: []string{"apb"}})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if err := st.CreateAccessPoint(store.AccessPoint{Name: apName, Account: emulator.DefaultAccountID, Region: vpce.DefaultRegion,
		Bucket: "apb", BucketAccount: emulator.DefaultAccountID, Alias: "ap1-abcdefghijklmnopqrstuvwxyz1234-s3alias", Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	bucketDoc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Delegate","Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":["arn:aws:s3:::apb","arn:aws:s3:::apb/*"],"Condition":{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}},` +
		`{"Sid":"OnlyTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::apb/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-00000000000000000"}}}]}`
	if err := srv.SetBucketPolicy("apb", bucketDoc); err != nil {
		b.Fatal(err)
	}
	apDoc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + apARN + `/object/secret/*"},` +
		`{"Sid":"Readers","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["` + apARN + `","` + apARN + `/object/*"]}]}`
	if err := st.SetAccessPointPolicy(emulator.DefaultAccountID, apName, apDoc); err != nil {
		b.Fatal(err)
	}
	bucketHost := strings.TrimPrefix(srv.URL(), "https://")
	put := httptest.NewRequest("PUT", "https://"+bucketHost+"/apb/obj", strings.NewReader(strings.Repeat("x", 1024)))
	put.Header.Set("Content-Length", "1024")
	sign(b, put, time.Now())
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, put)
	if w.Code != 200 {
		b.Fatal(w.Code, w.Body.String())
	}
	apHost := "ap1-123456789012.accesspoint." + strings.TrimPrefix(bucketHost, "bucket.")
	cases := []struct{ name, url string }{
		{"bucket.vpce", "https://" + bucketHost + "/apb/obj"},
		{"accesspoint", "https://" + apHost + "/obj"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("GET", c.url, nil)
				sign(b, r, time.Now())
				w := httptest.NewRecorder()
				srv.Handler().ServeHTTP(w, r)
				if w.Code != 200 || w.Body.Len() != 1024 {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}
