package emulator_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestUpstreamAuditMode: upstream mode and audit mode together, as a user
// trying a policy against the S3 they already run. In audit mode a
// PutObject the endpoint policy denies is forwarded (the object lands on
// the upstream) and counted under the denying statement; in enforce mode
// the same request is refused and never reaches the upstream.
func TestUpstreamAuditMode(t *testing.T) {
	const denyPuts = `{"Statement":[{"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
{"Sid":"NoPuts","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::ub/audited/*"}]}`
	for _, mode := range []emulator.PolicyMode{emulator.PolicyAudit, emulator.PolicyEnforce} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			p := newUpstreamPair(t, false, emulatortest.WithOptions(func(o *emulator.Options) { o.PolicyMode = mode }))
			p.srv.SetEndpointPolicy(p.srv.Topology().Endpoints()[0].ID, denyPuts)
			c := p.client()
			ctx := t.Context()
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ub"), Key: aws.String("audited/k"), Body: strings.NewReader("would-deny")})
			if mode == emulator.PolicyEnforce {
				requireCode(t, err, "AccessDenied")
				for _, s := range p.up.Seen() {
					if s.Method == "PUT" {
						t.Fatalf("a denied PutObject reached the upstream: %s %s", s.Method, s.Path)
					}
				}
				if s := p.srv.WouldDenies(); s.Requests != 0 {
					t.Fatalf("enforce mode counted would-denies: %+v", s)
				}
				return
			}
			if err != nil {
				t.Fatalf("audit mode: PutObject: %v", err)
			}
			p.requireObject(t, "audited/k", []byte("would-deny"))
			// A second request on the same keep-alive connection: the
			// first one's decision is logged once its handler returned.
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ub"), Key: aws.String("audited/k")}); err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			sum := p.srv.WouldDenies()
			if sum.Requests != 1 || len(sum.Groups) != 1 {
				t.Fatalf("would-deny summary %+v, want one request in one group", sum)
			}
			if g := sum.Groups[0]; g.Sid != "NoPuts" || g.Action != "s3:PutObject" || g.Kind != "endpoint" || g.Resource != "arn:aws:s3:::ub/audited/k" {
				t.Errorf("group %+v, want NoPuts, s3:PutObject, endpoint, arn:aws:s3:::ub/audited/k", g)
			}
			p.requireOnlyUpstreamKey(t)
		})
	}
}
