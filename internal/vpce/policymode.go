package vpce

import "fmt"

// PolicyMode says what the request gate does with a policy denial.
type PolicyMode string

const (
	// PolicyEnforce answers a policy denial with 403 AccessDenied, as S3
	// does. It is the default: the zero PolicyMode means it.
	PolicyEnforce PolicyMode = "enforce"
	// PolicyAudit lets a policy-denied request proceed, marked
	// would-deny in the decision log and counted.
	PolicyAudit PolicyMode = "audit"
)

// ParsePolicyMode reads "enforce" or "audit" (also "" for enforce).
func ParsePolicyMode(s string) (PolicyMode, error) {
	switch m := PolicyMode(s); m {
	case "", PolicyEnforce:
		return PolicyEnforce, nil
	case PolicyAudit:
		return m, nil
	}
	return "", fmt.Errorf("vpce: policy mode %q: want enforce or audit", s)
}

// PolicyMode is the topology's policy mode, PolicyEnforce unless set.
func (t *Topology) PolicyMode() PolicyMode {
	if t.spec.PolicyMode == "" {
		return PolicyEnforce
	}
	return t.spec.PolicyMode
}

// WithPolicyMode returns a new snapshot with the policy mode m; t is
// unchanged.
func (t *Topology) WithPolicyMode(m PolicyMode) (*Topology, error) {
	spec := t.Spec()
	spec.PolicyMode = m
	return Build(spec)
}

// checkPolicyMode is Build's check of Spec.PolicyMode; it writes enforce
// as "", so that equal topologies have equal specs.
func checkPolicyMode(m *PolicyMode) error {
	p, err := ParsePolicyMode(string(*m))
	if err != nil {
		return fieldErr("policy_mode", "%q: want enforce or audit", *m)
	}
	if p == PolicyEnforce {
		p = ""
	}
	*m = p
	return nil
}
