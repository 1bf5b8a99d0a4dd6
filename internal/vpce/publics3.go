package vpce

import (
	"net/netip"
	"slices"
	"strings"
)

// PublicS3 is S3's public surface in one region as the emulated VPCs see
// it: the names the VPC resolver answers with public addresses, and those
// addresses. A packet from an instance reaches them only through an
// internet gateway route or the S3 gateway endpoint's prefix-list route.
type PublicS3 = PublicService

// PublicService is an AWS service's public surface in one region: names
// and the public-looking addresses they resolve to in the emulated VPCs.
type PublicService struct {
	Region string
	// Names are answered with Addrs, each with its "*." children
	// (virtual-hosted buckets).
	Names []string
	// Addrs are the public-looking addresses; the seed's for us-east-1
	// (s3.amazonaws.com: 52.216.53.32, 52.217.194.208) and eu-west-1
	// (52.218.26.139, 52.218.110.115), made-up stable ones elsewhere.
	Addrs []netip.Addr
}

// PublicS3For returns S3's public surface in region.
func PublicS3For(region string) PublicS3 {
	p := PublicS3{Region: region}
	switch region {
	case "us-east-1":
		p.Names = []string{"s3.amazonaws.com", "s3.us-east-1.amazonaws.com", "s3-external-1.amazonaws.com"}
		p.Addrs = []netip.Addr{netip.MustParseAddr("52.216.53.32"), netip.MustParseAddr("52.217.194.208")}
		return p
	case "eu-west-1":
		p.Addrs = []netip.Addr{netip.MustParseAddr("52.218.26.139"), netip.MustParseAddr("52.218.110.115")}
	default:
		// FNV-1a of the region: two addresses in 52.219.0.0/16.
		h := uint32(2166136261)
		for i := range len(region) {
			h ^= uint32(region[i])
			h *= 16777619
		}
		p.Addrs = []netip.Addr{netip.AddrFrom4([4]byte{52, 219, byte(h >> 8), byte(h) | 1}),
			netip.AddrFrom4([4]byte{52, 219, byte(h >> 16), byte(h>>24) | 1})}
	}
	p.Names = []string{"s3." + region + ".amazonaws.com", "s3-" + region + ".amazonaws.com"}
	return p
}

// PublicS3Regions are the regions whose public S3 the emulator serves: the
// seed's two (us-east-1, eu-west-1) and every region of t's endpoints.
func PublicS3Regions(t *Topology) []string {
	regions := []string{"us-east-1", "eu-west-1"}
	add := func(r string) {
		if !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	for _, e := range t.Endpoints() {
		add(e.Region)
	}
	for _, g := range t.GatewayEndpoints() {
		add(g.Region)
	}
	return regions
}

// PublicS3At reports which region's public S3 an address belongs to.
func PublicS3At(t *Topology, ip netip.Addr) (PublicS3, bool) {
	for _, r := range PublicS3Regions(t) {
		if p := PublicS3For(r); slices.Contains(p.Addrs, ip) {
			return p, true
		}
	}
	return PublicS3{}, false
}

// PublicS3Named reports which region's public S3 a host name (a name of
// Names or a child of one, any case, no port) belongs to.
func PublicS3Named(t *Topology, host string) (PublicS3, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, r := range PublicS3Regions(t) {
		p := PublicS3For(r)
		for _, n := range p.Names {
			if host == n || strings.HasSuffix(host, "."+n) {
				return p, true
			}
		}
	}
	return PublicS3{}, false
}

// PublicEC2For is the EC2 API's public surface in region:
// ec2.<region>.amazonaws.com at one public-looking address (made up,
// stable), which an instance reaches only through an internet gateway
// (the S3 gateway endpoint's prefix list does not cover it).
func PublicEC2For(region string) PublicService {
	h := uint32(2166136261)
	for i := range len(region) {
		h ^= uint32(region[i])
		h *= 16777619
	}
	return PublicService{Region: region, Names: []string{"ec2." + region + ".amazonaws.com"},
		Addrs: []netip.Addr{netip.AddrFrom4([4]byte{54, 239, byte(h >> 8), byte(h) | 1})}}
}

// PublicEC2At reports which region's EC2 API an address belongs to.
func PublicEC2At(t *Topology, ip netip.Addr) (PublicService, bool) {
	for _, r := range PublicS3Regions(t) {
		if p := PublicEC2For(r); slices.Contains(p.Addrs, ip) {
			return p, true
		}
	}
	return PublicService{}, false
}
