package policy

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opFamily is the comparison a condition operator performs.
type opFamily uint8

const (
	famStringEquals opFamily = iota
	famStringEqualsIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmpKind is the relation of numeric and date operators.
type cmpKind uint8

const (
	cmpEq cmpKind = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

// setKind is the set-operator prefix of a condition operator.
type setKind uint8

const (
	setNone setKind = iota
	setAnyValue
	setAllValues
)

// operator is a parsed condition operator name.
type operator struct {
	family   opFamily
	cmp      cmpKind
	negate   bool
	ifExists bool
	set      setKind
	base     string // base name without prefix and IfExists, e.g. "StringLike"
}

type opInfo struct {
	family opFamily
	cmp    cmpKind
	negate bool
}

// operators lists every base condition operator of the IAM grammar.
var operators = map[string]opInfo{
	"StringEquals":              {famStringEquals, cmpEq, false},
	"StringNotEquals":           {famStringEquals, cmpEq, true},
	"StringEqualsIgnoreCase":    {famStringEqualsIgnoreCase, cmpEq, false},
	"StringNotEqualsIgnoreCase": {famStringEqualsIgnoreCase, cmpEq, true},
	"StringLike":                {famStringLike, cmpEq, false},
	"StringNotLike":             {famStringLike, cmpEq, true},
	"NumericEquals":             {famNumeric, cmpEq, false},
	"NumericNotEquals":          {famNumeric, cmpEq, true},
	"NumericLessThan":           {famNumeric, cmpLT, false},
	"NumericLessThanEquals":     {famNumeric, cmpLE, false},
	"NumericGreaterThan":        {famNumeric, cmpGT, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGE, false},
	"DateEquals":                {famDate, cmpEq, false},
	"DateNotEquals":             {famDate, cmpEq, true},
	"DateLessThan":              {famDate, cmpLT, false},
	"DateLessThanEquals":        {famDate, cmpLE, false},
	"DateGreaterThan":           {famDate, cmpGT, false},
	"DateGreaterThanEquals":     {famDate, cmpGE, false},
	"Bool":                      {famBool, cmpEq, false},
	"BinaryEquals":              {famBinary, cmpEq, false},
	"IpAddress":                 {famIP, cmpEq, false},
	"NotIpAddress":              {famIP, cmpEq, true},
	"ArnEquals":                 {famArn, cmpEq, false},
	"ArnLike":                   {famArn, cmpEq, false},
	"ArnNotEquals":              {famArn, cmpEq, true},
	"ArnNotLike":                {famArn, cmpEq, true},
	"Null":                      {famNull, cmpEq, false},
}

// parseOperator parses "[ForAnyValue:|ForAllValues:]Base[IfExists]".
// Operator names are case-sensitive, as in IAM.
func parseOperator(name string) (operator, bool) {
	var op operator
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		op.set, rest = setAnyValue, r
	} else if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		op.set, rest = setAllValues, r
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok {
		op.ifExists, rest = true, r
	}
	info, ok := operators[rest]
	if !ok || (info.family == famNull && op.ifExists) {
		return operator{}, false
	}
	op.family, op.cmp, op.negate, op.base = info.family, info.cmp, info.negate, rest
	return op, true
}

// checkValue validates one policy value for the operator; "" means fine.
func (op operator) checkValue(v string) string {
	switch op.family {
	case famNumeric:
		if _, err := parseNumber(v); err != nil {
			return fmt.Sprintf("invalid number %q", v)
		}
	case famDate:
		if _, ok := parseDate(v); !ok {
			return fmt.Sprintf("invalid date %q (want ISO 8601 such as 2024-01-31T00:00:00Z, or epoch seconds)", v)
		}
	case famBool, famNull:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Sprintf("invalid boolean %q (want true or false)", v)
		}
	case famBinary:
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return fmt.Sprintf("invalid base64 value %q", v)
		}
	case famIP:
		if _, ok := parseCIDR(v); !ok {
			return fmt.Sprintf("invalid IP address or CIDR %q", v)
		}
	}
	return ""
}

// compiledCondition is a Condition ready to evaluate.
type compiledCondition struct {
	op    operator
	key   string // lower case
	pats  []pattern
	toks  [][]token // StringEquals* values with variables
	strs  []string  // StringEquals* plain values; Bool/Null lower case; Binary decoded
	nums  []float64
	dates []int64
	ips   []netip.Prefix
}

func compileCondition(op operator, key string, vals []string, vars bool) (compiledCondition, error) {
	c := compiledCondition{op: op, key: strings.ToLower(key)}
	for _, v := range vals {
		switch op.family {
		case famStringEquals, famStringEqualsIgnoreCase:
			toks, err := tokenize(v, false, vars)
			if err != nil {
				return c, err
			}
			if len(toks) == 1 && toks[0].kind == tokLit || len(toks) == 0 {
				c.strs = append(c.strs, v)
				if len(toks) == 1 {
					c.strs[len(c.strs)-1] = toks[0].s
				} else {
					c.strs[len(c.strs)-1] = ""
				}
			} else {
				c.toks = append(c.toks, toks)
			}
		case famStringLike, famArn:
			p, err := compilePattern(v, true, vars, false, op.family == famArn)
			if err != nil {
				return c, err
			}
			c.pats = append(c.pats, p)
		case famNumeric:
			f, _ := parseNumber(v)
			c.nums = append(c.nums, f)
		case famDate:
			t, _ := parseDate(v)
			c.dates = append(c.dates, t)
		case famBool, famNull:
			c.strs = append(c.strs, strings.ToLower(v))
		case famBinary:
			b, _ := base64.StdEncoding.DecodeString(v)
			c.strs = append(c.strs, string(b))
		case famIP:
			p, _ := parseCIDR(v)
			c.ips = append(c.ips, p)
		}
	}
	return c, nil
}

// parseNumber parses a finite number.
func parseNumber(s string) (float64, error) {
	if len(s) > 0 && len(s) <= 15 && isDigits(s) {
		// Fast path for the common small non-negative integers (exact in a float64).
		var n int64
		for i := 0; i < len(s); i++ {
			n = n*10 + int64(s[i]-'0')
		}
		return float64(n), nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, strconv.ErrRange
	}
	return f, nil
}

// dateLayouts are the ISO 8601 forms accepted for Date operators.
var dateLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate parses an ISO 8601 date or epoch seconds into Unix nanoseconds.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if t, ok := parseUTCSeconds(s); ok {
		return t, true
	}
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false
		}
		if n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second) {
			return 0, false
		}
		return n * 1e9, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1678 || t.Year() > 2261 {
				return 0, false
			}
			return t.UnixNano(), true
		}
	}
	return 0, false
}

// isDigits reports whether s consists of ASCII digits only.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseUTCSeconds is a fast path for the form AWS uses for aws:CurrentTime,
// "2006-01-02T15:04:05Z".
func parseUTCSeconds(s string) (int64, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return 0, false
	}
	num := func(a, b int) (int, bool) {
		if !isDigits(s[a:b]) {
			return 0, false
		}
		n := 0
		for i := a; i < b; i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	se, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 {
		return 0, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d || y < 1678 || y > 2261 {
		return 0, false // e.g. February 30th
	}
	return t.UnixNano(), true
}

// isInteger reports whether s is an optionally signed run of digits; it
// keeps parseDate from allocating a strconv error for ISO dates.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCIDR parses "10.0.0.0/8", "2001:db8::/32" or a bare address.
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request.
func (c *compiledCondition) eval(r *Request) bool {
	vals, ok := r.lookup(c.key)
	if c.op.family == famNull {
		absent := !ok || vals.n == 0
		for _, want := range c.strs {
			if (want == "true") == absent {
				return true
			}
		}
		return false
	}
	if !ok || vals.n == 0 {
		if c.op.ifExists {
			return true
		}
		switch c.op.set {
		case setAllValues:
			return true
		case setAnyValue:
			return false
		}
		return c.op.negate
	}
	switch c.op.set {
	case setAnyValue:
		for i := 0; i < vals.n; i++ {
			if c.matchOne(vals.at(i), r) != c.op.negate {
				return true
			}
		}
		return false
	case setAllValues:
		for i := 0; i < vals.n; i++ {
			if c.matchOne(vals.at(i), r) == c.op.negate {
				return false
			}
		}
		return true
	}
	// No set operator: true when any request value matches any policy
	// value; a negated operator is true when none does.
	for i := 0; i < vals.n; i++ {
		if c.matchOne(vals.at(i), r) {
			return !c.op.negate
		}
	}
	return c.op.negate
}

// matchOne reports whether one request value matches any policy value
// under the positive form of the operator.
func (c *compiledCondition) matchOne(v string, r *Request) bool {
	switch c.op.family {
	case famStringEquals:
		for _, s := range c.strs {
			if s == v {
				return true
			}
		}
		for _, t := range c.toks {
			if equalTokens(t, v, false, r) {
				return true
			}
		}
	case famStringEqualsIgnoreCase:
		for _, s := range c.strs {
			if strings.EqualFold(s, v) {
				return true
			}
		}
		for _, t := range c.toks {
			if equalTokens(t, v, true, r) {
				return true
			}
		}
	case famStringLike, famArn:
		for i := range c.pats {
			if c.pats[i].match(v, false, r) {
				return true
			}
		}
	case famNumeric:
		f, err := parseNumber(v)
		if err != nil {
			return false
		}
		for _, n := range c.nums {
			if compare(c.op.cmp, cmpFloat(f, n)) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, d := range c.dates {
			if compare(c.op.cmp, cmpInt(t, d)) {
				return true
			}
		}
	case famBool:
		for _, s := range c.strs {
			if strings.EqualFold(s, v) {
				return true
			}
		}
	case famBinary:
		for _, s := range c.strs {
			if s == v {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.ips {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare applies a relation to the result of comparing request to policy value.
func compare(k cmpKind, c int) bool {
	switch k {
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	}
	return c == 0
}
