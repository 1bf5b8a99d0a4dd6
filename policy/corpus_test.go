package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCase is one file of testdata/cases: policies, a request, and the
// wanted decision (or the wanted parse error).
type corpusCase struct {
	Note     string `json:"note"`
	Source   string `json:"source"`
	Policies []struct {
		Kind            string          `json:"kind"`
		ResourceAccount string          `json:"resource_account"`
		Policy          json.RawMessage `json:"policy"`
	} `json:"policies"`
	Request struct {
		Principal struct {
			ARN       string `json:"arn"`
			Account   string `json:"account"`
			RoleARN   string `json:"role_arn"`
			UserID    string `json:"userid"`
			Username  string `json:"username"`
			Service   string `json:"service"`
			Anonymous bool   `json:"anonymous"`
		} `json:"principal"`
		Action         string                     `json:"action"`
		Resource       string                     `json:"resource"`
		Context        map[string]json.RawMessage `json:"context"`
		StrictIdentity bool                       `json:"strict_identity"`
	} `json:"request"`
	Want *struct {
		Effect          string `json:"effect"`
		Reason          string `json:"reason"`
		Kind            string `json:"kind"`
		Policy          *int   `json:"policy"`
		Statement       int    `json:"statement"`
		Sid             string `json:"sid"`
		Message         string `json:"message"`
		IdentityAssumed *bool  `json:"identity_assumed"`
	} `json:"want"`
	WantParseError *struct {
		Policy    int    `json:"policy"`
		Statement int    `json:"statement"`
		Field     string `json:"field"`
		Contains  string `json:"contains"`
		Line      int    `json:"line"`
	} `json:"want_parse_error"`
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 150 {
		t.Errorf("corpus has %d cases, want at least 150", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var c corpusCase
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("bad case file: %v", err)
			}
			if c.Note == "" {
				t.Error("case has no note")
			}
			runCase(t, &c)
		})
	}
}

func runCase(t *testing.T, c *corpusCase) {
	t.Helper()
	var att []Attached
	for i, p := range c.Policies {
		kind, err := ParseKind(p.Kind)
		if err != nil {
			t.Fatal(err)
		}
		// A policy given as a JSON string is the raw document text (for
		// malformed documents); otherwise it is the document itself.
		raw := []byte(p.Policy)
		var s string
		if json.Unmarshal(raw, &s) == nil {
			raw = []byte(s)
		}
		var pol *Policy
		if string(p.Policy) != "null" && len(p.Policy) > 0 {
			pol, err = Parse(raw, WithKind(kind))
		}
		if c.WantParseError != nil && c.WantParseError.Policy == i {
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			w := c.WantParseError
			if pe.Statement != w.Statement || pe.Field != w.Field || !strings.Contains(pe.Error(), w.Contains) || (w.Line != 0 && pe.Line != w.Line) {
				t.Fatalf("Parse error = %q (statement %d, field %q, line %d), want statement %d, field %q, line %d, containing %q",
					pe, pe.Statement, pe.Field, pe.Line, w.Statement, w.Field, w.Line, w.Contains)
			}
			if pe.Line == 0 && pe.Statement >= 0 {
				t.Errorf("Parse error %q has no line", pe)
			}
			return
		}
		if err != nil {
			t.Fatalf("policy %d: %v", i, err)
		}
		// Round trip: marshal and parse again; the decision must not change.
		if pol != nil {
			b, err := pol.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if pol, err = Parse(b, WithKind(kind)); err != nil {
				t.Fatalf("policy %d: reparse of %s: %v", i, b, err)
			}
		}
		att = append(att, Attached{Policy: pol, Kind: kind, ResourceAccount: p.ResourceAccount})
	}
	if c.WantParseError != nil {
		t.Fatal("no parse error, want one")
	}
	rq := &c.Request
	r := &Request{
		Principal: Principal{
			ARN: rq.Principal.ARN, Account: rq.Principal.Account, RoleARN: rq.Principal.RoleARN,
			UserID: rq.Principal.UserID, Username: rq.Principal.Username, Service: rq.Principal.Service,
			Anonymous: rq.Principal.Anonymous,
		},
		Action:         rq.Action,
		Resource:       rq.Resource,
		StrictIdentity: rq.StrictIdentity,
	}
	for k, raw := range rq.Context {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			r.Context.Add(k, one)
			continue
		}
		var many []string
		if err := json.Unmarshal(raw, &many); err != nil {
			t.Fatalf("context %s: %v", k, err)
		}
		r.Context.Set(k, many...)
	}
	d := Evaluate(r, att...)
	checkContextKeys(t, r, att)
	dt, tr := EvaluateTrace(r, att...)
	if d != dt {
		t.Errorf("EvaluateTrace decision %+v differs from Evaluate %+v", dt, d)
	}
	w := c.Want
	if w == nil {
		t.Fatal("case has neither want nor want_parse_error")
	}
	got := struct {
		Effect, Reason, Kind, Sid string
		Statement                 int
	}{d.Effect.String(), d.Reason.String(), d.Kind.String(), d.Sid, d.Statement}
	want := struct {
		Effect, Reason, Kind, Sid string
		Statement                 int
	}{w.Effect, w.Reason, w.Kind, w.Sid, w.Statement}
	if got != want {
		t.Errorf("decision %+v\nwant     %+v\nnote: %s\ntrace:\n%s", got, want, c.Note, tr)
	}
	if w.Policy != nil && *w.Policy != d.Policy {
		t.Errorf("deciding policy %d, want %d", d.Policy, *w.Policy)
	}
	if w.Message != "" && d.Message() != w.Message {
		t.Errorf("message\n got %q\nwant %q", d.Message(), w.Message)
	}
	if w.IdentityAssumed != nil && *w.IdentityAssumed != d.IdentityAssumed {
		t.Errorf("IdentityAssumed = %v, want %v", d.IdentityAssumed, *w.IdentityAssumed)
	}
}
