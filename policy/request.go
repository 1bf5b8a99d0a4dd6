package policy

import "strings"

// Principal is who makes a request.
type Principal struct {
	// Anonymous marks an unsigned request. Only Principal "*" matches it, and
	// only a resource-based policy can grant it access.
	Anonymous bool
	// ARN is the caller's ARN as STS GetCallerIdentity reports it, e.g.
	// "arn:aws:iam::123456789012:user/MaryMajor" or
	// "arn:aws:sts::123456789012:assumed-role/Admin/session".
	ARN string
	// Account is the caller's 12-digit account ID; when empty it is taken
	// from ARN.
	Account string
	// RoleARN is, for an assumed-role session, the IAM role's ARN
	// ("arn:aws:iam::123456789012:role/path/Admin"): it is the value of
	// aws:PrincipalArn, and a Principal naming the role matches the session.
	// IAM ARNs carry the role path, the session ARN does not, so it is not
	// derived: callers that know the role set it.
	RoleARN string
	// UserID is the value of aws:userid (e.g. "AIDA..." or "AROA...:session").
	UserID string
	// Username is the value of aws:username (IAM users only).
	Username string
	// Service is set when an AWS service principal makes the call, e.g.
	// "cloudtrail.amazonaws.com"; it matches {"Service": ...} principals.
	Service string
}

// account returns the principal's account ID.
func (p *Principal) account() string {
	if p.Account != "" {
		return p.Account
	}
	return arnAccount(p.ARN)
}

// principalARN returns the value of aws:PrincipalArn.
func (p *Principal) principalARN() string {
	if p.RoleARN != "" {
		return p.RoleARN
	}
	return p.ARN
}

// Request is one authorization question: may Principal perform Action on
// Resource, given Context? Callers evaluate an S3 operation that touches two
// resources (CopyObject) as two Requests; see S3Checks.
type Request struct {
	// Principal is the caller.
	Principal Principal
	// Action is the IAM action, e.g. "s3:GetObject" (matched case-insensitively).
	Action string
	// Resource is one resource ARN, e.g. "arn:aws:s3:::bucket/key", or "*".
	Resource string
	// Context holds the condition keys of the request.
	Context Context
	// StrictIdentity disables the emulator default for identity-based
	// permissions. When false (the default) and no KindIdentity policy is
	// attached to the evaluation, a signed principal is treated as holding
	// identity-based permission for the request, because the emulator has no
	// IAM; the Decision then reports IdentityAssumed. When true, a missing
	// identity policy means no identity-based permission, as in AWS for a
	// principal without policies.
	StrictIdentity bool
}

// Context holds condition keys and their values. Keys are case-insensitive;
// a key may have several values (a multivalued key). The zero Context is
// empty and ready to use. Lookups do not allocate.
type Context struct {
	entries []ctxEntry
	// arena backs the values of single-valued keys set with SetValue, so
	// that building a context does not allocate once per key.
	arena []string
}

type ctxEntry struct {
	key    string // lower case
	values []string
}

// NewContext builds a Context from a map of keys to values.
func NewContext(m map[string][]string) Context {
	var c Context
	for k, v := range m {
		c.Add(k, v...)
	}
	return c
}

// smallContext is the most keys Grow makes room for in one allocation.
const smallContext = 4

// Grow makes room for n more keys without reallocating.
func (c *Context) Grow(n int) {
	if n > 0 && n <= smallContext && cap(c.entries) == 0 && cap(c.arena) == 0 {
		// The common reduced context (the keys a request's policies read):
		// its entries and values in one allocation of their size.
		c.entries, c.arena = smallRoom(n)
		return
	}
	if cap(c.entries)-len(c.entries) < n {
		c.entries = append(make([]ctxEntry, 0, len(c.entries)+n), c.entries...)
	}
	if cap(c.arena)-len(c.arena) < n {
		c.arena = make([]string, 0, n)
	}
}

// smallRoom allocates room for n (1 to smallContext) entries and their
// single values together.
func smallRoom(n int) ([]ctxEntry, []string) {
	switch n {
	case 1:
		r := new(struct {
			e [1]ctxEntry
			a [1]string
		})
		return r.e[:0], r.a[:0]
	case 2:
		r := new(struct {
			e [2]ctxEntry
			a [2]string
		})
		return r.e[:0], r.a[:0]
	case 3:
		r := new(struct {
			e [3]ctxEntry
			a [3]string
		})
		return r.e[:0], r.a[:0]
	}
	r := new(struct {
		e [smallContext]ctxEntry
		a [smallContext]string
	})
	return r.e[:0], r.a[:0]
}

// SetValue replaces the values of key with the single value v. It is Set
// for the common case, without allocating after Grow.
func (c *Context) SetValue(key, v string) {
	lk := strings.ToLower(key)
	c.arena = append(c.arena, v)
	vals := c.arena[len(c.arena)-1 : len(c.arena) : len(c.arena)]
	for i := range c.entries {
		if c.entries[i].key == lk {
			c.entries[i].values = vals
			return
		}
	}
	c.entries = append(c.entries, ctxEntry{key: lk, values: vals})
}

// Set replaces the values of key.
func (c *Context) Set(key string, values ...string) {
	lk := strings.ToLower(key)
	for i := range c.entries {
		if c.entries[i].key == lk {
			c.entries[i].values = append([]string(nil), values...)
			return
		}
	}
	c.entries = append(c.entries, ctxEntry{key: lk, values: append([]string(nil), values...)})
}

// Add appends values to key, making it multivalued when it already has one.
func (c *Context) Add(key string, values ...string) {
	lk := strings.ToLower(key)
	for i := range c.entries {
		if c.entries[i].key == lk {
			c.entries[i].values = append(c.entries[i].values, values...)
			return
		}
	}
	c.entries = append(c.entries, ctxEntry{key: lk, values: append([]string(nil), values...)})
}

// Delete removes key.
func (c *Context) Delete(key string) {
	lk := strings.ToLower(key)
	for i := range c.entries {
		if c.entries[i].key == lk {
			c.entries = append(c.entries[:i], c.entries[i+1:]...)
			return
		}
	}
}

// Get returns the values of key, looked up case-insensitively.
func (c *Context) Get(key string) ([]string, bool) {
	for i := range c.entries {
		if strings.EqualFold(c.entries[i].key, key) {
			return c.entries[i].values, true
		}
	}
	return nil, false
}

// Keys returns the keys (lower case) in insertion order.
func (c *Context) Keys() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.key
	}
	return out
}

// Len returns the number of keys.
func (c *Context) Len() int { return len(c.entries) }

// get looks up an already lower-cased key.
func (c *Context) get(lk string) ([]string, bool) {
	for i := range c.entries {
		if c.entries[i].key == lk {
			return c.entries[i].values, true
		}
	}
	return nil, false
}

// values is a view of a key's values that can hold one derived value
// without allocating a slice.
type values struct {
	one  string
	many []string
	n    int
}

func (v *values) at(i int) string {
	if v.many != nil {
		return v.many[i]
	}
	return v.one
}

// lookup returns the values of a lower-cased condition key. Keys present in
// Context win; the principal keys aws:PrincipalArn, aws:PrincipalAccount,
// aws:userid, aws:username and aws:PrincipalServiceName are otherwise derived
// from Principal (absent for anonymous requests).
func (r *Request) lookup(lk string) (values, bool) {
	if vs, ok := r.Context.get(lk); ok {
		return values{many: vs, n: len(vs)}, true
	}
	p := &r.Principal
	if p.Anonymous {
		return values{}, false
	}
	var s string
	switch lk {
	case "aws:principalarn":
		if p.Service == "" {
			s = p.principalARN()
		}
	case "aws:principalaccount":
		s = p.account()
	case "aws:userid":
		s = p.UserID
	case "aws:username":
		s = p.Username
	case "aws:principalservicename":
		s = p.Service
	}
	if s == "" {
		return values{}, false
	}
	return values{one: s, n: 1}, true
}

// variable resolves a policy variable: a single-valued key.
func (r *Request) variable(lk string) (string, bool) {
	v, ok := r.lookup(lk)
	if !ok || v.n != 1 {
		return "", false
	}
	return v.at(0), true
}
