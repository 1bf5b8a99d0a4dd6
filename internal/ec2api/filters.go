package ec2api

import (
	"slices"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Filter is one Filter.N of a Describe request: a name and the values any
// of which may match.
type Filter struct {
	Name   string
	Values []string
}

// Filters are a request's filters. An item matches when it matches every
// filter; it matches a filter when one of its values for the filter's name
// matches one of the filter's values (EC2's wildcards * and ? allowed).
type Filters []Filter

// maxFilters bounds Filter.N so a request cannot make the parser loop long.
const maxFilters = 200

// ParseFilters decodes Filter.N.Name and Filter.N.Value.M. known are the
// filter names the action accepts; "tag:" in known accepts every tag:K and
// tag-key must be listed to be accepted. An unknown name is EC2's
// InvalidParameterValue "The filter 'x' is invalid"; a filter without a
// name or without values is MissingParameter.
func ParseFilters(p Params, known ...string) (Filters, *Error) {
	var fs Filters
	for i := 1; i <= maxFilters; i++ {
		prefix := "Filter." + strconv.Itoa(i)
		name, hasName := p[prefix+".Name"]
		values := p.List(prefix + ".Value")
		if !hasName && len(values) == 0 {
			if !p.hasPrefix(prefix + ".") {
				break
			}
			continue
		}
		if !hasName || len(name) == 0 || name[0] == "" {
			return nil, Errorf("MissingParameter", "The request must contain the parameter %s.Name", prefix)
		}
		n := name[0]
		if !filterKnown(n, known) {
			return nil, Errorf("InvalidParameterValue", "The filter '%s' is invalid", n)
		}
		if len(values) == 0 {
			return nil, Errorf("InvalidParameterValue", "The filter '%s' must have at least one value", n)
		}
		fs = append(fs, Filter{Name: n, Values: values})
	}
	return fs, nil
}

// hasPrefix reports whether any parameter name starts with prefix.
func (p Params) hasPrefix(prefix string) bool {
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func filterKnown(name string, known []string) bool {
	if strings.HasPrefix(name, "tag:") {
		return len(name) > len("tag:") && slices.Contains(known, "tag:")
	}
	return slices.Contains(known, name)
}

// Match reports whether an item matches every filter. values gives the
// item's values for a filter name (nil when it has none); tags are its
// tags, matched by tag:K (the value of key K) and tag-key (any key).
func (fs Filters) Match(values func(name string) []string, tags []vpce.Tag) bool {
	for _, f := range fs {
		var have []string
		switch {
		case f.Name == "tag-key":
			for _, t := range tags {
				have = append(have, t.Key)
			}
		case strings.HasPrefix(f.Name, "tag:"):
			k := strings.TrimPrefix(f.Name, "tag:")
			for _, t := range tags {
				if t.Key == k {
					have = append(have, t.Value)
				}
			}
		default:
			have = values(f.Name)
		}
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if Glob(p, h) {
				return true
			}
		}
	}
	return false
}

// Glob matches s against an EC2 filter value: * is any run of characters,
// ? any one character, and a backslash escapes the next character.
func Glob(pattern, s string) bool {
	// Iterative matching with one backtrack point: linear in practice,
	// never exponential, whatever the pattern.
	p, i := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(i) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				star, mark = pi, si
				pi++
				continue
			case c == '?':
				pi, si = pi+1, si+1
				continue
			case c == '\\' && pi+1 < len(p):
				if p[pi+1] == i[si] {
					pi, si = pi+2, si+1
					continue
				}
			case c == i[si]:
				pi, si = pi+1, si+1
				continue
			}
		}
		if star < 0 {
			return false
		}
		mark++
		pi, si = star+1, mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
