package dnsserver

import (
	"context"
	"log/slog"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size the server advertises in its OPT record
// (the DNS flag day 2020 value).
const ednsSize = 1232

// ServeDNS answers one query; it implements [dns.Handler]. It never panics
// on a malformed message: one that is not a query gets no reply, one with
// other than one question gets FORMERR, other opcodes get NOTIMP.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if r == nil || r.Response {
		return // never answer a response: that is how reflection loops start
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.Compress = true
	// The server plays the VPC resolver (AmazonProvidedDNS at the VPC's
	// base+2 address): a recursive resolver, so RA is set and answers are
	// not authoritative, as the seed's nslookup shows ("Non-authoritative
	// answer"). Only REFUSED tells a client that a name is not served.
	m.RecursionAvailable = true
	tcp := w.RemoteAddr() != nil && w.RemoteAddr().Network() == "tcp"

	opt := r.IsEdns0()
	size := dns.MinMsgSize
	if opt != nil {
		m.SetEdns0(ednsSize, opt.Do())
		size = max(int(opt.UDPSize()), dns.MinMsgSize)
		if opt.Version() != 0 {
			s.reply(w, r, m, dns.RcodeBadVers, tcp, size)
			return
		}
	}
	switch {
	case r.Opcode != dns.OpcodeQuery:
		m.Opcode = r.Opcode
		s.reply(w, r, m, dns.RcodeNotImplemented, tcp, size)
		return
	case len(r.Question) != 1:
		s.reply(w, r, m, dns.RcodeFormatError, tcp, size)
		return
	}
	q := r.Question[0]
	if q.Qclass != dns.ClassINET {
		s.reply(w, r, m, dns.RcodeRefused, tcp, size)
		return
	}
	z := s.zoneFor(w.LocalAddr())
	res, n, addrs, apex := z.lookup(q.Name)
	switch res {
	case resultOutside:
		if len(s.upstream) == 0 || !r.RecursionDesired || q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR {
			s.reply(w, r, m, dns.RcodeRefused, tcp, size)
			return
		}
		if !s.mayForward(z, w.RemoteAddr()) {
			s.log.Debug("dnsserver: not forwarding for this client", slog.String("qname", q.Name), slog.Any("client", w.RemoteAddr()))
			s.reply(w, r, m, dns.RcodeRefused, tcp, size)
			return
		}
		s.forward(w, r, tcp, size)
		return
	case resultNXDomain:
		m.Ns = []dns.RR{n.soa}
		s.reply(w, r, m, dns.RcodeNameError, tcp, size)
		return
	}
	switch {
	case (q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY) && len(addrs) > 0:
		// ANY gets the A records only (RFC 8482 allows a subset).
		m.Answer = appendA(make([]dns.RR, 0, len(addrs)), q.Name, addrs)
	case apex && q.Qtype == dns.TypeSOA:
		m.Answer = []dns.RR{n.soa}
	case apex && q.Qtype == dns.TypeNS:
		m.Answer = []dns.RR{newNS(n.soa.Hdr.Name)}
	case apex && q.Qtype == dns.TypeANY:
		m.Answer = []dns.RR{n.soa, newNS(n.soa.Hdr.Name)}
	case q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR:
		s.reply(w, r, m, dns.RcodeRefused, tcp, size)
		return
	default:
		m.Ns = []dns.RR{n.soa} // NODATA
	}
	s.reply(w, r, m, dns.RcodeSuccess, tcp, size)
}

// reply sets rcode, truncates a UDP answer to size and writes m.
func (s *Server) reply(w dns.ResponseWriter, r, m *dns.Msg, rcode int, tcp bool, size int) {
	m.Rcode = rcode
	if rcode == dns.RcodeFormatError || rcode == dns.RcodeNotImplemented {
		m.Question = nil
		if len(r.Question) == 1 {
			m.Question = r.Question
		}
	}
	if !tcp {
		m.Truncate(size)
	}
	if err := w.WriteMsg(m); err != nil {
		s.log.Debug("dnsserver: write reply", slog.Any("err", err))
	}
	if s.log.Enabled(context.Background(), slog.LevelDebug) && len(r.Question) > 0 {
		s.log.Debug("dns query", slog.String("qname", r.Question[0].Name),
			slog.String("qtype", dns.TypeToString[r.Question[0].Qtype]), slog.String("rcode", dns.RcodeToString[rcode]))
	}
}
