package policy

import (
	"fmt"
	"strings"
)

// Trace explains an evaluation: per policy and statement, whether it
// matched and, if not, why not.
type Trace struct {
	// Decision is the final decision.
	Decision Decision
	// Policies has one entry per Attached, in the order given.
	Policies []PolicyTrace
}

// PolicyTrace explains one attached policy.
type PolicyTrace struct {
	// Index is the position in the Attached list.
	Index int
	// Kind is the policy's role in the evaluation.
	Kind Kind
	// Allowed is the index of the granting Allow statement, -1 if none.
	Allowed int
	// Denied is the index of the matching Deny statement, -1 if none.
	Denied int
	// Statements explain each statement.
	Statements []StatementTrace
}

// StatementTrace explains one statement.
type StatementTrace struct {
	// Index is the statement's 0-based index; Sid and Effect are copied from it.
	Index  int
	Sid    string
	Effect Effect
	// Matched is true when the statement applies to the request.
	Matched bool
	// ViaAccount is true when the Principal matched only through the
	// principal's account (which delegates to identity-based policies).
	ViaAccount bool
	// Why says why the statement did not match (or how it matched).
	Why string
}

func tracePolicy(i int, k Kind, p *Policy, r *Request, res policyResult) PolicyTrace {
	pt := PolicyTrace{Index: i, Kind: k, Allowed: res.allowStmt, Denied: res.denyStmt}
	if res.deny {
		pt.Allowed = -1
	}
	for j := range p.Statements {
		s := &p.Statements[j]
		pm, fail, ci := s.matchStatement(r)
		st := StatementTrace{Index: j, Sid: s.Sid, Effect: s.Effect, Matched: fail == failNone, ViaAccount: pm == pmAccount}
		st.Why = explain(s, r, fail, ci, pm)
		pt.Statements = append(pt.Statements, st)
	}
	return pt
}

// fillRemaining traces policies that an early explicit deny left unexamined.
func (t *Trace) fillRemaining(policies []Attached, r *Request) {
	for i := range policies {
		if t.Policies[i].Statements != nil || policies[i].Policy == nil {
			if policies[i].Policy == nil {
				t.Policies[i] = PolicyTrace{Index: i, Kind: policies[i].kind(), Allowed: -1, Denied: -1}
			}
			continue
		}
		res := policies[i].Policy.evaluate(r)
		t.Policies[i] = tracePolicy(i, policies[i].kind(), policies[i].Policy, r, res)
	}
}

func explain(s *Statement, r *Request, fail stmtFail, ci int, pm principalMatch) string {
	switch fail {
	case failAction:
		if s.c.notAction {
			return fmt.Sprintf("action %s is excluded by NotAction %s", r.Action, list(s.NotAction))
		}
		return fmt.Sprintf("action %s is not in Action %s", r.Action, list(s.Action))
	case failResource:
		if s.c.notResource {
			return fmt.Sprintf("resource %s is excluded by NotResource %s", r.Resource, list(s.NotResource))
		}
		return fmt.Sprintf("resource %s is not in Resource %s", r.Resource, list(s.Resource))
	case failPrincipal:
		who := principalName(&r.Principal)
		if s.c.notPrinc {
			return fmt.Sprintf("principal %s is excluded by NotPrincipal", who)
		}
		return fmt.Sprintf("principal %s is not in Principal", who)
	case failCondition:
		c := &s.Conditions[ci]
		vals, ok := r.lookup(c.c.key)
		if !ok || vals.n == 0 {
			return fmt.Sprintf("condition %s %s %s is false: key %s is absent from the request", c.Operator, c.Key, list(c.Values), c.Key)
		}
		got := make([]string, vals.n)
		for i := range got {
			got[i] = vals.at(i)
		}
		return fmt.Sprintf("condition %s %s %s is false for request value %s", c.Operator, c.Key, list(c.Values), list(got))
	}
	why := "matched"
	if pm == pmAccount {
		why = "matched (principal through its account; needs identity-based permission too)"
	}
	// Point out conditions that held only because their key is absent:
	// the classic aws:SourceIp-through-an-endpoint surprise.
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if c.c.op.family == famNull {
			continue
		}
		if vals, ok := r.lookup(c.c.key); !ok || vals.n == 0 {
			why += fmt.Sprintf("; condition %s %s is true because %s is absent from the request", c.Operator, c.Key, c.Key)
		}
	}
	return why
}

func principalName(p *Principal) string {
	switch {
	case p.Anonymous:
		return "anonymous"
	case p.Service != "":
		return p.Service
	}
	return p.ARN
}

func list(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// String renders the trace like a policy simulator report.
func (t *Trace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "decision: %s\n", t.Decision)
	if !t.Decision.Allowed() {
		fmt.Fprintf(&b, "message: %s\n", t.Decision.Message())
	}
	for _, p := range t.Policies {
		fmt.Fprintf(&b, "policy %d (%s):", p.Index, p.Kind)
		switch {
		case p.Statements == nil:
			b.WriteString(" no policy\n")
			continue
		case p.Denied >= 0:
			fmt.Fprintf(&b, " explicit deny by statement %d\n", p.Denied)
		case p.Allowed >= 0:
			fmt.Fprintf(&b, " allows by statement %d\n", p.Allowed)
		default:
			b.WriteString(" no statement allows\n")
		}
		for _, s := range p.Statements {
			fmt.Fprintf(&b, "  statement %d", s.Index)
			if s.Sid != "" {
				fmt.Fprintf(&b, " (Sid %q)", s.Sid)
			}
			fmt.Fprintf(&b, " %s: %s\n", s.Effect, s.Why)
		}
	}
	return b.String()
}
