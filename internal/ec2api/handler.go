package ec2api

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Version is the EC2 API version the aws CLI and the SDKs send.
const Version = "2016-11-15"

// Namespace is the XML namespace of EC2's responses.
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// Backend holds the topology the API reads and changes.
type Backend interface {
	// Topology is the current snapshot.
	Topology() *vpce.Topology
	// UpdateTopology applies fn to a copy of the current Spec, builds it
	// and swaps it in atomically (saved, certificates issued); on any error
	// nothing changes.
	UpdateTopology(fn func(*vpce.Spec) error) (*vpce.Topology, error)
}

// Request is one authenticated EC2 API request.
type Request struct {
	// Action is the Action parameter (also in Params).
	Action string
	Params Params
	// Account is the caller's account; Region is the region of the
	// request's SigV4 scope (or the endpoint's).
	Account   string
	Region    string
	RequestID string
	Now       time.Time
}

// actionFunc answers one action: a response document (a struct that
// marshals to EC2's XML shape) or an error.
type actionFunc func(h *Handler, req *Request) (any, *Error)

// Handler answers EC2 API requests over a Backend.
type Handler struct {
	b       Backend
	actions map[string]actionFunc
}

// New returns a Handler over b.
func New(b Backend) *Handler {
	h := &Handler{b: b, actions: map[string]actionFunc{}}
	for _, set := range []map[string]actionFunc{endpointActions(), networkActions()} {
		for name, f := range set {
			h.actions[name] = f
		}
	}
	return h
}

// Serve answers req on w.
func (h *Handler) Serve(w http.ResponseWriter, req *Request) {
	f, ok := h.actions[req.Action]
	if !ok {
		code, msg := "InvalidAction", "The action "+req.Action+" is not valid for this web service."
		if req.Action == "" {
			code, msg = "MissingAction", "The request must contain the parameter Action."
		}
		WriteError(w, req.RequestID, &Error{Status: http.StatusBadRequest, Code: code, Message: msg})
		return
	}
	if v := req.Params.String("Version"); v != "" && v != Version {
		WriteError(w, req.RequestID, Errorf("InvalidParameterValue", "Invalid API version %s: this emulator speaks %s.", v, Version))
		return
	}
	resp, err := f(h, req)
	if err != nil {
		WriteError(w, req.RequestID, err)
		return
	}
	body, merr := xml.Marshal(resp)
	if merr != nil {
		WriteError(w, req.RequestID, &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "An internal error has occurred: " + merr.Error()})
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/xml;charset=UTF-8")
	hd.Set("x-amzn-RequestId", req.RequestID)
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	w.Write(body)
}
