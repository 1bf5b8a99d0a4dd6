package policy

import (
	"fmt"
	"strings"
)

// Reason says why a Decision came out the way it did.
type Reason uint8

const (
	// ReasonImplicitDeny: no statement allowed the request (in the policy
	// kind named by Decision.Kind). Also called "no statement matched".
	ReasonImplicitDeny Reason = iota
	// ReasonExplicitDeny: a Deny statement matched.
	ReasonExplicitDeny
	// ReasonAllowed: the request is allowed.
	ReasonAllowed
)

// ReasonNoStatementMatched is another name for ReasonImplicitDeny.
const ReasonNoStatementMatched = ReasonImplicitDeny

// String returns "ImplicitDeny", "ExplicitDeny" or "Allowed".
func (r Reason) String() string {
	switch r {
	case ReasonExplicitDeny:
		return "ExplicitDeny"
	case ReasonAllowed:
		return "Allowed"
	}
	return "ImplicitDeny"
}

// Decision is the outcome of Evaluate.
type Decision struct {
	// Effect is EffectAllow or EffectDeny.
	Effect Effect
	// Reason is why.
	Reason Reason
	// Kind is the kind of the deciding policy: the one whose Deny matched,
	// the one that failed to allow (endpoint before resource before
	// identity), or the one whose Allow granted.
	Kind Kind
	// Policy is the index of the deciding policy in the Attached list, -1
	// when none (an implicit deny with no policy of that kind, or an allow
	// resting on the assumed identity permission).
	Policy int
	// Statement is the 0-based index of the deciding statement, -1 for
	// implicit denies.
	Statement int
	// Sid is the deciding statement's Sid.
	Sid string
	// IdentityAssumed is set when identity-based permission was assumed
	// because no identity policy was attached (see Request.StrictIdentity).
	IdentityAssumed bool

	// Principal, Anonymous, Action and Resource echo the request for Message.
	Principal string
	Anonymous bool
	Action    string
	Resource  string
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Effect == EffectAllow }

// kindPhrase names a policy kind as AWS's error messages do. AWS's
// messages know the policy types of IAM only, so an access point policy
// is a "resource-based policy" there, like a bucket policy.
func kindPhrase(k Kind) (a, name string) {
	switch k {
	case KindEndpoint, KindGatewayEndpoint:
		return "a", "VPC endpoint policy"
	case KindBucket, KindAccessPoint:
		return "a", "resource-based policy"
	}
	return "an", "identity-based policy"
}

// kindName names a policy kind for explanations (String, the trace): as
// kindPhrase, but telling the access point policy from the bucket policy.
func kindName(k Kind) string {
	if k == KindAccessPoint {
		return "access point policy"
	}
	_, name := kindPhrase(k)
	return name
}

// Message renders S3's AccessDenied wording for a denied request, e.g.
//
//	User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no VPC endpoint policy allows the s3:GetObject action
//
// For an allowed request it returns a short "allowed by ..." description.
func (d Decision) Message() string {
	user := d.Principal
	if d.Anonymous || user == "" {
		user = "anonymous"
	}
	a, name := kindPhrase(d.Kind)
	switch d.Reason {
	case ReasonExplicitDeny:
		return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %q with an explicit deny in %s %s", user, d.Action, d.Resource, a, name)
	case ReasonImplicitDeny:
		return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %q because no %s allows the %s action", user, d.Action, d.Resource, name, d.Action)
	}
	if d.Policy < 0 {
		return fmt.Sprintf("User: %s is allowed to perform: %s on resource: %q (identity-based permission assumed)", user, d.Action, d.Resource)
	}
	return fmt.Sprintf("User: %s is allowed to perform: %s on resource: %q by %s", user, d.Action, d.Resource, d.statementRef())
}

// statementRef names the deciding statement: `statement 1 (Sid "X") of the VPC endpoint policy`.
func (d Decision) statementRef() string {
	name := kindName(d.Kind)
	var b strings.Builder
	fmt.Fprintf(&b, "statement %d", d.Statement)
	if d.Sid != "" {
		fmt.Fprintf(&b, " (Sid %q)", d.Sid)
	}
	fmt.Fprintf(&b, " of the %s", name)
	if d.Policy >= 0 {
		fmt.Fprintf(&b, " [policy %d]", d.Policy)
	}
	return b.String()
}

// String summarizes the decision on one line, e.g.
// "Deny (ExplicitDeny) by statement 0 (Sid "DenyPut") of the VPC endpoint policy [policy 0]".
func (d Decision) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", d.Effect, d.Reason)
	switch {
	case d.Statement >= 0:
		b.WriteString(" by ")
		b.WriteString(d.statementRef())
	case d.Reason == ReasonImplicitDeny:
		fmt.Fprintf(&b, ": no %s allows it", kindName(d.Kind))
	case d.IdentityAssumed:
		b.WriteString(": identity-based permission assumed")
	}
	return b.String()
}
