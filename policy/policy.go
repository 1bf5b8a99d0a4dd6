package policy

import (
	"fmt"
	"strings"
)

// Kind says what a policy is attached to. It decides which grammar rules
// apply at parse time and how the policy takes part in [Evaluate].
type Kind uint8

const (
	// KindUnspecified is the zero Kind: no kind-specific rules at parse time.
	// In [Evaluate] an Attached with KindUnspecified uses the Kind the policy
	// was parsed with, and is treated as identity-based if that is unspecified too.
	KindUnspecified Kind = iota
	// KindEndpoint is an interface VPC endpoint policy: Principal required,
	// at most 20,480 characters.
	KindEndpoint
	// KindGatewayEndpoint is a gateway VPC endpoint policy: like KindEndpoint
	// and, in addition, the Principal must be "*".
	KindGatewayEndpoint
	// KindBucket is a resource-based policy on a bucket: Principal
	// required.
	KindBucket
	// KindIdentity is an identity-based policy attached to a user or role:
	// Principal and NotPrincipal are not allowed.
	KindIdentity
	// KindAccessPoint is an access point policy, a resource-based policy on
	// an access point: Principal required, and every Resource an access
	// point ARN (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME[/object/KEY]).
	// In [Evaluate] it takes the place of the bucket policy for requests
	// through the access point; the bucket policy is evaluated separately.
	KindAccessPoint
)

// String returns the kind's name as accepted by [ParseKind].
func (k Kind) String() string {
	switch k {
	case KindEndpoint:
		return "endpoint"
	case KindGatewayEndpoint:
		return "gateway-endpoint"
	case KindBucket:
		return "bucket"
	case KindIdentity:
		return "identity"
	case KindAccessPoint:
		return "accesspoint"
	}
	return "unspecified"
}

// isEndpoint reports whether k is one of the VPC endpoint policy kinds.
func (k Kind) isEndpoint() bool { return k == KindEndpoint || k == KindGatewayEndpoint }

// class orders kinds for evaluation and reporting: endpoint, resource, identity.
func (k Kind) class() int {
	switch k {
	case KindEndpoint, KindGatewayEndpoint:
		return 0
	case KindBucket, KindAccessPoint:
		return 1
	}
	return 2
}

// ParseKind parses a kind name: "endpoint" (or "interface", "interface-endpoint"),
// "gateway-endpoint" (or "gateway"), "bucket" (or "resource"), "identity"
// and "accesspoint" (or "access-point").
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(s) {
	case "endpoint", "interface", "interface-endpoint", "vpce":
		return KindEndpoint, nil
	case "gateway", "gateway-endpoint":
		return KindGatewayEndpoint, nil
	case "bucket", "resource":
		return KindBucket, nil
	case "identity":
		return KindIdentity, nil
	case "accesspoint", "access-point":
		return KindAccessPoint, nil
	}
	return KindUnspecified, fmt.Errorf("policy: unknown policy kind %q (want endpoint, gateway-endpoint, bucket, identity or accesspoint)", s)
}

// Effect is a statement's Effect, and the outcome of a [Decision].
type Effect uint8

const (
	// EffectDeny denies. It is the zero value so that an empty Decision denies.
	EffectDeny Effect = iota
	// EffectAllow allows.
	EffectAllow
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	if e == EffectAllow {
		return "Allow"
	}
	return "Deny"
}

// Versions of the policy language.
const (
	// Version20121017 is the current policy language; it enables policy variables.
	Version20121017 = "2012-10-17"
	// Version20081017 is the original policy language; "${...}" is literal text.
	Version20081017 = "2008-10-17"
)

// MaxEndpointPolicyChars is the size limit of a VPC endpoint policy, in
// characters including white space.
const MaxEndpointPolicyChars = 20480

// Policy is a parsed and compiled policy document. It is immutable after
// [Parse] and safe for concurrent use by many goroutines.
type Policy struct {
	// Version is the Version element, "" when absent (which means 2008-10-17).
	Version string
	// ID is the Id element, "" when absent.
	ID string
	// Statements are the statements in document order.
	Statements []Statement
	// Kind is the kind given to Parse with WithKind.
	Kind Kind

	// keys are the context keys the policy reads (see ContextKeys), set by
	// Parse once every statement compiled.
	keys      []string
	keysKnown bool
}

// variables reports whether policy variables are substituted (Version 2012-10-17).
func (p *Policy) variables() bool { return p.Version == Version20121017 }

// Statement is one statement of a policy. The exported fields hold the
// elements as written (single strings become one-element slices); the
// compiled matchers are private.
type Statement struct {
	// Sid is the statement ID, "" when absent.
	Sid string
	// Effect is Allow or Deny.
	Effect Effect
	// Principal is the Principal element, nil when absent.
	Principal *Principals
	// NotPrincipal is the NotPrincipal element, nil when absent.
	NotPrincipal *Principals
	// Action and NotAction: exactly one is non-nil.
	Action, NotAction []string
	// Resource and NotResource: exactly one is non-nil.
	Resource, NotResource []string
	// Conditions holds one entry per (operator, key) pair in document order.
	Conditions []Condition

	c compiledStatement
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// Wildcard is true for the bare string form "*".
	Wildcard bool
	// AWS holds "*", account IDs, account root ARNs, user, role, assumed-role
	// session and federated-user ARNs, and unique IDs.
	AWS []string
	// Service holds service principals such as "cloudtrail.amazonaws.com".
	Service []string
	// Federated holds identity provider principals.
	Federated []string
	// CanonicalUser holds S3 canonical user IDs.
	CanonicalUser []string
}

// Condition is one condition: an operator applied to one key with one or
// more values (any value may match).
type Condition struct {
	// Operator is the operator as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator string
	// Key is the condition key as written, e.g. "aws:SourceVpce".
	Key string
	// Values are the values as strings (JSON numbers and booleans keep their text).
	Values []string

	c compiledCondition
}
