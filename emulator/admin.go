package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/s3vpce/s3vpce/policy"
)

// SetEndpointPolicy replaces an endpoint's policy while the server runs;
// the next request is evaluated against it. The document is validated as
// an endpoint policy first (an empty document restores the default).
func (s *Server) SetEndpointPolicy(endpointID, doc string) error {
	if doc != "" {
		if _, err := policy.Parse([]byte(doc), policy.WithKind(policy.KindEndpoint)); err != nil {
			return fmt.Errorf("emulator: endpoint %s: %w", endpointID, err)
		}
	}
	s.setMu.Lock()
	defer s.setMu.Unlock()
	topo := s.snap.Load().topo
	e, ok := topo.Endpoint(endpointID)
	if !ok {
		return fmt.Errorf("emulator: no endpoint %s", endpointID)
	}
	next := *e
	next.Policy = doc
	t, err := topo.WithEndpoint(next)
	if err != nil {
		return err
	}
	return s.swapLocked(t)
}

// EndpointPolicy returns an endpoint's policy document (the default
// full-access policy when none was set).
func (s *Server) EndpointPolicy(endpointID string) (string, error) {
	e, ok := s.Topology().Endpoint(endpointID)
	if !ok {
		return "", fmt.Errorf("emulator: no endpoint %s", endpointID)
	}
	if e.Policy == "" {
		return DefaultEndpointPolicy, nil
	}
	return e.Policy, nil
}

// AdminHandler serves the admin API, meant for a Unix socket in the state
// directory (s3vpce serve puts it at admin.sock):
//
//	GET    /v1/endpoints/{id}/policy     the endpoint policy
//	PUT    /v1/endpoints/{id}/policy     set it (400 with the located error if invalid)
//	DELETE /v1/endpoints/{id}/policy     restore the default full-access policy
//	GET    /v1/decisions/{requestID}     the evaluation trace of a recent request
//	GET    /v1/decisions?n=20            recent decisions, one line each
//	GET|PUT /v1/policy-mode, GET|DELETE /v1/would-deny: audit mode (audit.go)
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/endpoints/{id}/policy", func(w http.ResponseWriter, r *http.Request) {
		doc, err := s.EndpointPolicy(r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, doc)
	})
	mux.HandleFunc("PUT /v1/endpoints/{id}/policy", func(w http.ResponseWriter, r *http.Request) {
		doc, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if len(doc) == 0 {
			http.Error(w, "empty policy: use DELETE to restore the default", http.StatusBadRequest)
			return
		}
		if err := s.SetEndpointPolicy(r.PathValue("id"), string(doc)); err != nil {
			status := http.StatusBadRequest
			var pe *policy.ParseError
			if !errors.As(err, &pe) {
				status = http.StatusNotFound
			}
			http.Error(w, err.Error(), status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /v1/endpoints/{id}/policy", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SetEndpointPolicy(r.PathValue("id"), ""); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /v1/decisions/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, ok := s.Decision(r.PathValue("id"))
		if !ok {
			http.Error(w, fmt.Sprintf("no recent request with ID %s (the log keeps the last %d)", r.PathValue("id"), s.decisions.limit), http.StatusNotFound)
			return
		}
		io.WriteString(w, d.Explain())
	})
	mux.HandleFunc("GET /v1/decisions", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n <= 0 {
			n = 20
		}
		type line struct {
			RequestID, Time, Endpoint, Principal, Operation, Decision, Detail string
			Hint                                                              string `json:",omitempty"`
			Path                                                              string `json:",omitempty"`
			Source                                                            string `json:",omitempty"`
		}
		var out []line
		for _, d := range s.RecentDecisions(n) {
			l := line{RequestID: d.RequestID, Time: d.Time.Format("15:04:05.000"), Endpoint: d.Endpoint, Principal: d.Principal, Operation: d.Operation, Decision: d.decisionWord()}
			if !d.Allowed() {
				l.Decision = "deny"
			}
			l.Hint, l.Path, l.Source = d.Hint, d.Path, d.Source
			switch {
			case d.Code != "" && d.Code != "AccessDenied":
				l.Detail = d.Code
			case d.Error != "":
				l.Detail = d.Error
			case len(d.Checks) > 0:
				l.Detail = d.decidingCheck().Decision.String()
			}
			out = append(out, l)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	s.registerTopologyAdmin(mux)
	s.registerAuditAdmin(mux)
	return mux
}
