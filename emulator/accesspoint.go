package emulator

import (
	"errors"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3control"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// aliasSuffix ends every access point alias ("<name>-<random>-s3alias"),
// a name no bucket can have.
const aliasSuffix = "-s3alias"

// accessPointOf returns the access point a request's host addresses
// (<name>-<account>.accesspoint.vpce-…, <name>-<account>.s3-accesspoint.<region>.amazonaws.com)
// and points h at its bucket for route; nil for other surfaces. An access
// point that does not exist is S3's NoSuchAccessPoint.
func (s *Server) accessPointOf(h *vpce.Host) (*store.AccessPoint, *s3err.Error) {
	if h.Surface != vpce.SurfaceAccessPoint && h.Surface != vpce.SurfacePrivateAccessPoint {
		return nil, nil
	}
	ap, err := s.store.AccessPoint(h.Account, h.AccessPoint)
	if err != nil {
		return nil, noSuchAccessPoint(h.AccessPoint, err)
	}
	h.Bucket = ap.Bucket
	return ap, nil
}

func noSuchAccessPoint(name string, err error) *s3err.Error {
	if !errors.Is(err, store.ErrNoSuchAccessPoint) {
		return &s3err.Error{Status: http.StatusInternalServerError, Code: "InternalError",
			Message: "We encountered an internal error. Please try again."}
	}
	return s3err.New(http.StatusNotFound, "NoSuchAccessPoint", "The specified accesspoint does not exist").With("AccessPointName", name)
}

// throughAccessPoint completes the target of a request made through an
// access point: by its host (ap, from accessPointOf) or by its alias used
// as a bucket name, which is rewritten to the access point's bucket in the
// target and the path. Other requests are returned unchanged.
func (s *Server) throughAccessPoint(r *http.Request, t target, ap *store.AccessPoint) (target, *s3err.Error) {
	if ap == nil && strings.HasSuffix(t.bucket, aliasSuffix) {
		a, err := s.store.AccessPointByAlias(t.bucket)
		if err != nil {
			if errors.Is(err, store.ErrNoSuchAccessPoint) {
				return t, nil // S3 answers NoSuchBucket
			}
			return t, noSuchAccessPoint(t.bucket, err)
		}
		alias := "/" + t.bucket
		r.URL.Path = "/" + a.Bucket + strings.TrimPrefix(r.URL.Path, alias)
		if r.URL.RawPath != "" {
			r.URL.RawPath = "/" + a.Bucket + strings.TrimPrefix(r.URL.RawPath, alias)
		}
		t.bucket, ap = a.Bucket, a
	}
	t.ap = ap
	return t, nil
}

// accessPointARN is the ARN of ap.
func accessPointARN(ap *store.AccessPoint) string {
	return s3control.ARN(ap.Region, ap.Account, ap.Name)
}

// networkOrigin is s3:AccessPointNetworkOrigin of ap.
func networkOrigin(ap *store.AccessPoint) string {
	if ap.VPCID != "" {
		return "VPC"
	}
	return "Internet"
}

// checkNetworkOrigin refuses a request through a VPC-origin access point
// that did not come through an endpoint in the access point's VPC. S3
// answers a plain Access Denied; the hint names the cause.
func checkNetworkOrigin(ap *store.AccessPoint, ep *vpce.Endpoint, rec *DecisionRecord) *s3err.Error {
	if ap == nil || ap.VPCID == "" || ep.VPCID == ap.VPCID {
		return nil
	}
	rec.Error = "AccessDenied"
	return s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
}

// networkOriginHint explains checkNetworkOrigin's refusal; "" for others.
func networkOriginHint(rec *DecisionRecord) string {
	ap := rec.target.ap
	if ap == nil || ap.VPCID == "" || len(rec.Checks) > 0 || rec.Error != "AccessDenied" {
		return ""
	}
	from := "public S3 (no VPC)"
	if rec.ep != nil {
		from = "endpoint " + rec.ep.ID + " in " + rec.ep.VPCID
	}
	return "access point " + ap.Name + " has network origin VPC (" + ap.VPCID + "): S3 refuses requests to it that do not come " +
		"through an endpoint in " + ap.VPCID + "; this one came through " + from + ". Use an endpoint of " + ap.VPCID +
		", or an access point with network origin Internet."
}

// accessPointPolicy returns ap's compiled policy, nil when it has none.
func (s *Server) accessPointPolicy(ap *store.AccessPoint) *policy.Policy {
	if ap.Policy == "" {
		return nil
	}
	key := "accesspoint:" + ap.Account + ":" + ap.Name // ':' is in no bucket name
	c := &s.policies
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.doc == ap.Policy {
		return e.compiled
	}
	// Compiled as PutAccessPointPolicy accepted it; it takes part in
	// evaluation as policy.KindAccessPoint (see evaluate).
	p, serr := s3control.CompilePolicy([]byte(ap.Policy))
	if serr != nil {
		// Stored documents were validated when put: fail closed.
		s.log.Error("stored access point policy does not compile; denying", "accesspoint", ap.Name, "err", serr.Message)
		p = denyAll
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 4096 {
		c.entries = map[string]cachedPolicy{}
	}
	c.entries[key] = cachedPolicy{doc: ap.Policy, compiled: p}
	c.mu.Unlock()
	return p
}

// bucketResource maps a resource through access point arn (the access
// point, or arn/object/KEY) to the bucket's (arn:aws:s3:::bucket[/KEY]);
// ok is false for a resource not through the access point (a copy source).
func bucketResource(arn, bucket, resource string) (string, bool) {
	if resource == arn {
		return policy.BucketARN(bucket), true
	}
	if key, ok := strings.CutPrefix(resource, arn+"/object/"); ok {
		return policy.ObjectARN(bucket, key), true
	}
	return "", false
}

// addAccessPointKeys adds the condition keys of a request through ap.
func addAccessPointKeys(ctx *policy.Context, ap *store.AccessPoint) {
	if ap == nil {
		return
	}
	ctx.SetValue("s3:dataaccesspointarn", accessPointARN(ap))
	ctx.SetValue("s3:dataaccesspointaccount", ap.Account)
	ctx.SetValue("s3:accesspointnetworkorigin", networkOrigin(ap))
}
