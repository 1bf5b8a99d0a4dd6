package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// PolicyMode says what the gate does with a policy denial: PolicyEnforce
// (403 AccessDenied, as S3) or PolicyAudit (the request proceeds, its
// decision marked would-deny and counted; see WouldDenies).
type PolicyMode = vpce.PolicyMode

// The policy modes.
const (
	PolicyEnforce = vpce.PolicyEnforce
	PolicyAudit   = vpce.PolicyAudit
)

// MaxWouldDenyGroups bounds the would-deny summary: past this many groups
// a would-deny of a new group is only counted in WouldDenySummary.Dropped
// (the groups already there keep counting).
const MaxWouldDenyGroups = 10000

// SetPolicyMode changes the policy mode while the server runs; the next
// request is gated by it. It is part of the topology, so it is saved with
// it (Options.DataDir) and a later Server on the same data starts in it.
func (s *Server) SetPolicyMode(m PolicyMode) error {
	if _, err := vpce.ParsePolicyMode(string(m)); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	s.setMu.Lock()
	defer s.setMu.Unlock()
	t, err := s.snap.Load().topo.WithPolicyMode(m)
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	return s.swapLocked(t)
}

// PolicyMode returns the current policy mode.
func (s *Server) PolicyMode() PolicyMode { return s.Topology().PolicyMode() }

// withPolicyMode is topo in mode m; "" leaves topo's own.
func withPolicyMode(topo *vpce.Topology, m PolicyMode) (*vpce.Topology, error) {
	if m == "" || topo == nil {
		return topo, nil
	}
	if _, err := vpce.ParsePolicyMode(string(m)); err != nil {
		return nil, fmt.Errorf("emulator: Options.PolicyMode: %w", err)
	}
	t, err := topo.WithPolicyMode(m)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return t, nil
}

// auditing reports whether snap's policy mode is audit.
func auditing(snap *snapshot) bool { return snap.topo.PolicyMode() == PolicyAudit }

// deny answers the last of records, denied by d: 403 AccessDenied, or in
// audit mode (o.audit) nothing, the check marked would-deny.
func deny(o origin, records []CheckRecord, d policy.Decision) *s3err.Error {
	if o.audit {
		records[len(records)-1].WouldDeny = true
		return nil
	}
	return &s3err.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: d.Message()}
}

// markWouldDeny sets rec.WouldDeny from its checks.
func (d *DecisionRecord) markWouldDeny() {
	d.WouldDeny = slices.ContainsFunc(d.Checks, func(c CheckRecord) bool { return c.WouldDeny })
}

// decidingCheck is the check the log line shows: the first would-deny
// one, else the last.
func (d *DecisionRecord) decidingCheck() CheckRecord {
	if i := slices.IndexFunc(d.Checks, func(c CheckRecord) bool { return c.WouldDeny }); i >= 0 {
		return d.Checks[i]
	}
	return d.Checks[len(d.Checks)-1]
}

// decisionWord is the decision of an allowed request for logs and lists:
// "would-deny" when a policy denied it in audit mode, else "allow".
func (d *DecisionRecord) decisionWord() string {
	if d.WouldDeny {
		return "would-deny"
	}
	return "allow"
}

// WouldDenyGroup is one group of the would-deny summary: the requests a
// policy would have denied with the same statement, action and principal.
type WouldDenyGroup struct {
	// Policy names the deciding policy: "endpoint vpce-…", "gateway
	// endpoint vpce-…", "bucket NAME", "access point NAME".
	Policy string
	// Kind is the policy kind (endpoint, gateway-endpoint, bucket,
	// accesspoint).
	Kind string
	// Statement is the deciding statement's 0-based index, -1 for an
	// implicit deny (no statement allowed the action), and Sid its Sid.
	Statement int
	Sid       string `json:",omitempty"`
	// Reason is ExplicitDeny or ImplicitDeny.
	Reason    string
	Action    string
	Principal string
	Count     int64
	// FirstRequestID and LastRequestID are the first and the latest
	// request of the group (s3vpce explain REQUEST_ID, while the decision
	// log still holds it), at FirstTime and LastTime.
	FirstRequestID, LastRequestID string
	FirstTime, LastTime           time.Time
	// Resource is the resource of the group's first request.
	Resource string
}

// StatementName is how the summary shows the group's statement:
// `Sid "DenyPut" (statement 1)`, `statement 1`, or "implicit deny" when
// no statement allowed the action.
func (g WouldDenyGroup) StatementName() string {
	switch {
	case g.Statement < 0:
		return "implicit deny"
	case g.Sid != "":
		return fmt.Sprintf("Sid %q (statement %d)", g.Sid, g.Statement)
	}
	return fmt.Sprintf("statement %d", g.Statement)
}

// WouldDenySummary is what audit mode found since the server started or
// the summary was last reset.
type WouldDenySummary struct {
	Mode PolicyMode
	// Groups are sorted by Count, highest first.
	Groups []WouldDenyGroup
	// Requests is the number of requests with a would-deny (a request may
	// be in several groups: one per denied check).
	Requests int64
	// Dropped counts would-denies not grouped because the summary already
	// held MaxWouldDenyGroups groups.
	Dropped int64
	// Since is when counting began.
	Since time.Time
}

type wouldDenyKey struct {
	policy, kind, sid, reason, action, principal string
	statement                                    int
}

// wouldDenies aggregates would-deny checks. The zero value is ready to
// use (counting since the first would-deny).
type wouldDenies struct {
	mu       sync.Mutex
	groups   map[wouldDenyKey]*WouldDenyGroup
	requests int64
	dropped  int64
	since    time.Time
}

// add counts rec's would-deny checks.
func (w *wouldDenies) add(rec *DecisionRecord) {
	if !rec.WouldDeny {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.groups == nil {
		w.groups = map[wouldDenyKey]*WouldDenyGroup{}
		if w.since.IsZero() {
			w.since = rec.Time
		}
	}
	w.requests++
	for _, c := range rec.Checks {
		if !c.WouldDeny {
			continue
		}
		d := c.Decision
		k := wouldDenyKey{policy: policyName(rec, c), kind: d.Kind.String(), sid: d.Sid, reason: d.Reason.String(),
			action: c.Action, principal: rec.Principal, statement: d.Statement}
		g, ok := w.groups[k]
		if !ok {
			if len(w.groups) >= MaxWouldDenyGroups {
				w.dropped++
				continue
			}
			g = &WouldDenyGroup{Policy: k.policy, Kind: k.kind, Statement: k.statement, Sid: k.sid, Reason: k.reason,
				Action: k.action, Principal: k.principal, FirstRequestID: rec.RequestID, FirstTime: rec.Time, Resource: c.Resource}
			w.groups[k] = g
		}
		g.Count++
		g.LastRequestID, g.LastTime = rec.RequestID, rec.Time
	}
}

func (w *wouldDenies) summary() WouldDenySummary {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := WouldDenySummary{Requests: w.requests, Dropped: w.dropped, Since: w.since, Groups: make([]WouldDenyGroup, 0, len(w.groups))}
	for _, g := range w.groups {
		out.Groups = append(out.Groups, *g)
	}
	slices.SortFunc(out.Groups, func(a, b WouldDenyGroup) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Policy, b.Policy), cmp.Compare(a.Statement, b.Statement),
			cmp.Compare(a.Action, b.Action), cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

func (w *wouldDenies) reset(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.groups, w.requests, w.dropped, w.since = nil, 0, 0, now
}

// policyName names the policy that decided check c of rec.
func policyName(rec *DecisionRecord, c CheckRecord) string {
	switch c.Decision.Kind {
	case policy.KindEndpoint:
		return "endpoint " + rec.Endpoint
	case policy.KindGatewayEndpoint:
		return "gateway endpoint " + rec.Endpoint
	case policy.KindAccessPoint:
		if ap := rec.target.ap; ap != nil {
			return "access point " + ap.Name
		}
		return "access point"
	case policy.KindBucket:
		return "bucket " + bucketOf(c.Resource)
	}
	return c.Decision.Kind.String()
}

// WouldDenies returns the would-deny summary: the requests a policy denied
// in audit mode, grouped by policy statement, action and principal. It
// outlives the decision log's window (each group keeps its count and its
// first and last request IDs).
func (s *Server) WouldDenies() WouldDenySummary {
	out := s.wouldDeny.summary()
	out.Mode = s.PolicyMode()
	return out
}

// ResetWouldDenies empties the would-deny summary.
func (s *Server) ResetWouldDenies() { s.wouldDeny.reset(s.now()) }

// registerAuditAdmin adds the policy mode and the would-deny summary to
// the admin API:
//
//	GET    /v1/policy-mode   "enforce" or "audit"
//	PUT    /v1/policy-mode   set it (body: enforce or audit)
//	GET    /v1/would-deny    the would-deny summary (JSON, WouldDenySummary)
//	DELETE /v1/would-deny    reset it
func (s *Server) registerAuditAdmin(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/policy-mode", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, string(s.PolicyMode())+"\n")
	})
	mux.HandleFunc("PUT /v1/policy-mode", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 64))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m := strings.TrimSpace(string(b))
		if m == "" {
			http.Error(w, "emulator: empty policy mode: want enforce or audit", http.StatusBadRequest)
			return
		}
		if err := s.SetPolicyMode(PolicyMode(m)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /v1/would-deny", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.WouldDenies())
	})
	mux.HandleFunc("DELETE /v1/would-deny", func(w http.ResponseWriter, r *http.Request) {
		s.ResetWouldDenies()
		w.WriteHeader(http.StatusNoContent)
	})
}
