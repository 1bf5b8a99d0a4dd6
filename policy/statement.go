package policy

import "strings"

// compiledStatement holds a statement's matchers.
type compiledStatement struct {
	actions     []pattern // lower-cased, matched case-insensitively
	notAction   bool
	resources   []pattern
	notResource bool
	principal   *compiledPrincipals // nil: no Principal element (identity policy)
	notPrinc    bool
}

// compiledPrincipals is a Principal element ready for matching.
type compiledPrincipals struct {
	any       bool     // "*" or {"AWS": "*"}
	accounts  []string // account IDs (from IDs and root ARNs)
	arns      []string // user, role, session and federated-user ARNs
	uniqueIDs []string
	services  []string
	anyServ   bool
	federated []string
	canonical []string
}

type compileError struct {
	field, msg string
}

func compileStatement(s *Statement, vars bool) (compiledStatement, *compileError) {
	var c compiledStatement
	acts := s.Action
	if acts == nil {
		acts, c.notAction = s.NotAction, true
	}
	for _, a := range acts {
		// Actions never take policy variables.
		p, err := compilePattern(a, true, false, true, false)
		if err != nil {
			return c, &compileError{"Action", err.Error()}
		}
		c.actions = append(c.actions, p)
	}
	res, field := s.Resource, "Resource"
	if res == nil {
		res, c.notResource, field = s.NotResource, true, "NotResource"
	}
	for _, r := range res {
		p, err := compilePattern(r, true, vars, false, true)
		if err != nil {
			return c, &compileError{field, err.Error()}
		}
		c.resources = append(c.resources, p)
	}
	pr := s.Principal
	if pr == nil && s.NotPrincipal != nil {
		pr, c.notPrinc = s.NotPrincipal, true
	}
	if pr != nil {
		c.principal = compilePrincipals(pr)
	}
	return c, nil
}

func compilePrincipals(pr *Principals) *compiledPrincipals {
	cp := &compiledPrincipals{any: pr.Wildcard}
	for _, a := range pr.AWS {
		switch {
		case a == "*":
			cp.any = true
		case isAccountID(a):
			cp.accounts = append(cp.accounts, a)
		case isUniqueID(a):
			cp.uniqueIDs = append(cp.uniqueIDs, a)
		default:
			if p, ok := splitARN(a); ok && p.service == "iam" && p.resource == "root" {
				cp.accounts = append(cp.accounts, p.account)
			} else {
				cp.arns = append(cp.arns, a)
			}
		}
	}
	for _, s := range pr.Service {
		if s == "*" {
			cp.anyServ = true
		}
		cp.services = append(cp.services, s)
	}
	cp.federated = pr.Federated
	cp.canonical = pr.CanonicalUser
	return cp
}

// principalMatch grades how a principal matches a Principal element.
type principalMatch uint8

const (
	pmNone    principalMatch = iota
	pmAccount                // matched through its account: delegates to identity policies
	pmDirect                 // matched by "*" or by its own ARN
)

// match grades p against the element.
func (cp *compiledPrincipals) match(p *Principal) principalMatch {
	if cp.any {
		return pmDirect
	}
	if p.Anonymous {
		return pmNone
	}
	if p.Service != "" {
		if cp.anyServ {
			return pmDirect
		}
		for _, s := range cp.services {
			if s == p.Service {
				return pmDirect
			}
		}
		return pmNone
	}
	for _, a := range cp.arns {
		if a == p.ARN || (p.RoleARN != "" && a == p.RoleARN) {
			return pmDirect
		}
	}
	if len(cp.uniqueIDs) > 0 && p.UserID != "" {
		id, _, _ := strings.Cut(p.UserID, ":")
		for _, u := range cp.uniqueIDs {
			if u == id {
				return pmDirect
			}
		}
	}
	if len(cp.accounts) > 0 {
		acct := p.account()
		for _, a := range cp.accounts {
			if a == acct {
				return pmAccount
			}
		}
	}
	return pmNone
}

// stmtFail says which part of a statement did not match.
type stmtFail uint8

const (
	failNone stmtFail = iota
	failAction
	failResource
	failPrincipal
	failCondition
)

// matchStatement reports whether the statement applies to the request and,
// for a Principal element, how the principal matched (pmDirect when the
// statement has none). On a condition failure cond is its index.
func (s *Statement) matchStatement(r *Request) (pm principalMatch, fail stmtFail, cond int) {
	c := &s.c
	if !c.matchAction(r.Action) {
		return pmNone, failAction, -1
	}
	if !c.matchResource(r) {
		return pmNone, failResource, -1
	}
	pm = pmDirect
	if c.principal != nil {
		pm = c.principal.match(&r.Principal)
		if c.notPrinc {
			if pm == pmNone {
				pm = pmDirect
			} else {
				pm = pmNone
			}
		}
		if pm == pmNone {
			return pmNone, failPrincipal, -1
		}
	}
	for i := range s.Conditions {
		if !s.Conditions[i].c.eval(r) {
			return pmNone, failCondition, i
		}
	}
	return pm, failNone, -1
}

func (c *compiledStatement) matchAction(action string) bool {
	m := false
	for i := range c.actions {
		if c.actions[i].match(action, true, nil) {
			m = true
			break
		}
	}
	return m != c.notAction
}

func (c *compiledStatement) matchResource(r *Request) bool {
	m := false
	for i := range c.resources {
		if c.resources[i].match(r.Resource, false, r) {
			m = true
			break
		}
	}
	return m != c.notResource
}
