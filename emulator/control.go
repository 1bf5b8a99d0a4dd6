package emulator

import (
	"net/http"
	"net/url"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3control"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// maxControlBody bounds an S3 Control request body (CreateAccessPoint's
// XML, PutAccessPointPolicy's document of at most 20 KiB).
const maxControlBody = 1 << 20

// controlTarget is what an S3 Control request addresses.
type controlTarget struct {
	op, name        string
	account, region string
}

// isControl reports whether h is an S3 Control name
// (<account>.control.vpce-…, <account>.s3-control.<region>.amazonaws.com).
func isControl(h vpce.Host) bool {
	return h.Surface == vpce.SurfaceControl || h.Surface == vpce.SurfacePrivateControl
}

// gateControl authenticates an S3 Control request (SigV4, service s3),
// names its operation and checks it against the endpoint policy on the
// access point's ARN ("*" for ListAccessPoints). It fills rec; the
// request is then answered by serveControl.
func (s *Server) gateControl(r *http.Request, q url.Values, snap *snapshot, h vpce.Host, ep *vpce.Endpoint, rec *DecisionRecord, now time.Time) *s3err.Error {
	rec.controlSurface = true
	c, serr := s.authenticate(r, q, ep, now)
	if serr != nil {
		return serr
	}
	rec.caller = c
	rec.Principal = principalName(c.principal)
	op, name, serr := s3control.Classify(r)
	if serr != nil {
		return serr
	}
	region := h.Region
	if region == "" {
		region = ep.Region
	}
	ct := &controlTarget{op: op, name: name, account: h.Account, region: region}
	rec.Operation, rec.control = op, ct
	resource := "*"
	if name != "" {
		resource = s3control.ARN(region, h.Account, name)
	}
	o := endpointOrigin(r, snap, ep)
	t := target{op: op, query: q}
	checks := []policy.Check{{Action: "s3:" + op, Resource: resource}}
	records, serr := s.evaluate(s.requestContext(r, o, c, t, now), o, c, nil, checks)
	rec.Checks = records
	return serr
}

// serveControl answers an S3 Control request the gate let through, and
// logs its decision.
func (s *Server) serveControl(w *requestLog, r *http.Request, snap *snapshot, rec *DecisionRecord, now time.Time) {
	defer s.logDecision(rec, nil, w)
	ct := rec.control
	r.Body = http.MaxBytesReader(w, r.Body, maxControlBody)
	topo := snap.topo
	s.control.Serve(w, &s3control.Request{
		HTTP: r, Op: ct.op, Name: ct.name, Account: ct.account, Region: ct.region,
		RequestID: rec.RequestID, Now: now,
		VPCExists: func(id string) bool { _, ok := topo.VPC(id); return ok },
	})
}

// writeRefusal writes the error a request was refused with: in S3
// Control's shape (<ErrorResponse><Error>…) on an S3 Control name, S3's
// elsewhere.
func writeRefusal(w *requestLog, r *http.Request, rec *DecisionRecord, serr *s3err.Error) {
	if !rec.controlSurface {
		s3err.Write(w, r, serr)
		return
	}
	requestID, hostID := s3err.RequestID(r.Context())
	s3err.WriteBody(w, r, serr, s3control.MarshalError(serr, requestID, hostID), requestID, hostID)
}
