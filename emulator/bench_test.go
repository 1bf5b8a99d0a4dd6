package emulator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/emulator"
)

// BenchmarkObjectOps measures 1 KiB GetObject and PutObject through
// aws-sdk-go-v2 against: the emulator with the full gate (SigV4 + endpoint
// and bucket policies), with --auth off (policies only), with the gate off
// (same listener and layers, no SigV4 and no policies: the baseline of the
// gate), and bare gofakes3 behind the same kind of TLS listener. Compare
// ops/s in one run:
//
//	go test -run '^$' -bench ObjectOps -benchtime 3s ./emulator
func BenchmarkObjectOps(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	type target struct {
		name   string
		client func(b *testing.B) *s3.Client
	}
	emu := func(authOff, gateOff bool) func(b *testing.B) *s3.Client {
		return func(b *testing.B) *s3.Client {
			srv, err := emulator.New(emulator.Options{Buckets: []string{"bench"}, AuthOff: authOff,
				BucketPolicies: map[string]string{"bench": `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bench/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a77994aa2124c299"}}}]}`}})
			if err != nil {
				b.Fatal(err)
			}
			if gateOff {
				emulator.SetGateOff(srv)
			}
			if err := srv.Start(b.Context()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { srv.Close() })
			return benchClient(srv.Client(), srv.URL(), true) // path style, as for the baseline
		}
	}
	// The baseline: bare gofakes3 behind the same kind of listener (TLS 1.2+
	// with an ECDSA leaf from the same CA code, HTTP/1.1) and the same
	// client transport settings as the emulator's.
	bare := func(b *testing.B) *s3.Client {
		backend := s3mem.New()
		backend.CreateBucket("bench")
		ca, err := certs.NewCA()
		if err != nil {
			b.Fatal(err)
		}
		leaf, err := ca.Issue("bare.test")
		if err != nil {
			b.Fatal(err)
		}
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12})
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()}
		go hs.Serve(ln)
		b.Cleanup(func() { hs.Close() })
		addr := ln.Addr().String()
		d := &net.Dialer{}
		tr := &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 64,
		}
		return benchClient(&http.Client{Transport: tr}, "https://bare.test", true)
	}
	for _, tg := range []target{{"gate", emu(false, false)}, {"authoff", emu(true, false)}, {"gateoff", emu(false, true)}, {"bare-gofakes3", bare}} {
		b.Run(tg.name+"/put", func(b *testing.B) {
			c := tg.client(b)
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := fmt.Sprintf("k%d", n.Add(1)%1000)
					if _, err := c.PutObject(b.Context(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: &key, Body: bytes.NewReader(body)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
		b.Run(tg.name+"/get", func(b *testing.B) {
			c := tg.client(b)
			if _, err := c.PutObject(b.Context(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj"), Body: bytes.NewReader(body)}); err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					out, err := c.GetObject(b.Context(), &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj")})
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, out.Body)
					out.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

func benchClient(hc aws.HTTPClient, endpoint string, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")},
		func(o *s3.Options) {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = pathStyle
			// Checksums only where required, so that both servers get the
			// same plain bodies and the client does the same work (bare
			// gofakes3 cannot decode the default aws-chunked uploads).
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
}

// BenchmarkStoreKinds measures 1 KiB PutObject and GetObject through the
// full path (TLS, SigV4, policies) with the memory store and with the dir
// store (bbolt and files in a temporary directory), in one run:
//
//	go test -run '^$' -bench StoreKinds -benchtime 3s ./emulator
func BenchmarkStoreKinds(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	client := func(b *testing.B, kind string) *s3.Client {
		var dataDir string
		if kind == "dir" {
			dataDir = b.TempDir()
		}
		srv, err := emulator.New(emulator.Options{DataDir: dataDir, Buckets: []string{"bench"}})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { srv.Close() })
		return benchClient(srv.Client(), srv.URL(), true)
	}
	for _, op := range []string{"put", "get"} {
		for _, kind := range []string{"memory", "dir"} {
			b.Run(op+"/"+kind, func(b *testing.B) {
				c := client(b, kind)
				if _, err := c.PutObject(b.Context(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj"), Body: bytes.NewReader(body)}); err != nil {
					b.Fatal(err)
				}
				var n atomic.Int64
				b.SetParallelism(4)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if op == "put" {
							key := fmt.Sprintf("k%d", n.Add(1)%1000)
							if _, err := c.PutObject(b.Context(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: &key, Body: bytes.NewReader(body)}); err != nil {
								b.Error(err)
								return
							}
							continue
						}
						out, err := c.GetObject(b.Context(), &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("obj")})
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, out.Body)
						out.Body.Close()
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		}
	}
}
