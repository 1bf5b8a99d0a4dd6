package policy

// Attached is a policy taking part in an evaluation, with its role.
type Attached struct {
	// Policy is the policy. It may be nil for a KindBucket attachment that
	// only records the ResourceAccount of a bucket that has no policy.
	Policy *Policy
	// Kind is the policy's role in this evaluation. KindUnspecified means
	// Policy.Kind, and identity-based if that is unspecified too.
	Kind Kind
	// ResourceAccount is, for KindBucket and KindAccessPoint, the account that owns the
	// resource. It decides between the same-account rule (identity or
	// resource policy suffices) and the cross-account rule (both needed).
	// Empty means the principal's own account.
	ResourceAccount string
}

func (a *Attached) kind() Kind {
	if a.Kind != KindUnspecified {
		return a.Kind
	}
	if a.Policy != nil && a.Policy.Kind != KindUnspecified {
		return a.Policy.Kind
	}
	return KindIdentity
}

// policyResult is the outcome of one policy for one request.
type policyResult struct {
	deny      bool
	denyStmt  int
	allowStmt int
	allowPM   principalMatch
}

// evaluate runs every statement of p: the first matching Deny decides; else
// the best matching Allow (direct before account-delegated) is recorded.
func (p *Policy) evaluate(r *Request) policyResult {
	res := policyResult{denyStmt: -1, allowStmt: -1}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == EffectAllow && res.allowPM == pmDirect {
			continue // nothing better to find; only Deny statements matter now
		}
		pm, fail, _ := s.matchStatement(r)
		if fail != failNone {
			continue
		}
		if s.Effect == EffectDeny {
			res.deny, res.denyStmt = true, i
			return res
		}
		if pm > res.allowPM {
			res.allowPM, res.allowStmt = pm, i
		}
	}
	return res
}

// Evaluate decides a request against the attached policies the way AWS
// does for S3 through a VPC endpoint:
//
//  1. An explicit Deny in any policy denies (policies are examined endpoint
//     first, then resource-based, then identity-based, in the order given).
//  2. Every endpoint policy must Allow; otherwise the request is implicitly
//     denied by the first one that does not.
//  3. Anonymous requests need a resource-based Allow.
//  4. Same account: an identity-based Allow or a resource-based Allow that
//     names the principal (or "*") suffices. Cross-account: both are needed;
//     a resource-based Allow naming only the account counts here.
//     Without any KindIdentity attachment the principal holds identity
//     permission unless Request.StrictIdentity is set (see Request).
//
// Evaluate does not allocate.
func Evaluate(r *Request, policies ...Attached) Decision {
	return evaluate(r, policies, nil)
}

// EvaluateTrace is Evaluate with an explanation of every policy and
// statement. It allocates; use it for diagnostics, not on the request path.
func EvaluateTrace(r *Request, policies ...Attached) (Decision, *Trace) {
	t := &Trace{}
	d := evaluate(r, policies, t)
	t.Decision = d
	return d, t
}

func evaluate(r *Request, policies []Attached, t *Trace) Decision {
	d := Decision{
		Effect:    EffectDeny,
		Reason:    ReasonImplicitDeny,
		Policy:    -1,
		Statement: -1,
		Action:    r.Action,
		Resource:  r.Resource,
		Principal: r.Principal.ARN,
		Anonymous: r.Principal.Anonymous,
	}
	if t != nil {
		t.Policies = make([]PolicyTrace, len(policies))
	}
	var (
		endpointFail                     = -1
		endpointAllow, endpointAllowStmt = -1, -1
		resDirect, resDirectStmt         = -1, -1
		resDeleg, resDelegStmt           = -1, -1
		identAllow, identAllowStmt       = -1, -1
		haveIdentity, haveResource       bool
		owner                            string
		resKind                          = KindBucket // the resource policy's kind, for implicit denies
	)
	for class := 0; class < 3; class++ {
		for i := range policies {
			a := &policies[i]
			k := a.kind()
			if k.class() != class {
				continue
			}
			if (k == KindBucket || k == KindAccessPoint) && owner == "" {
				owner, resKind = a.ResourceAccount, k
			}
			if a.Policy == nil {
				if t != nil {
					t.Policies[i] = PolicyTrace{Index: i, Kind: k, Allowed: -1, Denied: -1}
				}
				continue
			}
			switch class {
			case 1:
				haveResource = true
			case 2:
				haveIdentity = true
			}
			res := a.Policy.evaluate(r)
			if t != nil {
				t.Policies[i] = tracePolicy(i, k, a.Policy, r, res)
			}
			if res.deny {
				d.Reason, d.Kind, d.Policy, d.Statement = ReasonExplicitDeny, k, i, res.denyStmt
				d.Sid = a.Policy.Statements[res.denyStmt].Sid
				if t == nil {
					return d
				}
				t.fillRemaining(policies, r)
				return d
			}
			switch class {
			case 0:
				if res.allowStmt < 0 {
					if endpointFail < 0 {
						endpointFail = i
					}
				} else if endpointAllow < 0 {
					endpointAllow, endpointAllowStmt = i, res.allowStmt
				}
			case 1:
				if res.allowPM == pmDirect && resDirect < 0 {
					resDirect, resDirectStmt = i, res.allowStmt
				} else if res.allowPM == pmAccount && resDeleg < 0 {
					resDeleg, resDelegStmt = i, res.allowStmt
				}
			case 2:
				if res.allowStmt >= 0 && identAllow < 0 {
					identAllow, identAllowStmt = i, res.allowStmt
				}
			}
		}
	}
	if endpointFail >= 0 {
		d.Kind, d.Policy = policies[endpointFail].kind(), endpointFail
		return d
	}
	p := &r.Principal
	identityOK := identAllow >= 0
	if !haveIdentity && !r.StrictIdentity && !p.Anonymous {
		identityOK = true
		d.IdentityAssumed = true
	}
	allow := func(i, stmt int) Decision {
		d.Effect, d.Reason = EffectAllow, ReasonAllowed
		if i >= 0 {
			d.Kind, d.Policy, d.Statement = policies[i].kind(), i, stmt
			d.Sid = policies[i].Policy.Statements[stmt].Sid
		} else {
			d.Kind = KindIdentity
		}
		return d
	}
	implicit := func(k Kind) Decision {
		d.Kind = k
		return d
	}
	switch {
	case p.Anonymous:
		if resDirect >= 0 {
			return allow(resDirect, resDirectStmt)
		}
		return implicit(resKind)
	case owner == "" || owner == p.account():
		if resDirect >= 0 {
			return allow(resDirect, resDirectStmt)
		}
		if identityOK {
			if identAllow >= 0 {
				return allow(identAllow, identAllowStmt)
			}
			if endpointAllow >= 0 {
				return allow(endpointAllow, endpointAllowStmt)
			}
			return allow(-1, -1)
		}
		if haveResource && resDeleg < 0 {
			return implicit(resKind)
		}
		return implicit(KindIdentity)
	default: // cross-account
		if resDirect < 0 && resDeleg < 0 {
			return implicit(resKind)
		}
		if !identityOK {
			return implicit(KindIdentity)
		}
		if resDirect >= 0 {
			return allow(resDirect, resDirectStmt)
		}
		return allow(resDeleg, resDelegStmt)
	}
}
