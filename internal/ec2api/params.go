package ec2api

import (
	"net/url"
	"strconv"
)

// Params are the decoded form parameters of one request (EC2's query
// protocol: lists as Name.1, Name.2…; structures as Name.Member).
type Params url.Values

// String is the value of name ("" when absent).
func (p Params) String(name string) string {
	if v := p[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Has reports whether name was given.
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }

// List is the list prefix.1, prefix.2, … in order, stopping at the first
// missing index.
func (p Params) List(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[prefix+"."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// Bool parses name as true or false; set is false when absent.
func (p Params) Bool(name string) (value, set bool, err *Error) {
	v, ok := p[name]
	if !ok || len(v) == 0 {
		return false, false, nil
	}
	switch v[0] {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected: 'true' or 'false'.", v[0], name)
}

// Int parses name as a decimal integer; set is false when absent.
func (p Params) Int(name string) (value int, set bool, err *Error) {
	v, ok := p[name]
	if !ok || len(v) == 0 {
		return 0, false, nil
	}
	n, perr := strconv.Atoi(v[0])
	if perr != nil {
		return 0, true, Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected an integer.", v[0], name)
	}
	return n, true, nil
}
