package vpce

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Zone is one availability zone in which an endpoint has a network interface.
type Zone struct {
	// Name is the availability zone, e.g. "us-east-1d".
	Name string
	// IP is the private IPv4 address of the endpoint's ENI in that zone.
	IP netip.Addr
	// SubnetID is the subnet the ENI is in ("" when the topology does not
	// model subnets for this endpoint).
	SubnetID string
	// ENIID is the network interface, "eni-" and 17 hex digits ("" when
	// not modelled).
	ENIID string
}

// Endpoint is an S3 interface VPC endpoint.
type Endpoint struct {
	// ID is the endpoint ID, e.g. "vpce-0a77994aa2124c299".
	ID string
	// DNSSuffix is the random label AWS appends in DNS names, e.g. "9tcntpvn".
	DNSSuffix string
	// Region is the AWS region, e.g. "us-east-1".
	Region string
	// VPCID is the VPC the endpoint lives in, e.g. "vpc-0f1e2d3c4b5a69788".
	VPCID string
	// Zones lists the zones (and ENI addresses) in the order the subnets were chosen.
	Zones []Zone
	// PrivateDNS reports whether private DNS names (s3.<region>.amazonaws.com and
	// friends) resolve to this endpoint inside its VPC.
	PrivateDNS bool
	// PrivateDNSOnlyForInboundResolverEndpoint (DnsOptions in the EC2 API)
	// keeps the private DNS names for clients that come through a Route 53
	// inbound resolver endpoint: clients inside the VPC resolve them to the
	// public S3 addresses and reach S3 through the VPC's gateway endpoint,
	// which the VPC must then have.
	PrivateDNSOnlyForInboundResolverEndpoint bool
	// Policy is the endpoint policy document (JSON); empty means AWS's
	// default full-access policy. Its syntax is checked by whoever compiles
	// it (the emulator), not here.
	Policy string
	// OwnerID is the account that owns the endpoint; empty means the
	// default account.
	OwnerID string
	// SecurityGroups are the IDs of the security groups of the endpoint's
	// network interfaces.
	SecurityGroups []string
	// IPAddressType is "ipv4" (the only type emulated); "" reads as ipv4.
	IPAddressType string
	Tags          []Tag
	// Created is the creation time EC2 reports (zero: unknown).
	Created time.Time
	// State is EC2's endpoint state; "" reads as "available".
	State string
	// ClientToken is the idempotency token it was created with, if any.
	ClientToken string
}

// ServiceName is the endpoint's service, com.amazonaws.<region>.s3.
func (e *Endpoint) ServiceName() string { return S3ServiceName(e.Region) }

// StateOrDefault is State, or "available" when unset.
func (e *Endpoint) StateOrDefault() string {
	if e.State == "" {
		return "available"
	}
	return e.State
}

// Validate reports the first problem with e, naming the bad field.
func (e *Endpoint) Validate() error {
	if !validID(e.ID) {
		return fmt.Errorf("vpce: endpoint id %q: want vpce- followed by 8 or 17 lower-case hex digits", e.ID)
	}
	if !validSuffix(e.DNSSuffix) {
		return fmt.Errorf("vpce: endpoint %s: dns suffix %q: want 8 lower-case letters or digits", e.ID, e.DNSSuffix)
	}
	if !validRegion(e.Region) {
		return fmt.Errorf("vpce: endpoint %s: region %q: want a region name like us-east-1", e.ID, e.Region)
	}
	if len(e.Zones) == 0 {
		return fmt.Errorf("vpce: endpoint %s: no zones: an interface endpoint needs at least one subnet", e.ID)
	}
	seen := map[string]bool{}
	for i, z := range e.Zones {
		if !strings.HasPrefix(z.Name, e.Region) || len(z.Name) <= len(e.Region) || !validLabel(z.Name) {
			return fmt.Errorf("vpce: endpoint %s: zone %d %q: want an availability zone of %s such as %sa", e.ID, i, z.Name, e.Region, e.Region)
		}
		if seen[z.Name] {
			return fmt.Errorf("vpce: endpoint %s: zone %q listed twice", e.ID, z.Name)
		}
		seen[z.Name] = true
		if !z.IP.Is4() {
			return fmt.Errorf("vpce: endpoint %s: zone %s: ENI address %q is not an IPv4 address", e.ID, z.Name, z.IP)
		}
	}
	return nil
}

// Label is the first DNS label of the regional name: "<id>-<suffix>".
func (e *Endpoint) Label() string { return e.ID + "-" + e.DNSSuffix }

// RegionalName is the endpoint's regional DNS name (no leading label), e.g.
// "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com".
func (e *Endpoint) RegionalName() string {
	return e.Label() + ".s3." + e.Region + ".vpce.amazonaws.com"
}

// ZonalName is the endpoint's DNS name in one zone, e.g.
// "vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com".
func (e *Endpoint) ZonalName(zone string) string {
	return e.Label() + "-" + zone + ".s3." + e.Region + ".vpce.amazonaws.com"
}

// BucketURL is the URL to give an S3 client as its endpoint: the "bucket."
// name, regional when zone is empty. port 0 or 443 is left out.
func (e *Endpoint) BucketURL(zone string, port int) string {
	host := "bucket." + e.RegionalName()
	if zone != "" {
		host = "bucket." + e.ZonalName(zone)
	}
	if port != 0 && port != 443 {
		host = fmt.Sprintf("%s:%d", host, port)
	}
	return "https://" + host
}

// IPs returns the ENI addresses of every zone, in zone order.
func (e *Endpoint) IPs() []netip.Addr {
	ips := make([]netip.Addr, len(e.Zones))
	for i, z := range e.Zones {
		ips[i] = z.IP
	}
	return ips
}

// Zone returns the zone with the given name.
func (e *Endpoint) Zone(name string) (Zone, bool) {
	for _, z := range e.Zones {
		if z.Name == name {
			return z, true
		}
	}
	return Zone{}, false
}

// DNSName is one name the endpoint answers for, with its addresses. A name
// whose Wildcard is true also answers for every name below it.
type DNSName struct {
	Name     string
	Wildcard bool
	Addrs    []netip.Addr
}

// DNSNames lists the names that resolve to the endpoint: the regional name
// (every ENI address) and each zonal name (that zone's address), both with
// all their children, and, when PrivateDNS is on, the private S3 names.
func (e *Endpoint) DNSNames() []DNSName { return e.DNSNamesFor(false) }

// DNSNamesFor is DNSNames as the VPC resolver answers one kind of client:
// inVPC for a client inside the VPC, false for one that comes through an
// inbound resolver endpoint. They differ only for an endpoint with
// PrivateDNSOnlyForInboundResolverEndpoint, whose private names in-VPC
// clients do not get.
func (e *Endpoint) DNSNamesFor(inVPC bool) []DNSName {
	all := e.IPs()
	names := []DNSName{{Name: e.RegionalName(), Wildcard: true, Addrs: all}}
	for _, z := range e.Zones {
		names = append(names, DNSName{Name: e.ZonalName(z.Name), Wildcard: true, Addrs: []netip.Addr{z.IP}})
	}
	if e.PrivateDNS && !(inVPC && e.PrivateDNSOnlyForInboundResolverEndpoint) {
		for _, n := range PrivateDNSNames(e.Region) {
			names = append(names, DNSName{Name: n, Wildcard: true, Addrs: all})
		}
	}
	return names
}

// PrivateDNSNames are the public S3 names that private DNS points at an
// interface endpoint in region (each with its "*." children).
func PrivateDNSNames(region string) []string {
	return []string{
		"s3." + region + ".amazonaws.com",
		"s3-control." + region + ".amazonaws.com",
		"s3-accesspoint." + region + ".amazonaws.com",
	}
}

// ErrNotEndpointName is returned by ParseHost for a name outside the grammar.
var ErrNotEndpointName = errors.New("vpce: not an S3 endpoint name")
