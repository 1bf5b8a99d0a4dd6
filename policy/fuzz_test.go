package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// addCorpusSeeds adds every policy document of testdata/cases and
// ../testdata/policies as a seed.
func addCorpusSeeds(f *testing.F, add func(doc []byte)) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var c corpusCase
		if err := json.Unmarshal(data, &c); err != nil {
			f.Fatal(err)
		}
		for _, p := range c.Policies {
			raw := []byte(p.Policy)
			var s string
			if json.Unmarshal(raw, &s) == nil {
				raw = []byte(s)
			}
			add(raw)
		}
	}
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "policies", "*.json"))
	for _, file := range more {
		if data, err := os.ReadFile(file); err == nil {
			add(data)
		}
	}
}

func FuzzParse(f *testing.F) {
	addCorpusSeeds(f, func(doc []byte) {
		for k := range 5 {
			f.Add(doc, uint8(k))
		}
	})
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		k := Kind(kind % 5)
		p, err := Parse(data, WithKind(k))
		if r := ValidateAll(data, k); (len(r.Errors) > 0) != (err != nil) {
			t.Fatalf("Parse error %v, but ValidateAll found %d errors", err, len(r.Errors))
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, not *ParseError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Fatalf("error %q does not start with \"policy: \"", err)
			}
			return
		}
		m1, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		p2, err := Parse(m1, WithKind(k))
		if err != nil {
			if k.isEndpoint() && utf8.RuneCount(m1) > MaxEndpointPolicyChars {
				return // canonical form can be longer (numbers become strings)
			}
			t.Fatalf("reparse of %s: %v", m1, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed the policy:\n%s\n%s", p, p2)
		}
		m2, _ := p2.MarshalJSON()
		if string(m1) != string(m2) {
			t.Fatalf("marshal not stable:\n%s\n%s", m1, m2)
		}
		// Evaluation must not panic on any parsed policy.
		r := &Request{Principal: Principal{ARN: "arn:aws:iam::111122223333:user/u"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
		r.Context.Set("aws:SourceVpce", "vpce-1")
		r.Context.Set("aws:TagKeys", "a", "b")
		_, _ = EvaluateTrace(r, Attached{Policy: p, Kind: k})
	})
}

func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{"*", "anything"},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k:x"},
		{"arn:aws:s3:::b-?/*", "arn:aws:s3:::b-1/k"},
		{"arn:aws:iam::*:role/A*", "arn:aws:iam::1:role/Admin"},
		{"arn:aws:sns:us-*1:1:t", "arn:aws:sns:us-east-1:x:1:1:t"},
		{"arn:*", "arn:aws:s3:::b"},
		{"s3:Get*", "s3:GetObjectVersion"},
		{"a*b*c", "aXbYbZc"},
		{"*?*", "é"},
		{"arn:aws:s3:::*/x*", "arn:aws:s3:::b/xy"},
		{"arn::::*:", "arn:::::"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, v string) {
		if !utf8.ValidString(pat) || !utf8.ValidString(v) || utf8.RuneCountInString(pat) > 64 || utf8.RuneCountInString(v) > 64 {
			return
		}
		if strings.Contains(pat, "${") {
			return // variables are not part of this reference
		}
		p, err := compilePattern(pat, true, false, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.match(v, false, nil), refGlob(pat, v); got != want {
			t.Fatalf("glob %q ~ %q = %v, reference %v", pat, v, got, want)
		}
		a, err := compilePattern(pat, true, false, false, true)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := a.match(v, false, nil), refARN(pat, v); got != want {
			t.Fatalf("ARN %q ~ %q = %v, reference %v", pat, v, got, want)
		}
		l, err := compilePattern(pat, true, false, true, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := l.match(v, true, nil), refGlob(asciiLower(pat), asciiLower(v)); got != want {
			t.Fatalf("case-insensitive %q ~ %q = %v, reference %v", pat, v, got, want)
		}
	})
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// refGlob is the reference glob: '*' any run of characters, '?' one
// character, by dynamic programming over runes.
func refGlob(pat, v string) bool {
	p, s := []rune(pat), []rune(v)
	// m[i][j]: p[i:] matches s[j:]
	m := make([][]bool, len(p)+1)
	for i := range m {
		m[i] = make([]bool, len(s)+1)
	}
	m[len(p)][len(s)] = true
	for i := len(p) - 1; i >= 0; i-- {
		for j := len(s); j >= 0; j-- {
			switch p[i] {
			case '*':
				m[i][j] = m[i+1][j] || (j < len(s) && m[i][j+1])
			case '?':
				m[i][j] = j < len(s) && m[i+1][j+1]
			default:
				m[i][j] = j < len(s) && p[i] == s[j] && m[i+1][j+1]
			}
		}
	}
	return m[0][0]
}

// refARN is the reference ARN matcher: the six colon-separated segments
// match one by one; the last segment, and any segment ending in '*', match
// the rest of the ARN including colons.
func refARN(pat, v string) bool {
	if pat == "*" {
		return true
	}
	if !strings.HasPrefix(pat, "arn:") {
		return refGlob(pat, v)
	}
	ps := strings.SplitN(pat, ":", 6)
	rest := v
	for i, seg := range ps {
		if i == len(ps)-1 || strings.HasSuffix(seg, "*") {
			return refGlob(strings.Join(ps[i:], ":"), rest)
		}
		vseg, after, ok := strings.Cut(rest, ":")
		if !ok || !refGlob(seg, vseg) {
			return false
		}
		rest = after
	}
	return false
}
