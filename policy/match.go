package policy

import (
	"strings"
	"unicode/utf8"
)

// patKind classifies a compiled pattern for fast matching.
type patKind uint8

const (
	patGlob    patKind = iota // general: wildcards and/or variables
	patAny                    // "*": matches everything
	patLiteral                // no wildcards, no variables: plain comparison
)

// pattern is a compiled Action, Resource or ARN/string condition value.
type pattern struct {
	kind patKind
	lit  string  // patLiteral: the text (lower-cased for case-insensitive patterns)
	toks []token // patGlob
	segs []seg   // ARN segmentation of toks; nil for whole-string matching
}

// seg is a range of tokens forming one colon-separated ARN segment. tail
// is set when the segment ends with '*', which may then expand across colons.
type seg struct {
	start, end int
	tail       bool
}

// compilePattern compiles s. fold lower-cases literal text (for actions,
// matched case-insensitively); arn makes matching ARN-segment-aware.
func compilePattern(s string, wild, vars, fold, arn bool) (pattern, error) {
	if wild && s == "*" {
		return pattern{kind: patAny}, nil
	}
	toks, err := tokenize(s, wild, vars)
	if err != nil {
		return pattern{}, err
	}
	if fold {
		for i := range toks {
			if toks[i].kind == tokLit {
				toks[i].s = strings.ToLower(toks[i].s)
			}
		}
	}
	plain := true
	for _, t := range toks {
		if t.kind != tokLit {
			plain = false
		}
	}
	if plain {
		var b strings.Builder
		for _, t := range toks {
			b.WriteString(t.s)
		}
		return pattern{kind: patLiteral, lit: b.String()}, nil
	}
	p := pattern{kind: patGlob, toks: toks}
	if arn && strings.HasPrefix(s, "arn:") {
		p.toks, p.segs = segmentARN(toks)
	}
	return p, nil
}

// segmentARN splits literal tokens at the first five colons, so that each
// of the six ARN segments is its own range of tokens; the separators stay
// in the token list as ":" literals between the ranges.
func segmentARN(toks []token) ([]token, []seg) {
	var out []token
	var segs []seg
	start := 0
	colons := 0
	for _, t := range toks {
		if t.kind != tokLit || colons >= 5 {
			out = append(out, t)
			continue
		}
		s := t.s
		for colons < 5 {
			i := strings.IndexByte(s, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				out = append(out, token{kind: tokLit, s: s[:i]})
			}
			segs = append(segs, seg{start: start, end: len(out)})
			out = append(out, token{kind: tokLit, s: ":"})
			start = len(out)
			colons++
			s = s[i+1:]
		}
		if s != "" {
			out = append(out, token{kind: tokLit, s: s})
		}
	}
	segs = append(segs, seg{start: start, end: len(out)})
	for i := range segs {
		sg := &segs[i]
		sg.tail = sg.end > sg.start && out[sg.end-1].kind == tokStar
	}
	return out, segs
}

// match reports whether v matches the pattern. fold compares ASCII letters
// case-insensitively (the pattern's literals are already lower case).
func (p *pattern) match(v string, fold bool, r *Request) bool {
	switch p.kind {
	case patAny:
		return true
	case patLiteral:
		if fold {
			return asciiEqualFold(p.lit, v)
		}
		return p.lit == v
	}
	if p.segs == nil {
		return glob(p.toks, v, fold, r)
	}
	// ARN: segments are matched one by one, except that a segment ending
	// in '*' (and the last, resource, segment) matches the rest of the ARN,
	// colons included.
	vi := 0
	for i, sg := range p.segs {
		if i == len(p.segs)-1 || sg.tail {
			return glob(p.toks[sg.start:], v[vi:], fold, r)
		}
		j := strings.IndexByte(v[vi:], ':')
		if j < 0 {
			return false
		}
		if !glob(p.toks[sg.start:sg.end], v[vi:vi+j], fold, r) {
			return false
		}
		vi += j + 1
	}
	return false
}

// glob matches v against tokens: '*' is any run of characters, '?' exactly
// one character, literals and resolved variables match themselves.
// It is the classic linear-space backtracking matcher (last star only),
// which is exact for this grammar.
func glob(toks []token, v string, fold bool, r *Request) bool {
	ti, ci, vi := 0, 0, 0
	starT, starV := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				ti++
				ci = 0
				starT, starV = ti, vi
				continue
			case tokQuest:
				if vi < len(v) {
					_, n := utf8.DecodeRuneInString(v[vi:])
					vi += n
					ti++
					ci = 0
					continue
				}
			default:
				s, ok := t.text(r)
				if !ok {
					return false
				}
				if ci == len(s) {
					ti++
					ci = 0
					continue
				}
				if vi < len(v) && byteEq(s[ci], v[vi], fold) {
					ci++
					vi++
					continue
				}
			}
		} else if vi == len(v) {
			return true
		}
		if starT < 0 || starV >= len(v) {
			return false
		}
		_, n := utf8.DecodeRuneInString(v[starV:])
		starV += n
		ti, ci, vi = starT, 0, starV
	}
}

// equalTokens reports whether v equals the concatenation of literal and
// variable tokens (no wildcards), Unicode case-insensitively with fold.
func equalTokens(toks []token, v string, fold bool, r *Request) bool {
	vi := 0
	for i := range toks {
		s, ok := toks[i].text(r)
		if !ok || len(v)-vi < len(s) {
			return false
		}
		if fold {
			if !strings.EqualFold(s, v[vi:vi+len(s)]) {
				return false
			}
		} else if s != v[vi:vi+len(s)] {
			return false
		}
		vi += len(s)
	}
	return vi == len(v)
}

func byteEq(p, v byte, fold bool) bool {
	if p == v {
		return true
	}
	if fold && 'A' <= v && v <= 'Z' {
		return p == v+('a'-'A')
	}
	return false
}

// asciiEqualFold compares lower (already lower case) with v, folding ASCII
// letters in v.
func asciiEqualFold(lower, v string) bool {
	if len(lower) != len(v) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !byteEq(lower[i], v[i], true) {
			return false
		}
	}
	return true
}
