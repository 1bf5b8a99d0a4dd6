package policy

import "testing"

func TestDecisionMessage(t *testing.T) {
	const mary = "arn:aws:iam::123456789012:user/MaryMajor"
	base := Decision{Principal: mary, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key", Policy: -1, Statement: -1}
	with := func(f func(*Decision)) Decision { d := base; f(&d); return d }
	tests := []struct {
		name string
		d    Decision
		want string
	}{
		{"implicit endpoint", with(func(d *Decision) { d.Kind = KindEndpoint }),
			`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no VPC endpoint policy allows the s3:GetObject action`},
		{"explicit endpoint", with(func(d *Decision) { d.Kind, d.Reason = KindGatewayEndpoint, ReasonExplicitDeny }),
			`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" with an explicit deny in a VPC endpoint policy`},
		{"implicit resource", with(func(d *Decision) { d.Kind = KindBucket }),
			`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no resource-based policy allows the s3:GetObject action`},
		{"explicit resource", with(func(d *Decision) { d.Kind, d.Reason = KindBucket, ReasonExplicitDeny }),
			`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" with an explicit deny in a resource-based policy`},
		{"implicit identity", with(func(d *Decision) { d.Kind = KindIdentity }),
			`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no identity-based policy allows the s3:GetObject action`},
		{"explicit identity", with(func(d *Decision) { d.Kind, d.Reason = KindIdentity, ReasonExplicitDeny }),
			`User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" with an explicit deny in an identity-based policy`},
		{"anonymous", with(func(d *Decision) { d.Kind, d.Anonymous, d.Principal = KindBucket, true, "" }),
			`User: anonymous is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no resource-based policy allows the s3:GetObject action`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Message(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if tt.d.Allowed() {
				t.Error("Allowed() on a deny")
			}
		})
	}
	allowed := with(func(d *Decision) {
		d.Effect, d.Reason, d.Kind, d.Policy, d.Statement, d.Sid = EffectAllow, ReasonAllowed, KindBucket, 1, 0, "Grant"
	})
	if got, want := allowed.String(), `Allow (Allowed) by statement 0 (Sid "Grant") of the resource-based policy [policy 1]`; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
}
