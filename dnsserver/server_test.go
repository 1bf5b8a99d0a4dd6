package dnsserver

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

var allSeedIPs = seedIPs

func TestLookupDefault(t *testing.T) {
	cases := []dnsCase{
		{qname: zonal, qtype: dns.TypeA, answer: a(zonal, "172.16.10.143")},
		{qname: regional, qtype: dns.TypeA, answer: a(regional, allSeedIPs...)},
		{qname: "VPCE-0A77994AA2124C299-9TCNTPVN-US-EAST-1D.S3.US-EAST-1.VPCE.AMAZONAWS.COM.", qtype: dns.TypeA,
			answer: a("VPCE-0A77994AA2124C299-9TCNTPVN-US-EAST-1D.S3.US-EAST-1.VPCE.AMAZONAWS.COM.", "172.16.10.143")},
		{qname: "bucket." + regional, qtype: dns.TypeA, answer: a("bucket."+regional, allSeedIPs...)},
		{qname: "mybucket.bucket." + regional, qtype: dns.TypeA, answer: a("mybucket.bucket."+regional, allSeedIPs...)},
		{qname: "bucket." + zonal, qtype: dns.TypeA, answer: a("bucket."+zonal, "172.16.10.143")},
		{qname: "mybucket.bucket." + zonal, qtype: dns.TypeA, answer: a("mybucket.bucket."+zonal, "172.16.10.143")},
		{qname: "ap-123456789012.accesspoint." + zonal, qtype: dns.TypeA, answer: a("ap-123456789012.accesspoint."+zonal, "172.16.10.143")},
		{qname: "123456789012.control." + regional, qtype: dns.TypeA, answer: a("123456789012.control."+regional, allSeedIPs...)},
		{qname: "foo.bar." + regional, qtype: dns.TypeA, answer: a("foo.bar."+regional, allSeedIPs...)},
		{qname: "Mixed.Case.Bucket." + zonal, qtype: dns.TypeA, answer: a("Mixed.Case.Bucket."+zonal, "172.16.10.143")},
		{qname: "vpce-0a77994aa2124c299-9tcntpvn-us-east-1a.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
			answer: a("vpce-0a77994aa2124c299-9tcntpvn-us-east-1a.s3.us-east-1.vpce.amazonaws.com.", "172.16.1.143")},
		// ANY: the A records only (RFC 8482 allows a subset).
		{qname: zonal, qtype: dns.TypeANY, answer: a(zonal, "172.16.10.143")},
		// NODATA: the name exists, not with this type.
		{qname: zonal, qtype: dns.TypeAAAA, ns: soa(vpceApex)},
		{qname: "bucket." + regional, qtype: dns.TypeAAAA, ns: soa(vpceApex)},
		{qname: regional, qtype: dns.TypeMX, ns: soa(vpceApex)},
		{qname: regional, qtype: dns.TypeTXT, ns: soa(vpceApex)},
		// NXDOMAIN: in our zone, no such name.
		{qname: "vpce-0a77994aa2124c299-9tcntpvn-us-east-1z.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa(vpceApex)},
		{qname: "bucket.vpce-0a77994aa2124c299-9tcntpvn-us-east-1z.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa(vpceApex)},
		{qname: "vpce-0b77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa(vpceApex)},
		{qname: "vpce-0a77994aa2124c299-xxxxxxxx.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa(vpceApex)},
		{qname: "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
			answer: a(regional, allSeedIPs...)},
		{qname: "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeAAAA,
			ns: soa(vpceApex)},
		// An escaped dot makes one label: not a child of the endpoint name.
		{qname: `x\.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.`, qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa(vpceApex)},
		// The region left out never resolves (privatelink-facts §1, §9.2).
		{qname: "vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa("vpce.amazonaws.com.")},
		{qname: "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa("vpce.amazonaws.com.")},
		// The zone apex.
		{qname: vpceApex, qtype: dns.TypeSOA, answer: soa(vpceApex)},
		{qname: vpceApex, qtype: dns.TypeNS, answer: []string{vpceApex + " 60 IN NS ns.s3vpce.invalid."}},
		{qname: vpceApex, qtype: dns.TypeA, ns: soa(vpceApex)},
		{qname: "S3.US-EAST-1.VPCE.AMAZONAWS.COM.", qtype: dns.TypeA, ns: soa(vpceApex)},
		// EC2 hostnames of addresses in the VPC.
		{qname: "ip-172-16-10-143.ec2.internal.", qtype: dns.TypeA, answer: a("ip-172-16-10-143.ec2.internal.", "172.16.10.143")},
		{qname: "IP-172-16-0-25.EC2.INTERNAL.", qtype: dns.TypeA, answer: a("IP-172-16-0-25.EC2.INTERNAL.", "172.16.0.25")},
		{qname: "ip-172-16-10-143.ec2.internal.", qtype: dns.TypeAAAA, ns: soa("ec2.internal.")},
		{qname: "ip-10-0-0-1.ec2.internal.", qtype: dns.TypeA, rcode: dns.RcodeNameError, ns: soa("ec2.internal.")},
		{qname: "ip-172-16-010-1.ec2.internal.", qtype: dns.TypeA, rcode: dns.RcodeNameError, ns: soa("ec2.internal.")},
		{qname: "x.ip-172-16-10-143.ec2.internal.", qtype: dns.TypeA, rcode: dns.RcodeNameError, ns: soa("ec2.internal.")},
		// Private DNS is off: those names are not ours, and with no upstream
		// they are refused.
		{qname: "s3.us-east-1.amazonaws.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{qname: "example.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{qname: "vpce-0a77994aa2124c299-9tcntpvn.s3.us-west-2.vpce.amazonaws.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{qname: ".", qtype: dns.TypeNS, rcode: dns.RcodeRefused},
	}
	s := startServer(t, Config{Topology: vpce.DefaultTopology})
	runCases(t, s.Addr(), cases)
}

func TestLookupPrivateDNS(t *testing.T) {
	const s3 = "s3.us-east-1.amazonaws.com."
	cases := []dnsCase{
		{qname: s3, qtype: dns.TypeA, answer: a(s3, allSeedIPs...)},
		{qname: "mybucket." + s3, qtype: dns.TypeA, answer: a("mybucket."+s3, allSeedIPs...)},
		{qname: "my.dotted.bucket." + s3, qtype: dns.TypeA, answer: a("my.dotted.bucket."+s3, allSeedIPs...)},
		{qname: "s3-control.us-east-1.amazonaws.com.", qtype: dns.TypeA, answer: a("s3-control.us-east-1.amazonaws.com.", allSeedIPs...)},
		{qname: "123456789012.s3-control.us-east-1.amazonaws.com.", qtype: dns.TypeA,
			answer: a("123456789012.s3-control.us-east-1.amazonaws.com.", allSeedIPs...)},
		{qname: "ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com.", qtype: dns.TypeA,
			answer: a("ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com.", allSeedIPs...)},
		{qname: "S3.US-EAST-1.AMAZONAWS.COM.", qtype: dns.TypeA, answer: a("S3.US-EAST-1.AMAZONAWS.COM.", allSeedIPs...)},
		{qname: s3, qtype: dns.TypeAAAA, ns: soa(s3)},
		{qname: s3, qtype: dns.TypeSOA, answer: soa(s3)},
		{qname: "mybucket." + s3, qtype: dns.TypeSOA, ns: soa(s3)},
		{qname: "s3-control.us-east-1.amazonaws.com.", qtype: dns.TypeNS,
			answer: []string{"s3-control.us-east-1.amazonaws.com. 60 IN NS ns.s3vpce.invalid."}},
		{qname: "mybucket." + s3, qtype: dns.TypeAAAA, ns: soa(s3)},
		{qname: "x.s3-control.us-east-1.amazonaws.com.", qtype: dns.TypeAAAA, ns: soa("s3-control.us-east-1.amazonaws.com.")},
		// The vpce names still resolve.
		{qname: zonal, qtype: dns.TypeA, answer: a(zonal, "172.16.10.143")},
		// Other regions and services are not ours.
		{qname: "s3.us-west-2.amazonaws.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{qname: "sts.us-east-1.amazonaws.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
	}
	s := startServer(t, Config{Topology: fixed(privateTopology(t))})
	runCases(t, s.Addr(), cases)
}

func runCases(t *testing.T, addr string, cases []dnsCase) {
	t.Helper()
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			for _, c := range cases {
				t.Run(dns.TypeToString[c.qtype]+" "+c.qname, func(t *testing.T) {
					m := query(t, network, addr, c.qname, c.qtype)
					c.check(t, m)
					if m.Authoritative || !m.RecursionAvailable {
						t.Errorf("AA=%v RA=%v, want the VPC resolver's AA=false RA=true", m.Authoritative, m.RecursionAvailable)
					}
				})
			}
		})
	}
}
