package s3control

import (
	"net/http"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Request is one authorised S3 Control request.
type Request struct {
	HTTP *http.Request
	// Op and Name are Classify's answer.
	Op   string
	Name string
	// Account is the account of the Host (<account>.control…), which
	// x-amz-account-id must match; Region the endpoint's.
	Account   string
	Region    string
	RequestID string
	Now       time.Time
	// VPCExists reports whether CreateAccessPoint's VpcId names a VPC of
	// the topology.
	VPCExists func(id string) bool
}

// Classify names the S3 Control operation of r (the IAM action without
// "s3:", e.g. "CreateAccessPoint") and the access point it addresses (""
// for ListAccessPoints), or an S3 Control error for a request it does not
// know.
func Classify(r *http.Request) (op, name string, err *s3err.Error) {
	return "", "", &s3err.Error{Status: http.StatusNotImplemented, Code: "NotImplemented", Message: "s3control: not built yet"}
}

// ARN is an access point's ARN.
func ARN(region, account, name string) string {
	return "arn:aws:s3:" + region + ":" + account + ":accesspoint/" + name
}

// Handler answers S3 Control requests over a store.
type Handler struct {
	st *store.Store
}

// New returns a Handler over st.
func New(st *store.Store) *Handler { return &Handler{st: st} }

// Serve answers req.
func (h *Handler) Serve(w http.ResponseWriter, req *Request) {
	s3err.Write(w, req.HTTP, &s3err.Error{Status: http.StatusNotImplemented, Code: "NotImplemented", Message: "s3control: not built yet"})
}
