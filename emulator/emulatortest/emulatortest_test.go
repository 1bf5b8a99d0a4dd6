package emulatortest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/miekg/dns"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

func roundTrip(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	ctx := t.Context()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	got, _ := io.ReadAll(out.Body)
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject returned %q, want %q", got, body)
	}
}

// Fifty tests, each with its own emulator, in parallel.
func TestFiftyParallelEmulators(t *testing.T) {
	for i := range 50 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, emulatortest.WithBuckets("b"))
			roundTrip(t, s3.NewFromConfig(srv.AWSConfig(t)), "b", fmt.Sprintf("k%d", i), []byte(fmt.Sprintf("test %d", i)))
		})
	}
}

// The SDK's default configuration loading works with AWS_CA_BUNDLE set (as
// on this kind of machine), and the default checksums round-trip.
func TestAWSConfigWithCABundleInEnvironment(t *testing.T) {
	for _, bundle := range []string{"", "/etc/ssl/certs/ca-certificates.crt"} {
		t.Run("AWS_CA_BUNDLE="+bundle, func(t *testing.T) {
			t.Setenv("AWS_CA_BUNDLE", bundle)
			t.Setenv("AWS_PROFILE", "")
			srv := emulatortest.New(t, emulatortest.WithBuckets("b"))
			roundTrip(t, s3.NewFromConfig(srv.AWSConfig(t)), "b", "k", bytes.Repeat([]byte("z"), 100_000))
		})
	}
}

func TestClientReachesEveryName(t *testing.T) {
	e := emulator.DefaultEndpoint()
	e.PrivateDNS = true
	topo, err := emulator.NewTopology([]emulator.VPC{emulator.DefaultVPC()}, []emulator.Endpoint{e})
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t, emulatortest.WithTopology(topo), emulatortest.WithBuckets("names"))
	port := srv.Addr()[strings.LastIndexByte(srv.Addr(), ':'):]
	zonal, _ := srv.EndpointURL(e.ID, "us-east-1d")
	for _, u := range []string{srv.URL(), zonal, "https://s3.us-east-1.amazonaws.com" + port} {
		for _, pathStyle := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s path=%v", u, pathStyle), func(t *testing.T) {
				c := s3.NewFromConfig(srv.AWSConfig(t), func(o *s3.Options) { o.BaseEndpoint = aws.String(u); o.UsePathStyle = pathStyle })
				roundTrip(t, c, "names", "k", []byte(u))
				srv.RequireAllowed()
				if got := srv.LastDecision().Endpoint; got != e.ID {
					t.Errorf("decision endpoint %s", got)
				}
			})
		}
	}
}

func TestPolicyHelpers(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBucketPolicy("locked", `{"Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::locked/*"}]}`))
	c := s3.NewFromConfig(srv.AWSConfig(t))
	ctx := t.Context()
	roundTrip(t, c, "locked", "k", []byte("v"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String("k")}); err == nil {
		t.Fatal("DeleteObject allowed despite the bucket policy")
	}
	srv.RequireDeniedBy("NoDeletes")
	srv.SetEndpointPolicy(emulator.DefaultEndpointID, `{"Statement":[{"Sid":"NoReads","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("locked"), Key: aws.String("k")}); err == nil {
		t.Fatal("GetObject allowed despite the endpoint policy")
	}
	srv.RequireDeniedBy("NoReads")
	srv.SetEndpointPolicy(emulator.DefaultEndpointID, "")
	srv.SetBucketPolicy("locked", "")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObject after the policies were removed: %v", err)
	}
	srv.RequireAllowed()
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func TestCloseLeavesNothingBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, err := emulator.New(emulator.Options{Buckets: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	httpsAddr, dnsAddr := srv.Addr(), srv.DNSAddr()
	cfg, _ := srv.AWSConfig(t.Context())
	roundTrip(t, s3.NewFromConfig(cfg), "b", "k", []byte("v"))
	m := new(dns.Msg)
	m.SetQuestion("bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.", dns.TypeA)
	if r, err := dns.Exchange(m, dnsAddr); err != nil || len(r.Answer) != 6 {
		t.Fatalf("DNS before Close: %v %v", r, err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	cfg.HTTPClient.(*awshttp.BuildableClient).GetTransport().CloseIdleConnections()

	// Nothing listens any more: the ports can be bound again.
	if c, err := net.DialTimeout("tcp", httpsAddr, time.Second); err == nil {
		c.Close()
		t.Errorf("HTTPS %s still accepts connections after Close", httpsAddr)
	}
	for _, network := range []string{"udp", "tcp"} {
		var l interface{ Close() error }
		if network == "udp" {
			l, err = net.ListenPacket("udp", dnsAddr)
		} else {
			l, err = net.Listen("tcp", dnsAddr)
		}
		if err != nil {
			t.Errorf("DNS %s/%s still bound after Close: %v", dnsAddr, network, err)
			continue
		}
		l.Close()
	}
	// No goroutine outlives Close (polled: connection goroutines finish
	// asynchronously after their sockets close).
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := runtime.NumGoroutine()
		if after <= before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, after, allStacks())
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // a leak check, not synchronisation
	}
}

// BenchmarkStartRequestClose measures what a test pays for an emulator:
// New + Start + first request (ListBuckets through the SDK) + Close, with
// a baseline of bare gofakes3 behind httptest.NewTLSServer in the same run.
//
//	go test -run '^$' -bench StartRequestClose ./emulator/emulatortest
func BenchmarkStartRequestClose(b *testing.B) {
	ctx := context.Background()
	b.Run("s3vpce", func(b *testing.B) {
		var ds []time.Duration
		for b.Loop() {
			t0 := time.Now()
			srv, err := emulator.New(emulator.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.Start(ctx); err != nil {
				b.Fatal(err)
			}
			cfg, err := srv.AWSConfig(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
				b.Fatal(err)
			}
			srv.Close()
			ds = append(ds, time.Since(t0))
		}
		reportMedian(b, ds)
	})
	b.Run("bare-gofakes3-httptest", func(b *testing.B) {
		var ds []time.Duration
		for b.Loop() {
			t0 := time.Now()
			ts := httptest.NewTLSServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
			c := s3.New(s3.Options{Region: "us-east-1", HTTPClient: ts.Client(), BaseEndpoint: aws.String(ts.URL), UsePathStyle: true,
				Credentials: aws.AnonymousCredentials{}})
			if _, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
				b.Fatal(err)
			}
			ts.Close()
			ds = append(ds, time.Since(t0))
		}
		reportMedian(b, ds)
	})
}

func reportMedian(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	if len(ds) > 0 {
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "ms-median")
	}
}

var _ http.Handler = (*emulator.Server)(nil)
