package emulator

import (
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"strings"
	"sync"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// DecisionRecord is the authorization record of one request.
type DecisionRecord struct {
	RequestID string
	Time      time.Time
	Endpoint  string
	Principal string
	Operation string
	// Checks are the authorization questions of the request in order; the
	// request was allowed when every one was.
	Checks []CheckRecord
	// Error is the S3 error code the request was refused with before or
	// instead of policy evaluation (e.g. SignatureDoesNotMatch), if any.
	Error string
	// Code and Message are the S3 error the request was refused with, by
	// the front end or a policy (AccessDenied included); empty for a
	// request handed to the S3 layer, whatever that answered.
	Code    string `json:",omitempty"`
	Message string `json:",omitempty"`
	// Hint is the usual cause of Code and what to change, when known.
	Hint string `json:",omitempty"`
	// WouldDeny is set when a check was denied in audit mode (see
	// CheckRecord.WouldDeny) and the request proceeded.
	WouldDeny bool `json:",omitempty"`
	// Path is the way the request came, for requests from an instance of
	// the topology or to public S3: "interface endpoint vpce-…", "gateway
	// endpoint vpce-…", "internet gateway igw-…", "internet".
	Path string `json:",omitempty"`
	// Source is the address the request came from as S3 sees it, with the
	// instance it belongs to: "172.16.10.77 (i-… my-vpc-host)".
	Source string `json:",omitempty"`

	ep  *vpce.Endpoint
	org origin // set for public S3 requests
	// control is set for S3 Control requests (answered by serveControl).
	control *controlTarget
	// controlSurface is set for requests to an S3 Control name, refused
	// in S3 Control's error shape.
	controlSurface bool
	caller         caller
	target         target
	post           *postUpload // a browser-based POST upload (postobject.go)
	// ids back the response's x-amz-request-id and x-amz-id-2 header
	// values (ServeHTTP), sparing them an allocation of their own.
	ids [2]string
}

// CheckRecord is one evaluated check.
type CheckRecord struct {
	Action   string
	Resource string
	Decision policy.Decision
	// Grant is the ACL grant that allowed the check when no policy did
	// (e.g. "bucket ACL grants READ to AllUsers"); "" otherwise.
	Grant    string `json:",omitempty"`
	request  policy.Request
	attached []policy.Attached
	full     *fullContext // nil: request.Context is the whole context

	// WouldDeny marks a denied check let through in audit mode: S3 (and
	// the enforce mode) would have answered AccessDenied.
	WouldDeny bool `json:",omitempty"`
}

// Allowed reports whether every check was allowed (or let through in
// audit mode: WouldDeny) and no error refused it.
func (d *DecisionRecord) Allowed() bool {
	if d.Error != "" {
		return false
	}
	for _, c := range d.Checks {
		if !c.Decision.Allowed() && !c.WouldDeny {
			return false
		}
	}
	return true
}

// Explain renders the full evaluation trace of the request.
func (d *DecisionRecord) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request %s at %s\n  endpoint  %s\n", d.RequestID, d.Time.Format(time.RFC3339), d.Endpoint)
	if d.Path != "" {
		fmt.Fprintf(&b, "  path      %s\n", d.Path)
	}
	if d.Source != "" {
		fmt.Fprintf(&b, "  source    %s\n", d.Source)
	}
	fmt.Fprintf(&b, "  principal %s\n  operation %s\n", d.Principal, d.Operation)
	switch {
	case d.Code != "":
		fmt.Fprintf(&b, "  error     %s: %s\n", d.Code, d.Message)
	case d.Error != "":
		fmt.Fprintf(&b, "  refused before authorization: %s\n", d.Error)
	}
	if d.Hint != "" {
		fmt.Fprintf(&b, "  hint      %s\n", d.Hint)
	}
	for i, c := range d.Checks {
		fmt.Fprintf(&b, "\ncheck %d: %s on %s\n", i+1, c.Action, c.Resource)
		_, trace := policy.EvaluateTrace(&c.request, c.attached...)
		for line := range strings.Lines(trace.String()) {
			b.WriteString("  " + line)
		}
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		if c.Grant != "" {
			fmt.Fprintf(&b, "  allowed by ACL: %s\n", c.Grant)
		}
		if c.WouldDeny {
			b.WriteString("  would be denied (audit mode): the request proceeded\n")
		}
	}
	return b.String()
}

// refused records the S3 error a request was refused with, and its hint.
func (d *DecisionRecord) refused(serr *s3err.Error, hint string) {
	d.Code, d.Message, d.Hint = serr.Code, serr.Message, hint
}

// hintAttr is the log attribute of the hint: none without one.
func (d *DecisionRecord) hintAttr() []any {
	if d.Hint == "" {
		return nil
	}
	return []any{"hint", d.Hint}
}

// decisionLog keeps the most recent records. It has no index by request
// ID: get scans the ring, newest first. Adding is then a store into the
// ring, with no map insert and delete (and their cache misses) on every
// request; looking a record up (explain, the admin API) is rare.
type decisionLog struct {
	mu    sync.Mutex
	ring  []*DecisionRecord
	next  int
	limit int
}

func newDecisionLog(limit int) *decisionLog {
	return &decisionLog{ring: make([]*DecisionRecord, limit), limit: limit}
}

func (l *decisionLog) add(d *DecisionRecord) {
	d.compact() // before the log shares it
	l.mu.Lock()
	l.ring[l.next] = d
	l.next = (l.next + 1) % l.limit
	l.mu.Unlock()
}

// get returns the newest record of request id.
func (l *decisionLog) get(id string) (*DecisionRecord, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 1; i <= l.limit; i++ {
		d := l.ring[(l.next-i+l.limit)%l.limit]
		if d == nil {
			break
		}
		if d.RequestID == id {
			return d, true
		}
	}
	return nil, false
}

// recent returns up to n records, newest first.
func (l *decisionLog) recent(n int) []*DecisionRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*DecisionRecord
	for i := 1; i <= l.limit && len(out) < n; i++ {
		d := l.ring[(l.next-i+l.limit)%l.limit]
		if d == nil {
			break
		}
		out = append(out, d)
	}
	return out
}

// Context returns the values of a condition key (any case) in the
// request context the check was evaluated with; none when absent.
func (c *CheckRecord) Context(key string) []string {
	v, ok := c.request.Context.Get(key)
	if !ok && c.full != nil {
		v, _ = c.full.get().Get(key)
	}
	return v
}
