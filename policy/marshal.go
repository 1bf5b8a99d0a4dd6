package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON renders the policy as canonical compact JSON: Statement is
// always an array, every list is an array, condition values are strings.
// Parsing the output yields an equal Policy.
func (p *Policy) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(&b, name)
		b.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		writeString(&b, p.Version)
	}
	if p.ID != "" {
		field("Id")
		writeString(&b, p.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i := range p.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		p.Statements[i].marshal(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// String returns the policy as indented canonical JSON.
func (p *Policy) String() string {
	raw, _ := p.MarshalJSON()
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func (s *Statement) marshal(b *bytes.Buffer) {
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, name)
		b.WriteByte(':')
	}
	if s.Sid != "" {
		field("Sid")
		writeString(b, s.Sid)
	}
	field("Effect")
	writeString(b, s.Effect.String())
	if s.Principal != nil {
		field("Principal")
		s.Principal.marshal(b)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		s.NotPrincipal.marshal(b)
	}
	lists := []struct {
		name string
		v    []string
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}}
	for _, l := range lists {
		if l.v != nil {
			field(l.name)
			writeList(b, l.v)
		}
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		b.WriteByte('{')
		for i, c := range s.Conditions {
			newOp := i == 0 || s.Conditions[i-1].Operator != c.Operator
			if newOp {
				if i > 0 {
					b.WriteString("},")
				}
				writeString(b, c.Operator)
				b.WriteString(":{")
			} else {
				b.WriteByte(',')
			}
			writeString(b, c.Key)
			b.WriteByte(':')
			writeList(b, c.Values)
		}
		b.WriteString("}}")
	}
	b.WriteByte('}')
}

func (ps *Principals) marshal(b *bytes.Buffer) {
	if ps.Wildcard {
		writeString(b, "*")
		return
	}
	b.WriteByte('{')
	first := true
	for _, l := range []struct {
		name string
		v    []string
	}{{"AWS", ps.AWS}, {"Service", ps.Service}, {"Federated", ps.Federated}, {"CanonicalUser", ps.CanonicalUser}} {
		if l.v == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, l.name)
		b.WriteByte(':')
		writeList(b, l.v)
	}
	b.WriteByte('}')
}

func writeList(b *bytes.Buffer, v []string) {
	b.WriteByte('[')
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s)
	}
	b.WriteByte(']')
}

// writeString writes s as a JSON string without HTML escaping, so that the
// output stays as short as the input for the endpoint size limit.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // never fails for a string
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// MarshalJSON renders one statement as canonical compact JSON (the form it
// takes inside Policy.MarshalJSON).
func (s *Statement) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	s.marshal(&b)
	return b.Bytes(), nil
}
