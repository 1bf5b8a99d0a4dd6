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
	patPrefix                 // literal followed by one trailing '*': prefix comparison
)

// pattern is a compiled Action, Resource or ARN/string condition value.
type pattern struct {
	kind patKind
	lit  string  // patLiteral: the text (lower-cased for case-insensitive patterns); patGlob: the literal prefix
	toks []token // patGlob
	segs []seg   // ARN segmentation of toks; nil for whole-string matching
	// skipSeg ARN segments lie entirely inside the literal prefix lit, and
	// skipOff is the offset just past their last colon: once the prefix
	// matched, matching resumes there.
	skipSeg, skipOff int
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
	if len(toks) == 2 && toks[0].kind == tokLit && toks[1].kind == tokStar {
		// "prefix*" means the same in plain and ARN matching: a '*' that
		// ends the pattern ends its segment and may cross colons.
		return pattern{kind: patPrefix, lit: toks[0].s}, nil
	}
	p := pattern{kind: patGlob, toks: toks}
	if toks[0].kind == tokLit {
		p.lit = toks[0].s
	}
	if arn && strings.HasPrefix(s, "arn:") {
		p.toks, p.segs = segmentARN(toks)
		for i := 0; i < len(p.lit) && p.skipSeg < len(p.segs)-1; i++ {
			if p.lit[i] == ':' {
				p.skipSeg++
				p.skipOff = i + 1
			}
		}
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
	case patPrefix:
		return hasPrefix(v, p.lit, fold)
	}
	if !hasPrefix(v, p.lit, fold) {
		return false // fast reject on the literal prefix
	}
	if p.segs == nil {
		return glob(p.toks, v, fold, r)
	}
	// ARN: segments are matched one by one, except that a segment ending
	// in '*' (and the last, resource, segment) matches the rest of the ARN,
	// colons included.
	vi := p.skipOff
	for i := p.skipSeg; i < len(p.segs); i++ {
		sg := p.segs[i]
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
	ti, vi := 0, 0
	starT, starV := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				ti++
				if ti == len(toks) {
					return true // a trailing '*' matches the rest
				}
				starT, starV = ti, vi
				continue
			case tokQuest:
				if vi < len(v) {
					_, n := utf8.DecodeRuneInString(v[vi:])
					vi += n
					ti++
					continue
				}
			default:
				// A literal (or resolved variable) must match as a whole.
				s, ok := t.text(r)
				if !ok {
					return false
				}
				if hasPrefix(v[vi:], s, fold) {
					vi += len(s)
					ti++
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
		ti, vi = starT, starV
	}
}

// hasPrefix reports whether v starts with p; with fold, ASCII letters of v
// are folded (p is already lower case).
func hasPrefix(v, p string, fold bool) bool {
	if len(v) < len(p) {
		return false
	}
	if !fold {
		return v[:len(p)] == p
	}
	return asciiEqualFold(p, v[:len(p)])
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
