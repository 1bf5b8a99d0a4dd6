package s3api_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestResponsesGolden compares the XML of ListBuckets (BucketRegion, Owner
// without DisplayName) and GetBucketWebsite under a fixed clock with
// testdata/responses.golden (go test -run ResponsesGolden -update rewrites
// it).
func TestResponsesGolden(t *testing.T) {
	clock := &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	srv := emulatortest.New(t, emulatortest.WithOptions(func(o *emulator.Options) { o.Now = clock.now }))
	mustDoAt(t, srv, clock, "PUT", "/golden-b", "", 200)
	mustDoAt(t, srv, clock, "PUT", "/golden-b?website", `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+
		`<IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>err.html</Key></ErrorDocument>`+
		`<RoutingRules><RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>`+
		`<Redirect><HostName>example.com</HostName><HttpRedirectCode>302</HttpRedirectCode><Protocol>https</Protocol><ReplaceKeyWith>nf.html</ReplaceKeyWith></Redirect>`+
		`</RoutingRule></RoutingRules></WebsiteConfiguration>`, 200)
	var out bytes.Buffer
	for _, path := range []string{"/", "/?bucket-region=us-west-2", "/golden-b?website"} {
		body := mustDoAt(t, srv, clock, "GET", path, "", 200)
		fmt.Fprintf(&out, "GET %s\n%s\n\n", path, bytes.ReplaceAll(body, []byte("><"), []byte(">\n<")))
	}
	checkGolden(t, "responses.golden", "the responses", out.Bytes())
}
