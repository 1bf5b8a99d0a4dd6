package emulator_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The gate builds only the condition keys the deciding policies read; the
// decision log still answers for every key, and a policy on a copy's
// source bucket gets the keys it reads.
func TestGateContextOnlyNeededKeys(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("src", "dst"),
		emulatortest.WithBucketPolicy("src", `{"Statement":[{"Sid":"NoSDK","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::src/*","Condition":{"StringLike":{"aws:UserAgent":"*aws-sdk-go-v2*"}}}]}`),
		emulatortest.WithBucketPolicy("dst", `{"Statement":[{"Sid":"VpceOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::dst","arn:aws:s3:::dst/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"`+vpce.DefaultEndpointID+`"}}}]}`))
	c := s3From(srv.AWSConfig(t), "", true)
	ctx := t.Context()

	t.Run("decision log has every key", func(t *testing.T) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dst"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		d := srv.LastDecision()
		if !d.Allowed() || len(d.Checks) == 0 {
			t.Fatalf("PutObject not allowed: %s", d.Explain())
		}
		for _, key := range []string{"aws:SourceVpce", "aws:UserAgent", "aws:CurrentTime", "aws:SecureTransport", "s3:authType", "aws:ResourceAccount"} {
			if v := d.Checks[0].Context(key); len(v) != 1 || v[0] == "" {
				t.Errorf("Context(%q) = %q, want one value", key, v)
			}
		}
	})
	t.Run("copy source policy reads its keys", func(t *testing.T) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/k")})
		if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("CopyObject = %v, want AccessDenied from the source bucket's policy", err)
		}
		srv.RequireDeniedBy("NoSDK")
	})
}
