package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// parseForwardFor reads --dns-forward-for: "" is the default list (nil),
// "none" an empty one, else CIDRs or single addresses separated by commas.
func parseForwardFor(v string) ([]netip.Prefix, error) {
	switch strings.TrimSpace(v) {
	case "":
		return nil, nil
	case "none":
		return []netip.Prefix{}, nil
	}
	out := []netip.Prefix{}
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q: want a CIDR (10.0.0.0/8) or an address", s)
		}
		out = append(out, netip.PrefixFrom(a.WithZone(""), a.BitLen()))
	}
	return out, nil
}

// beyondLoopback reports whether a listener's "host:port" address can be
// reached from other hosts: a wildcard or a non-loopback address.
func beyondLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return true // a name: whatever it resolves to, not known to be loopback
	}
	return !a.Unmap().IsLoopback()
}

// exposure says who can reach serve's listeners.
type exposure struct {
	https, dns string // the listeners' addresses when beyond loopback
	authOff    bool
	builtinKey bool // the built-in (public) key is accepted
	// forward describes the clients DNS forwards other names for.
	forward string
}

// newExposure describes the listeners at httpsAddr and dnsAddr ("" when
// off). builtinKey: no --credentials; forwardFor and upstream are the DNS
// server's settings.
func newExposure(httpsAddr, dnsAddr string, authOff, builtinKey bool, forwardFor []netip.Prefix, upstream []string, topo *vpce.Topology) exposure {
	e := exposure{authOff: authOff, builtinKey: builtinKey}
	if beyondLoopback(httpsAddr) {
		e.https = httpsAddr
	}
	if dnsAddr != "" && beyondLoopback(dnsAddr) {
		e.dns = dnsAddr
	}
	switch {
	case len(upstream) == 0:
		e.forward = "no one (no upstream)"
	case forwardFor == nil:
		var vpcs []netip.Prefix
		for _, v := range topo.VPCs() {
			vpcs = append(vpcs, v.CIDR.Masked())
		}
		e.forward = "loopback and the VPCs " + prefixList(vpcs) + " (--dns-forward-for)"
	case len(forwardFor) == 0:
		e.forward = "no one (--dns-forward-for none)"
	default:
		e.forward = prefixList(forwardFor) + " (--dns-forward-for)"
	}
	return e
}

func prefixList(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// httpsRisk says who can use the buckets through an exposed HTTPS listener.
func (e exposure) httpsRisk() string {
	switch {
	case e.authOff:
		return "anyone who can reach this address can read and write every bucket"
	case e.builtinKey:
		return "anyone who can reach it can use the buckets with the built-in access key, which is public"
	}
	return "anyone who can reach it and holds one of the --credentials keys can use the buckets"
}

// lines are the banner's warnings, one per exposed listener.
func (e exposure) lines() []string {
	var out []string
	if e.https != "" {
		off := ""
		if e.authOff {
			off = " with auth OFF"
		}
		out = append(out, fmt.Sprintf("HTTPS %s is reachable beyond loopback%s: %s", e.https, off, e.httpsRisk()))
	}
	if e.dns != "" {
		out = append(out, fmt.Sprintf("DNS %s is reachable beyond loopback: it answers the endpoint names for anyone, and forwards other names for %s", e.dns, e.forward))
	}
	return out
}

// log logs the warnings: an error for HTTPS without authentication.
func (e exposure) log(log *slog.Logger) {
	if e.https != "" {
		if e.authOff {
			log.Error("authentication is OFF and HTTPS listens beyond loopback: "+e.httpsRisk(), "https", e.https)
		} else {
			log.Warn("HTTPS listens beyond loopback: "+e.httpsRisk(), "https", e.https)
		}
	}
	if e.dns != "" {
		log.Warn("DNS listens beyond loopback: it answers the endpoint names for anyone and forwards other names only for the listed clients", "dns", e.dns, "forward_for", e.forward)
	}
}
