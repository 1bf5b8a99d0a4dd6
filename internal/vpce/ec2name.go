package vpce

import (
	"net/netip"
	"strconv"
	"strings"
)

// EC2Domain is the domain of the private DNS hostnames EC2 gives instances
// and network interfaces in region: "ec2.internal" in us-east-1 and
// "<region>.compute.internal" everywhere else.
func EC2Domain(region string) string {
	if region == "us-east-1" {
		return "ec2.internal"
	}
	return region + ".compute.internal"
}

// EC2Hostname is the IP-based private hostname of an IPv4 address in
// region, e.g. "ip-172-16-10-143.ec2.internal". It returns "" for an address
// that is not IPv4.
func EC2Hostname(ip netip.Addr, region string) string {
	if !ip.Is4() {
		return ""
	}
	return "ip-" + strings.ReplaceAll(ip.String(), ".", "-") + "." + EC2Domain(region)
}

// ParseEC2Label parses the first label of an IP-based EC2 hostname,
// "ip-a-b-c-d" (lower case, decimal, no leading zeros), into its address.
func ParseEC2Label(label string) (netip.Addr, bool) {
	rest, ok := strings.CutPrefix(label, "ip-")
	if !ok {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i := range 4 {
		part := rest
		if i < 3 {
			j := strings.IndexByte(rest, '-')
			if j < 0 {
				return netip.Addr{}, false
			}
			part, rest = rest[:j], rest[j+1:]
		}
		if part == "" || len(part) > 3 || (len(part) > 1 && part[0] == '0') {
			return netip.Addr{}, false
		}
		n, err := strconv.Atoi(part)
		if err != nil || n > 255 || part[0] == '+' || part[0] == '-' {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}
