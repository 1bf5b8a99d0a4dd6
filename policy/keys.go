package policy

import (
	"iter"
	"slices"
	"strings"
)

// KeySet is the set of request context keys evaluating a policy can read:
// its condition keys and the keys of the policy variables (${…}) in its
// actions, resources and condition values, lower case. A caller that
// builds the request context may leave out every key the set lacks: the
// decision is the same. The zero KeySet is empty; AllKeys is the set of a
// policy whose keys are not known (one not made by Parse).
type KeySet struct {
	all  bool
	keys []string // lower case, sorted, unique
}

// AllKeys returns the set holding every key.
func AllKeys() KeySet { return KeySet{all: true} }

// All reports whether the set holds every key.
func (s KeySet) All() bool { return s.all }

// Keys returns the keys of a set that does not hold every key, lower case
// and sorted.
func (s KeySet) Keys() []string { return slices.Clone(s.keys) }

// Values yields the keys of a set that does not hold every key, lower
// case and sorted, without copying them as Keys does.
func (s KeySet) Values() iter.Seq[string] { return slices.Values(s.keys) }

// Has reports whether the set holds key (any case).
func (s KeySet) Has(key string) bool {
	if s.all {
		return true
	}
	for _, k := range s.keys {
		if len(k) == len(key) && (k == key || strings.EqualFold(k, key)) {
			return true
		}
	}
	return false
}

// HasPrefix reports whether the set holds a key starting with prefix (any
// case), as a key family such as "s3:ExistingObjectTag/" needs.
func (s KeySet) HasPrefix(prefix string) bool {
	if s.all {
		return true
	}
	for _, k := range s.keys {
		if len(k) >= len(prefix) && strings.EqualFold(k[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

// ContextKeys returns the keys evaluating p can read from the request
// context: none for a nil policy (no policy), AllKeys for a Policy not
// made by Parse.
func (p *Policy) ContextKeys() KeySet {
	if p == nil {
		return KeySet{}
	}
	if !p.keysKnown {
		return AllKeys()
	}
	return KeySet{keys: p.keys}
}

// referencedKeys collects the keys the compiled statements read: condition
// keys, and the variables of every pattern and condition value.
func referencedKeys(p *Policy) []string {
	var keys []string
	addToks := func(toks []token) {
		for _, t := range toks {
			if t.kind == tokVar {
				keys = append(keys, t.s)
			}
		}
	}
	addPats := func(pats []pattern) {
		for _, pt := range pats {
			addToks(pt.toks)
		}
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		addPats(st.c.actions)
		addPats(st.c.resources)
		for j := range st.Conditions {
			c := &st.Conditions[j].c
			keys = append(keys, c.key)
			addPats(c.pats)
			for _, toks := range c.toks {
				addToks(toks)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// Len returns the number of keys of a set that does not hold every key.
func (s KeySet) Len() int { return len(s.keys) }
