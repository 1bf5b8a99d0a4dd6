package policy

import (
	"net/netip"
	"strings"
)

// IsPublic reports whether p grants public access, in the sense of S3's
// block public access and policy status ("The meaning of public"): an
// Allow statement is public when it grants to everyone (Principal "*",
// {"AWS": "*"}, or any NotPrincipal) without a condition that ties it to
// fixed values of a key that identifies callers or networks:
//   - aws:SourceIp (or aws:VpcSourceIp) limited to a set of CIDRs
//     (0.0.0.0/0 and ::/0 are everyone);
//   - aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
//     aws:SourceAccount, aws:PrincipalAccount, aws:PrincipalArn,
//     aws:PrincipalOrgID, s3:DataAccessPointArn, s3:DataAccessPointAccount,
//     s3:x-amz-server-side-encryption-aws-kms-key-id;
//   - aws:userid outside the pattern "AROLEID:*".
//
// A value is fixed when it has no wildcard (* or ?) and the operator
// matches it positively (StringEquals, ArnEquals, StringLike without
// wildcards, IpAddress …; not the Not… forms nor …IfExists, which let a
// request without the key through).
func (p *Policy) IsPublic() bool {
	for i := range p.Statements {
		if p.Statements[i].public() {
			return true
		}
	}
	return false
}

func (s *Statement) public() bool {
	if s.Effect != EffectAllow {
		return false
	}
	everyone := s.NotPrincipal != nil
	if pr := s.Principal; pr != nil && (pr.Wildcard || hasWildcard(pr.AWS) || hasWildcard(pr.CanonicalUser)) {
		everyone = true
	}
	if !everyone {
		return false
	}
	for i := range s.Conditions {
		if s.Conditions[i].restricts() {
			return false
		}
	}
	return true
}

// restrictingKeys are the condition keys whose fixed values make an
// everyone-statement non-public (lower case).
var restrictingKeys = map[string]bool{
	"aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceowner": true,
	"aws:sourceaccount": true, "aws:principalaccount": true, "aws:principalarn": true, "aws:principalorgid": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true, "aws:userid": true,
	"aws:sourceip": true, "aws:vpcsourceip": true,
}

// restricts reports whether c ties a statement to fixed values of a
// restricting key.
func (c *Condition) restricts() bool {
	key := strings.ToLower(c.Key)
	if !restrictingKeys[key] || len(c.Values) == 0 {
		return false
	}
	op := c.Operator
	if _, rest, ok := strings.Cut(op, ":"); ok {
		op = rest // ForAnyValue:, ForAllValues:
	}
	if strings.HasSuffix(op, "IfExists") || strings.Contains(op, "Not") || op == "Null" {
		return false
	}
	for _, v := range c.Values {
		switch {
		case key == "aws:sourceip" || key == "aws:vpcsourceip":
			if op != "IpAddress" || !narrowCIDR(v) {
				return false
			}
		case strings.ContainsAny(v, "*?"):
			if key == "aws:userid" && strings.HasSuffix(v, ":*") && !strings.ContainsAny(strings.TrimSuffix(v, ":*"), "*?") {
				continue // "AROLEID:*": the sessions of one role
			}
			return false
		case op == "Bool" || strings.HasPrefix(op, "Numeric") || strings.HasPrefix(op, "Date") || op == "BinaryEquals":
			return false
		}
	}
	return true
}

// narrowCIDR reports whether v is an address or a prefix other than
// everything (0.0.0.0/0, ::/0).
func narrowCIDR(v string) bool {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.IsValid()
	}
	p, err := netip.ParsePrefix(v)
	return err == nil && p.Bits() > 0
}

func hasWildcard(vs []string) bool {
	for _, v := range vs {
		if v == "*" {
			return true
		}
	}
	return false
}
