package policy

import (
	"fmt"
	"strings"
	"testing"
)

const benchDefaultEndpoint = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

// benchTenStatements is a bucket policy of 10 statements with conditions;
// the benchmark request passes every Deny and is granted by the last Allow.
const benchTenStatements = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "VpceOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
     "Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-0f0f0f0f"]}}},
    {"Sid": "VpcOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-111bbb22"}}},
    {"Sid": "Subnets", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"NotIpAddress": {"aws:VpcSourceIp": ["10.0.0.0/16", "2001:db8::/32"]}}},
    {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "NoPublicAcl", "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write"]}}},
    {"Sid": "SigAge", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"NumericGreaterThan": {"s3:signatureAge": "600000"}}},
    {"Sid": "Org", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}}},
    {"Sid": "ListPrefix", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/Bob"}, "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket", "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}},
    {"Sid": "Tags", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObjectTagging", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
     "Condition": {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["Owner", "Project"]}}},
    {"Sid": "ReadHome", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/MaryMajor", "444455556666"]},
     "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*",
     "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}, "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}
  ]
}`

func benchRequest() *Request {
	r := &Request{
		Principal: Principal{ARN: "arn:aws:iam::111122223333:user/MaryMajor", Username: "MaryMajor"},
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::amzn-s3-demo-bucket/home/MaryMajor/photo.jpg",
	}
	r.Context.Set("aws:SourceVpce", "vpce-1a2b3c4d")
	r.Context.Set("aws:SourceVpc", "vpc-111bbb22")
	r.Context.Set("aws:VpcSourceIp", "10.0.1.25")
	r.Context.Set("aws:SecureTransport", "true")
	r.Context.Set("s3:signatureAge", "1200")
	r.Context.Set("aws:CurrentTime", "2025-06-01T12:00:00Z")
	return r
}

func hundredStatements() string {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Sid":"S%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/U%d"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%d/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-%d"}}}`, i, i, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

type benchCase struct {
	name string
	req  *Request
	att  []Attached
	want Effect
}

func benchCases(tb testing.TB) []benchCase {
	tb.Helper()
	must := func(s string, k Kind) *Policy {
		p, err := Parse([]byte(s), WithKind(k))
		if err != nil {
			tb.Fatal(err)
		}
		return p
	}
	ep := must(benchDefaultEndpoint, KindEndpoint)
	ten := must(benchTenStatements, KindBucket)
	hundred := must(hundredStatements(), KindBucket)
	r100 := benchRequest()
	r100.Principal = Principal{ARN: "arn:aws:iam::111122223333:user/U99"}
	r100.Resource = "arn:aws:s3:::bucket-99/key"
	r100.Context.Set("aws:SourceVpce", "vpce-99")
	return []benchCase{
		{"a-default-endpoint", benchRequest(), []Attached{{Policy: ep, Kind: KindEndpoint}}, EffectAllow},
		{"b-10-statements", benchRequest(), []Attached{{Policy: ep, Kind: KindEndpoint}, {Policy: ten, Kind: KindBucket, ResourceAccount: "111122223333"}}, EffectAllow},
		{"c-100-statements", r100, []Attached{{Policy: ep, Kind: KindEndpoint}, {Policy: hundred, Kind: KindBucket, ResourceAccount: "111122223333"}}, EffectAllow},
	}
}

func BenchmarkEvaluate(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			if d := Evaluate(bc.req, bc.att...); d.Effect != bc.want {
				b.Fatalf("decision %v, want %v", d, bc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(bc.req, bc.att...)
			}
		})
	}
}

func TestEvaluateAllocs(t *testing.T) {
	for _, bc := range benchCases(t) {
		t.Run(bc.name, func(t *testing.T) {
			d := Evaluate(bc.req, bc.att...)
			if d.Effect != bc.want {
				t.Fatalf("decision %v, want %v", d, bc.want)
			}
			if n := testing.AllocsPerRun(100, func() { Evaluate(bc.req, bc.att...) }); n != 0 {
				t.Errorf("Evaluate allocates %v times per run, want 0", n)
			}
			// A denied request must not allocate either.
			deny := *bc.req
			deny.Action = "s3:DeleteBucket"
			if n := testing.AllocsPerRun(100, func() { Evaluate(&deny, bc.att...) }); n != 0 {
				t.Errorf("denied Evaluate allocates %v times per run, want 0", n)
			}
		})
	}
}
