package emulator

import (
	"net"
	"net/http"
	"net/netip"

	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// origin is the way a request reached S3, which decides its policy
// context and the endpoint policy that gates it: an interface endpoint, an
// S3 gateway endpoint (public S3 through the gateway's prefix-list route)
// or an internet gateway (public S3 from the internet).
type origin struct {
	set bool
	// region is the region of the name the request was sent to.
	region string
	// endpointID and vpcID are aws:SourceVpce and aws:SourceVpc; both
	// empty through an internet gateway.
	endpointID string
	vpcID      string
	owner      string // the VPC's account, for aws:SourceVpcArn
	// vpcSourceIP is aws:VpcSourceIp (through an endpoint), sourceIP
	// aws:SourceIp (through an internet gateway).
	vpcSourceIP string
	sourceIP    string
	// endpointPolicy gates the request with policyKind;
	// KindUnspecified: no endpoint policy (internet gateway).
	endpointPolicy *policy.Policy
	policyKind     policy.Kind
	// audit is the policy mode audit: denials pass, marked would-deny.
	audit bool
}

// endpointOrigin is the origin of a request through interface endpoint ep.
func endpointOrigin(r *http.Request, snap *snapshot, ep *vpce.Endpoint) origin {
	owner := ep.OwnerID
	if owner == "" {
		owner = DefaultAccountID
	}
	o := origin{set: true, region: ep.Region, endpointID: ep.ID, vpcID: ep.VPCID, owner: owner,
		endpointPolicy: snap.policies[ep.ID], policyKind: policy.KindEndpoint, audit: auditing(snap)}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		o.vpcSourceIP = host
	}
	return o
}

// remoteAddr is the request's source address; invalid when unknown.
func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// localAddr is the address the request's connection was accepted on;
// invalid when unknown.
func localAddr(r *http.Request) netip.AddrPort {
	a, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return addrPortOf(a)
}

// addrPortOf converts a TCP address (or any whose String is host:port).
func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case nil:
		return netip.AddrPort{}
	case *net.TCPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// noteSource records, for a request through interface endpoint ep from an
// instance of the topology, its path and source in rec (explain shows
// them); requests from elsewhere (the host) are left as they were.
func (rec *DecisionRecord) noteSource(r *http.Request, t *vpce.Topology, ep *vpce.Endpoint) {
	if len(t.Instances()) == 0 {
		return
	}
	ip := remoteAddr(r)
	if inst, ok := t.InstanceAt(ip); ok {
		rec.Path = "interface endpoint " + ep.ID
		rec.Source = instanceSource(inst)
	}
}

// instanceSource names an instance as the decision log shows a source:
// "172.16.10.77 (i-0b2c3d4e5f6a70819 my-vpc-host)".
func instanceSource(inst *vpce.Instance) string {
	s := inst.PrivateIP.String() + " (" + inst.ID
	if n := inst.Name(); n != "" {
		s += " " + n
	}
	return s + ")"
}
