package policy

import (
	"fmt"
	"strings"
)

// tokKind is the kind of one pattern token.
type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // '*' wildcard: any sequence of characters
	tokQuest                // '?' wildcard: any single character
	tokVar                  // policy variable ${key} or ${key, 'default'}
)

// token is one element of a compiled pattern.
type token struct {
	kind   tokKind
	s      string // literal text, or the lower-cased variable key
	def    string // default value of a variable
	hasDef bool
}

// text resolves a literal or variable token against the request.
// Variables that are missing (or multi-valued) and have no default do not
// resolve, and the pattern then matches nothing.
func (t *token) text(r *Request) (string, bool) {
	if t.kind == tokLit {
		return t.s, true
	}
	if r != nil {
		if v, ok := r.variable(t.s); ok {
			return v, true
		}
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

// tokenize splits s into tokens. With wild, '*' and '?' are wildcards;
// with vars (Version 2012-10-17), "${...}" is a policy variable and
// ${*}, ${?}, ${$} are the literal characters.
func tokenize(s string, wild, vars bool) ([]token, error) {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{kind: tokLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			toks = append(toks, token{kind: tokStar})
			i++
		case wild && c == '?':
			flush()
			toks = append(toks, token{kind: tokQuest})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated policy variable in %q", s)
			}
			body := s[i+2 : i+end]
			i += end + 1
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				continue
			}
			t, err := parseVariable(body)
			if err != nil {
				return nil, fmt.Errorf("%v in %q", err, s)
			}
			flush()
			toks = append(toks, t)
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return toks, nil
}

// parseVariable parses the inside of ${...}: a key, optionally followed by
// a default value: "aws:username, 'nobody'".
func parseVariable(body string) (token, error) {
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t'${") {
		return token{}, fmt.Errorf("invalid policy variable ${%s}", body)
	}
	t := token{kind: tokVar, s: strings.ToLower(key)}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return token{}, fmt.Errorf("invalid default value in policy variable ${%s} (want ${key, 'default'})", body)
		}
		t.def, t.hasDef = def[1:len(def)-1], true
	}
	return t, nil
}
