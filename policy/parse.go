package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Option configures [Parse].
type Option func(*parseConfig)

type parseConfig struct {
	kind Kind
}

// WithKind makes Parse apply the rules of one policy kind: the size limit
// and the Principal rules of VPC endpoint policies, the Principal required
// by bucket policies, the Principal forbidden in identity policies. The kind
// is recorded in Policy.Kind.
func WithKind(k Kind) Option {
	return func(c *parseConfig) { c.kind = k }
}

// Parse parses and compiles a policy document. It is strict: any deviation
// from the IAM grammar is a *ParseError that names the statement, the field
// and the line and column.
//
// Accepted: Version "2012-10-17" or "2008-10-17" (absent means 2008-10-17),
// Id, Statement as one object or an array; per statement Sid, Effect,
// Principal or NotPrincipal, Action or NotAction, Resource or NotResource,
// Condition, each a string or an array of strings where IAM allows either.
// Condition values may be strings, numbers or booleans.
func Parse(data []byte, opts ...Option) (*Policy, error) {
	var cfg parseConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.kind.isEndpoint() {
		if n := utf8.RuneCount(data); n > MaxEndpointPolicyChars {
			return nil, &ParseError{Statement: -1, Msg: fmt.Sprintf("policy has %d characters; a VPC endpoint policy allows at most %d including white space", n, MaxEndpointPolicyChars)}
		}
	}
	p, _, errs := parseAll(data, cfg.kind)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return p, nil
}

// parseAll parses data and returns the node tree and every error, located,
// in document order; the policy is complete only when there are none.
func parseAll(data []byte, kind Kind) (*Policy, *jnode, []*ParseError) {
	root, err := decodeJSON(data)
	if err != nil {
		pe, ok := err.(*ParseError)
		if !ok {
			pe = &ParseError{Statement: -1, Msg: err.Error()}
		}
		pe.Line, pe.Col = lineCol(data, pe.off)
		return nil, nil, []*ParseError{pe}
	}
	p := &Policy{Kind: kind}
	ps := &parser{p: p, kind: kind}
	ps.document(root)
	for _, pe := range ps.errs {
		pe.Line, pe.Col = lineCol(data, pe.off)
	}
	if len(ps.errs) == 0 {
		p.keys, p.keysKnown = referencedKeys(p), true
	}
	return p, root, ps.errs
}

// Validate parses data with WithKind(kind) and returns only the error.
func Validate(data []byte, kind Kind) error {
	_, err := Parse(data, WithKind(kind))
	return err
}

// Validate checks an already parsed policy against the rules of kind (see
// WithKind), without positions. It lets callers lint a policy parsed with
// another kind, for example before attaching it to a gateway endpoint.
func (p *Policy) Validate(kind Kind) error {
	for i := range p.Statements {
		s := &p.Statements[i]
		if err := checkKind(kind, i, s, 0); err != nil {
			return err
		}
	}
	if kind.isEndpoint() {
		b, err := p.MarshalJSON()
		if err == nil && utf8.RuneCount(b) > MaxEndpointPolicyChars {
			return &ParseError{Statement: -1, Msg: fmt.Sprintf("policy has %d characters; a VPC endpoint policy allows at most %d", utf8.RuneCount(b), MaxEndpointPolicyChars)}
		}
	}
	return nil
}

// checkKind applies the kind-specific Principal rules to one statement.
func checkKind(kind Kind, i int, s *Statement, off int) *ParseError {
	fail := func(field, msg string) *ParseError {
		return &ParseError{Statement: i, Sid: s.Sid, Field: field, Msg: msg, off: off}
	}
	switch kind {
	case KindIdentity:
		if s.Principal != nil {
			return fail("Principal", "an identity-based policy cannot have a Principal")
		}
		if s.NotPrincipal != nil {
			return fail("NotPrincipal", "an identity-based policy cannot have a NotPrincipal")
		}
	case KindBucket:
		if s.Principal == nil && s.NotPrincipal == nil {
			return fail("Principal", "a bucket policy statement needs a Principal or NotPrincipal")
		}
	case KindAccessPoint:
		if s.Principal == nil && s.NotPrincipal == nil {
			return fail("Principal", "an access point policy statement needs a Principal or NotPrincipal")
		}
		for _, field := range [...]struct {
			name string
			list []string
		}{{"Resource", s.Resource}, {"NotResource", s.NotResource}} {
			for _, r := range field.list {
				if !isAccessPointResource(r) {
					return fail(field.name, fmt.Sprintf("resource %q is not an access point ARN: an access point policy's resources are arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME and arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY", r))
				}
			}
		}
	case KindEndpoint:
		if s.Principal == nil && s.NotPrincipal == nil {
			return fail("Principal", "a VPC endpoint policy statement needs a Principal")
		}
	case KindGatewayEndpoint:
		if s.NotPrincipal != nil {
			return fail("NotPrincipal", "a gateway endpoint policy cannot use NotPrincipal; use Principal \"*\" and an aws:PrincipalArn condition")
		}
		if s.Principal == nil {
			return fail("Principal", "a VPC endpoint policy statement needs a Principal")
		}
		if !s.Principal.isWildcard() {
			return fail("Principal", "a gateway endpoint policy only accepts Principal \"*\"; use an aws:PrincipalArn condition to restrict principals")
		}
	}
	return nil
}

// isAccessPointResource reports whether r names an access point or objects
// through one: arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME[/object/KEY],
// wildcards allowed in NAME and KEY.
func isAccessPointResource(r string) bool {
	a, ok := splitARN(r)
	if !ok || a.service != "s3" || a.region == "" || a.account == "" {
		return false
	}
	name, ok := strings.CutPrefix(a.resource, "accesspoint/")
	if !ok || name == "" {
		return false
	}
	if n, rest, ok := strings.Cut(name, "/"); ok {
		return n != "" && (rest == "*" || strings.HasPrefix(rest, "object/"))
	}
	return true
}

// isWildcard reports whether the principal is "*" or {"AWS": "*"}.
func (ps *Principals) isWildcard() bool {
	if ps.Wildcard {
		return true
	}
	return len(ps.AWS) == 1 && ps.AWS[0] == "*" && len(ps.Service) == 0 && len(ps.Federated) == 0 && len(ps.CanonicalUser) == 0
}

type parser struct {
	p    *Policy
	kind Kind
	errs []*ParseError // every error, in document order
}

// add records err, a *ParseError from a fail function or a check.
func (ps *parser) add(err error) {
	if pe, ok := err.(*ParseError); ok {
		ps.errs = append(ps.errs, pe)
		return
	}
	ps.errs = append(ps.errs, &ParseError{Statement: -1, Msg: err.Error()})
}

// document parses the top level and every statement, recording each error
// and going on where what follows does not depend on what failed.
func (ps *parser) document(root *jnode) {
	if root.kind != jObject {
		ps.add(&ParseError{Statement: -1, Msg: "policy must be a JSON object, not " + root.kind.String(), off: root.off})
		return
	}
	var stmts *jnode
	for _, f := range root.obj {
		top := func(msg string) error {
			return &ParseError{Statement: -1, Field: f.name, Msg: msg, off: f.val.off}
		}
		switch f.name {
		case "Version":
			switch {
			case f.val.kind != jString:
				ps.add(top("must be a string"))
			case f.val.str != Version20121017 && f.val.str != Version20081017:
				ps.add(top(fmt.Sprintf("unsupported version %q (want %q or %q)", f.val.str, Version20121017, Version20081017)))
			default:
				ps.p.Version = f.val.str
			}
		case "Id":
			if f.val.kind != jString {
				ps.add(top("must be a string"))
				continue
			}
			ps.p.ID = f.val.str
		case "Statement":
			stmts = f.val
		default:
			ps.add(&ParseError{Statement: -1, Field: f.name, Msg: fmt.Sprintf("unknown field %q", f.name), off: f.off})
		}
	}
	if stmts == nil {
		ps.add(&ParseError{Statement: -1, Field: "Statement", Msg: "missing Statement", off: root.off})
		return
	}
	var list []*jnode
	switch stmts.kind {
	case jObject:
		list = []*jnode{stmts}
	case jArray:
		list = stmts.arr
		if len(list) == 0 {
			ps.add(&ParseError{Statement: -1, Field: "Statement", Msg: "must not be empty", off: stmts.off})
			return
		}
	default:
		ps.add(&ParseError{Statement: -1, Field: "Statement", Msg: "must be an object or an array of objects, not " + stmts.kind.String(), off: stmts.off})
		return
	}
	ps.p.Statements = make([]Statement, len(list))
	sids := make(map[string]int)
	for i, n := range list {
		ps.statement(i, n, &ps.p.Statements[i])
		s := &ps.p.Statements[i]
		if s.Sid != "" {
			if j, dup := sids[s.Sid]; dup {
				ps.add(&ParseError{Statement: i, Sid: s.Sid, Field: "Sid", Msg: fmt.Sprintf("duplicate Sid (also statement %d)", j), off: sidOffset(n)})
				continue
			}
			sids[s.Sid] = i
		}
	}
}

func sidOffset(n *jnode) int {
	for _, f := range n.obj {
		if f.name == "Sid" {
			return f.val.off
		}
	}
	return n.off
}

// statement parses statement i, recording every error: one per field, and
// none about what a field that failed would have supplied (a bad Effect
// is not also a missing one). It is compiled only when it has no error.
func (ps *parser) statement(i int, n *jnode, s *Statement) {
	if n.kind != jObject {
		ps.add(&ParseError{Statement: i, Msg: "statement must be a JSON object, not " + n.kind.String(), off: n.off})
		return
	}
	for _, f := range n.obj {
		if f.name == "Sid" && f.val.kind == jString {
			s.Sid = f.val.str
		}
	}
	fail := func(field string, off int, format string, args ...any) error {
		return &ParseError{Statement: i, Sid: s.Sid, Field: field, Msg: fmt.Sprintf(format, args...), off: off}
	}
	before := len(ps.errs)
	bad := map[string]bool{} // fields that had an error
	var principalOff = n.off
	var haveEffect bool
	for _, f := range n.obj {
		v := f.val
		failField := func(off int, format string, args ...any) error { return fail(f.name, off, format, args...) }
		var err error
		switch f.name {
		case "Sid":
			if v.kind != jString {
				err = fail(f.name, v.off, "must be a string, not %s", v.kind)
			}
		case "Effect":
			haveEffect = true
			if v.kind != jString {
				err = fail(f.name, v.off, "must be a string, not %s", v.kind)
				break
			}
			switch v.str {
			case "Allow":
				s.Effect = EffectAllow
			case "Deny":
				s.Effect = EffectDeny
			default:
				err = fail(f.name, v.off, "must be \"Allow\" or \"Deny\", not %q", v.str)
			}
		case "Principal", "NotPrincipal":
			var pr *Principals
			pr, err = ps.principals(v, failField)
			principalOff = v.off
			if f.name == "Principal" {
				s.Principal = pr
			} else {
				s.NotPrincipal = pr
			}
		case "Action", "NotAction":
			var list []string
			list, err = stringList(v, failField, checkAction)
			if f.name == "Action" {
				s.Action = list
			} else {
				s.NotAction = list
			}
		case "Resource", "NotResource":
			var list []string
			list, err = stringList(v, failField, checkResource)
			if f.name == "Resource" {
				s.Resource = list
			} else {
				s.NotResource = list
			}
		case "Condition":
			var errs []error
			s.Conditions, errs = ps.conditions(v, failField)
			for _, e := range errs {
				ps.add(e)
				bad[f.name] = true
			}
		default:
			err = fail(f.name, f.off, "unknown field %q", f.name)
		}
		if err != nil {
			ps.add(err)
			bad[f.name] = true
		}
	}
	pairs := [...][2]string{{"Principal", "NotPrincipal"}, {"Action", "NotAction"}, {"Resource", "NotResource"}}
	for _, pair := range pairs {
		if has(n, pair[0]) && has(n, pair[1]) {
			ps.add(fail(pair[1], fieldOffset(n, pair[1]), "%s and %s cannot both appear in one statement", pair[0], pair[1]))
			bad[pair[0]], bad[pair[1]] = true, true
		}
	}
	if !haveEffect {
		ps.add(fail("Effect", n.off, "missing Effect"))
	}
	if !has(n, "Action") && !has(n, "NotAction") {
		ps.add(fail("Action", n.off, "statement needs Action or NotAction"))
	}
	if !has(n, "Resource") && !has(n, "NotResource") {
		ps.add(fail("Resource", n.off, "statement needs Resource or NotResource"))
	}
	if !bad["Principal"] && !bad["NotPrincipal"] {
		if err := checkKind(ps.kind, i, s, principalOff); err != nil {
			ps.add(err)
		}
	}
	if len(ps.errs) > before {
		return
	}
	c, cerr := compileStatement(s, ps.p.variables())
	if cerr != nil {
		ps.add(fail(cerr.field, n.off, "%s", cerr.msg))
		return
	}
	s.c = c
}

func has(n *jnode, name string) bool {
	for _, f := range n.obj {
		if f.name == name {
			return true
		}
	}
	return false
}

func fieldOffset(n *jnode, name string) int {
	for _, f := range n.obj {
		if f.name == name {
			return f.off
		}
	}
	return n.off
}

type failFunc func(off int, format string, args ...any) error

// stringList accepts a string or a non-empty array of strings and checks
// each with check (which returns "" when the value is fine).
func stringList(v *jnode, fail failFunc, check func(string) string) ([]string, error) {
	var nodes []*jnode
	switch v.kind {
	case jString:
		nodes = []*jnode{v}
	case jArray:
		if len(v.arr) == 0 {
			return nil, fail(v.off, "must not be an empty array")
		}
		nodes = v.arr
	default:
		return nil, fail(v.off, "must be a string or an array of strings, not %s", v.kind)
	}
	out := make([]string, 0, len(nodes))
	for _, e := range nodes {
		if e.kind != jString {
			return nil, fail(e.off, "array elements must be strings, not %s", e.kind)
		}
		if msg := check(e.str); msg != "" {
			return nil, fail(e.off, "%s", msg)
		}
		out = append(out, e.str)
	}
	return out, nil
}

func (ps *parser) principals(v *jnode, fail failFunc) (*Principals, error) {
	switch v.kind {
	case jString:
		if v.str != "*" {
			return nil, fail(v.off, "a principal string must be \"*\"; name principals as {\"AWS\": %q}", v.str)
		}
		return &Principals{Wildcard: true}, nil
	case jObject:
	default:
		return nil, fail(v.off, "must be \"*\" or an object, not %s", v.kind)
	}
	if len(v.obj) == 0 {
		return nil, fail(v.off, "must not be an empty object")
	}
	pr := &Principals{}
	for _, f := range v.obj {
		var dst *[]string
		check := func(string) string { return "" }
		switch f.name {
		case "AWS":
			dst, check = &pr.AWS, checkAWSPrincipal
		case "Service":
			dst, check = &pr.Service, checkServicePrincipal
		case "Federated":
			dst = &pr.Federated
			check = nonEmpty
		case "CanonicalUser":
			dst = &pr.CanonicalUser
			check = nonEmpty
		default:
			return nil, fail(f.off, "unknown principal type %q (want AWS, Service, Federated or CanonicalUser)", f.name)
		}
		list, err := stringList(f.val, fail, check)
		if err != nil {
			return nil, err
		}
		*dst = list
	}
	return pr, nil
}

func nonEmpty(s string) string {
	if s == "" {
		return "must not be empty"
	}
	return ""
}

func checkServicePrincipal(s string) string {
	if s == "*" {
		return ""
	}
	if s == "" || strings.ContainsAny(s, "*? \t") || !strings.Contains(s, ".") {
		return fmt.Sprintf("invalid service principal %q (want a name like \"cloudtrail.amazonaws.com\")", s)
	}
	return ""
}

// checkAWSPrincipal accepts "*", a 12-digit account ID, an IAM or STS ARN
// naming an account root, user, role, assumed-role session or federated user,
// or a unique ID (what IAM shows after the named principal was deleted).
func checkAWSPrincipal(s string) string {
	if s == "*" || isAccountID(s) {
		return ""
	}
	if strings.ContainsAny(s, "*?") {
		return fmt.Sprintf("wildcards are not allowed in principal %q; use \"*\" with an aws:PrincipalArn condition", s)
	}
	if isUniqueID(s) {
		return ""
	}
	a, ok := splitARN(s)
	if !ok {
		return fmt.Sprintf("invalid principal %q (want \"*\", an account ID or an IAM ARN)", s)
	}
	if !isAccountID(a.account) || a.region != "" {
		return fmt.Sprintf("invalid principal ARN %q: want arn:PARTITION:iam::ACCOUNT:...", s)
	}
	switch a.service {
	case "iam":
		if a.resource == "root" || strings.HasPrefix(a.resource, "user/") || strings.HasPrefix(a.resource, "role/") {
			return ""
		}
	case "sts":
		if strings.HasPrefix(a.resource, "assumed-role/") && strings.Count(a.resource, "/") >= 2 || strings.HasPrefix(a.resource, "federated-user/") {
			return ""
		}
	}
	return fmt.Sprintf("invalid principal ARN %q: want root, user/..., role/..., assumed-role/ROLE/SESSION or federated-user/...", s)
}

// isAccountID reports whether s is a 12-digit AWS account ID.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isUniqueID reports whether s looks like an IAM unique ID (AIDA..., AROA...).
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 128 || s[0] != 'A' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func checkAction(s string) string {
	if s == "*" {
		return ""
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return fmt.Sprintf("invalid action %q (want \"*\" or SERVICE:ACTION such as \"s3:GetObject\")", s)
	}
	for _, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Sprintf("invalid service prefix in action %q", s)
		}
	}
	if strings.ContainsAny(s[i+1:], " \t\r\n:") {
		return fmt.Sprintf("invalid action name in %q", s)
	}
	return ""
}

func checkResource(s string) string {
	if s == "*" {
		return ""
	}
	if !strings.HasPrefix(s, "arn:") || strings.Count(s, ":") < 5 {
		return fmt.Sprintf("invalid resource %q (want \"*\" or an ARN arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", s)
	}
	a, _ := splitARN(s)
	if a.partition == "" || a.service == "" {
		return fmt.Sprintf("invalid resource ARN %q: empty partition or service", s)
	}
	return ""
}

// arnParts is an ARN split into its six segments (the resource keeps its colons).
type arnParts struct {
	partition, service, region, account, resource string
}

// splitARN splits "arn:partition:service:region:account:resource".
func splitARN(s string) (arnParts, bool) {
	var a arnParts
	if !strings.HasPrefix(s, "arn:") {
		return a, false
	}
	parts := strings.SplitN(s[4:], ":", 5)
	if len(parts) != 5 {
		return a, false
	}
	a = arnParts{parts[0], parts[1], parts[2], parts[3], parts[4]}
	return a, a.partition != "" && a.service != ""
}

// arnAccount returns the account segment of an ARN without allocating.
func arnAccount(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	rest := s[4:]
	for range 3 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return ""
	}
	return rest[:i]
}

// conditions parses a Condition block. It returns every error, one per
// operator or key, going on past each.
func (ps *parser) conditions(v *jnode, fail failFunc) ([]Condition, []error) {
	if v.kind != jObject {
		return nil, []error{fail(v.off, "must be an object, not %s", v.kind)}
	}
	var out []Condition
	var errs []error
	for _, opf := range v.obj {
		op, ok := parseOperator(opf.name)
		if !ok {
			errs = append(errs, fail(opf.off, "unknown operator %q", opf.name))
			continue
		}
		if opf.val.kind != jObject {
			errs = append(errs, fail(opf.val.off, "operator %s must map condition keys to values, not %s", opf.name, opf.val.kind))
			continue
		}
		if len(opf.val.obj) == 0 {
			errs = append(errs, fail(opf.val.off, "operator %s has no condition keys", opf.name))
			continue
		}
		for _, kf := range opf.val.obj {
			c, err := ps.condition(op, opf.name, kf, fail)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, c)
		}
	}
	return out, errs
}

// condition parses one key of an operator and its values.
func (ps *parser) condition(op operator, opName string, kf jfield, fail failFunc) (Condition, error) {
	if msg := checkConditionKey(kf.name); msg != "" {
		return Condition{}, fail(kf.off, "%s", msg)
	}
	var nodes []*jnode
	switch kf.val.kind {
	case jString, jNumber, jBool:
		nodes = []*jnode{kf.val}
	case jArray:
		if len(kf.val.arr) == 0 {
			return Condition{}, fail(kf.val.off, "%s %s: values must not be an empty array", opName, kf.name)
		}
		nodes = kf.val.arr
	default:
		return Condition{}, fail(kf.val.off, "%s %s: value must be a string, number, boolean or array of them, not %s", opName, kf.name, kf.val.kind)
	}
	c := Condition{Operator: opName, Key: kf.name, Values: make([]string, 0, len(nodes))}
	for _, e := range nodes {
		switch e.kind {
		case jString, jNumber, jBool:
		default:
			return Condition{}, fail(e.off, "%s %s: values must be strings, numbers or booleans, not %s", opName, kf.name, e.kind)
		}
		if msg := op.checkValue(e.str); msg != "" {
			return Condition{}, fail(e.off, "%s %s: %s", opName, kf.name, msg)
		}
		c.Values = append(c.Values, e.str)
	}
	cc, err := compileCondition(op, c.Key, c.Values, ps.p.variables())
	if err != nil {
		return Condition{}, fail(kf.off, "%s %s: %v", opName, kf.name, err)
	}
	c.c = cc
	return c, nil
}

// checkConditionKey accepts PREFIX:NAME keys (the name may contain '/').
func checkConditionKey(k string) string {
	i := strings.IndexByte(k, ':')
	if i <= 0 || i == len(k)-1 {
		return fmt.Sprintf("invalid condition key %q (want PREFIX:NAME such as \"aws:SourceVpce\")", k)
	}
	if strings.ContainsAny(k, " \t\r\n") {
		return fmt.Sprintf("invalid condition key %q: contains white space", k)
	}
	return ""
}
