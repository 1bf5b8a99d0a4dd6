// Package postpolicy reads browser-based POST uploads (S3's POST Object):
// the multipart/form-data fields that precede the file, and the POST
// policy document that constrains them. Its errors are S3's (*s3err.Error)
// with S3's codes and messages.
package postpolicy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Condition is one condition of a policy: an exact match (Op "eq") or a
// prefix match ("starts-with") of form field Field. content-length-range
// conditions are in Policy.Length.
type Condition struct {
	Op string
	// Field is the form field's name in lower case, without "$"; Name is
	// as the policy wrote it (messages quote it).
	Field, Name string
	Value       string
}

// String renders the condition as S3 quotes it in a refusal:
// ["eq", "$key", "value"].
func (c Condition) String() string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return "[" + q(c.Op) + ", " + q("$"+c.Name) + ", " + q(c.Value) + "]"
}

// Range is a content-length-range condition: the file's size in bytes
// must lie in [Min, Max].
type Range struct {
	Min, Max int64
}

// Policy is a decoded POST policy document.
type Policy struct {
	Expiration time.Time
	Conditions []Condition
	// Length is the content-length-range condition; nil when the policy
	// has none (the size is then limited only by S3's 5 GB).
	Length *Range
}

// MaxDocument is the longest policy document (base64) Parse accepts.
const MaxDocument = 64 << 10

func invalid(msg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: "+msg)
}

// Parse decodes a base64 policy document and checks its form: an object
// with an "expiration" (ISO 8601 date and time) and a "conditions" array
// (both names case-sensitive), each condition an object of exactly one
// field ({"acl": "private"}, an exact match), or an array ["eq" |
// "starts-with", "$field", "value"] or ["content-length-range", min, max]
// (operators and field names case-insensitive). A document that breaks
// these rules is S3's 400 InvalidPolicyDocument.
func Parse(b64 string) (*Policy, error) {
	if len(b64) > MaxDocument {
		return nil, invalid("Policy document is too large.")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, invalid("Policy could not be base64-decoded.")
	}
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, invalid("Invalid JSON.")
	}
	if dec.More() {
		return nil, invalid("Invalid JSON.")
	}
	exp, ok := doc["expiration"]
	if !ok {
		return nil, invalid("Policy missing expiration.")
	}
	var expS string
	if err := json.Unmarshal(exp, &expS); err != nil {
		return nil, invalid("Invalid 'expiration' value: " + string(exp))
	}
	t, err := parseExpiration(expS)
	if err != nil {
		return nil, invalid("Invalid 'expiration' value: '" + expS + "'")
	}
	p := &Policy{Expiration: t}
	conds, ok := doc["conditions"]
	if !ok {
		return nil, invalid("Policy missing conditions.")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(conds, &list); err != nil || list == nil {
		return nil, invalid("Invalid 'conditions' value: must be a List.")
	}
	for _, c := range list {
		if err := p.addCondition(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseExpiration reads an ISO 8601 UTC time, with or without fractional
// seconds ("2026-01-01T12:00:00.000Z"), or an RFC 3339 one with an offset.
func parseExpiration(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("postpolicy: bad expiration %q", s)
}

func (p *Policy) addCondition(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return invalid("Invalid JSON.")
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return invalid("Invalid JSON.")
		}
		if len(m) != 1 {
			return invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for name, v := range m {
			if name == "" {
				// As the array form refuses "$" alone: a condition names a field.
				return invalid("Invalid Simple-Condition: the property must name a form field.")
			}
			value, ok := scalar(v)
			if !ok {
				return invalid("Invalid Simple-Condition: value must be a string.")
			}
			p.Conditions = append(p.Conditions, Condition{Op: "eq", Field: strings.ToLower(name), Name: name, Value: value})
		}
		return nil
	case '[':
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return invalid("Invalid JSON.")
		}
		if len(a) == 0 {
			return invalid("Invalid Condition: empty condition.")
		}
		op, ok := scalar(a[0])
		if !ok {
			return invalid("Invalid Condition: the first element must be the condition's name.")
		}
		switch lop := strings.ToLower(op); lop {
		case "eq", "starts-with":
			if len(a) != 3 {
				return invalid(fmt.Sprintf("Invalid '%s' condition: wrong number of arguments.", op))
			}
			name, ok1 := scalar(a[1])
			value, ok2 := scalar(a[2])
			if !ok1 || !ok2 || !strings.HasPrefix(name, "$") || len(name) == 1 {
				return invalid(fmt.Sprintf("Invalid '%s' condition: arguments must be a \"$field\" and a string.", op))
			}
			name = name[1:]
			p.Conditions = append(p.Conditions, Condition{Op: lop, Field: strings.ToLower(name), Name: name, Value: value})
			return nil
		case "content-length-range":
			if len(a) != 3 {
				return invalid("Invalid content-length-range condition: it needs a minimum and a maximum.")
			}
			lo, ok1 := integer(a[1])
			hi, ok2 := integer(a[2])
			if !ok1 || !ok2 || lo < 0 || hi < lo {
				return invalid("Invalid content-length-range condition: the range must be two integers 0 <= min <= max.")
			}
			p.Length = &Range{Min: lo, Max: hi}
			return nil
		default:
			return invalid("Invalid Condition: unknown condition '" + op + "'.")
		}
	}
	return invalid("Invalid Condition: a condition is an object or a list.")
}

// scalar is a JSON string's value, or a number's text.
func scalar(raw json.RawMessage) (string, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// integer is a JSON number, or a string of digits, as an int64.
func integer(raw json.RawMessage) (int64, bool) {
	s, ok := scalar(raw)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Exempt reports whether form field name (any case) needs no condition:
// the signature, the policy, the file, the SigV2 access key, and any
// x-ignore- field.
func Exempt(name string) bool {
	switch n := strings.ToLower(name); n {
	case "file", "policy", "x-amz-signature", "signature", "awsaccesskeyid":
		return true
	default:
		return strings.HasPrefix(n, "x-ignore-")
	}
}

// Check evaluates the policy at now against the request's form values
// (see Form.Values: lower-case names, the key with ${filename} expanded,
// "bucket" the bucket of the request): the expiration, every condition,
// and that every field of the form but the exempt ones is the subject of
// a condition. A failure is S3's 403 AccessDenied "Invalid according to
// Policy: ...". The file's length is checked as it streams (Range).
func (p *Policy) Check(f *Form, bucket string, now time.Time) error {
	if !now.Before(p.Expiration) {
		return denied("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.Conditions {
		covered[c.Field] = true
		v := f.Value(c.Field)
		if c.Field == "bucket" {
			v = bucket
		}
		ok := v == c.Value
		if c.Op == "starts-with" {
			ok = strings.HasPrefix(v, c.Value)
		}
		if !ok {
			return denied("Policy Condition failed: " + c.String())
		}
	}
	for _, fd := range f.Fields {
		if n := strings.ToLower(fd.Name); !covered[n] && !Exempt(n) {
			return denied("Extra input fields: " + fd.Name)
		}
	}
	return nil
}

func denied(msg string) *s3err.Error {
	return s3err.New(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+msg)
}

// CheckLength checks a file of n bytes against the policy's
// content-length-range: S3's EntityTooSmall or EntityTooLarge (400).
func (r *Range) CheckLength(n int64) error {
	if r == nil {
		return nil
	}
	if n > r.Max {
		return s3err.New(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
			With("ProposedSize", strconv.FormatInt(n, 10)).With("MaxSizeAllowed", strconv.FormatInt(r.Max, 10))
	}
	if n < r.Min {
		return s3err.New(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
			With("ProposedSize", strconv.FormatInt(n, 10)).With("MinSizeAllowed", strconv.FormatInt(r.Min, 10))
	}
	return nil
}
