package dnsserver

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// forwardTimeout bounds one forwarded query, across all upstreams.
const forwardTimeout = 4 * time.Second

// forward sends r to the upstreams in order and relays the first answer,
// with r's ID; SERVFAIL when none answers in time. A truncated UDP answer
// is retried over TCP when the client asked over TCP.
func (s *Server) forward(w dns.ResponseWriter, r *dns.Msg, tcp bool, size int) {
	ctx, cancel := context.WithTimeout(s.life, forwardTimeout)
	defer cancel()
	resp, err := s.exchange(ctx, r, tcp)
	if err != nil {
		s.log.Debug("dnsserver: forward", slog.String("qname", r.Question[0].Name), slog.Any("err", err))
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeServerFailure)
		if opt := r.IsEdns0(); opt != nil {
			m.SetEdns0(ednsSize, opt.Do())
		}
		s.reply(w, r, m, dns.RcodeServerFailure, tcp, size)
		return
	}
	resp.Id = r.Id
	resp.RecursionAvailable = true
	resp.Compress = true
	if !tcp {
		resp.Truncate(size)
	}
	if err := w.WriteMsg(resp); err != nil {
		s.log.Debug("dnsserver: write forwarded reply", slog.Any("err", err))
	}
}

// exchange tries each upstream once.
func (s *Server) exchange(ctx context.Context, r *dns.Msg, tcp bool) (*dns.Msg, error) {
	var errs []string
	for _, up := range s.upstream {
		if ctx.Err() != nil {
			break
		}
		resp, err := exchangeOne(ctx, "udp", r, up)
		if err == nil && resp.Truncated && tcp {
			resp, err = exchangeOne(ctx, "tcp", r, up)
		}
		if err == nil {
			return resp, nil
		}
		errs = append(errs, up+": "+err.Error())
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("dnsserver: forward: %w", context.Cause(ctx))
	}
	return nil, fmt.Errorf("dnsserver: forward: %s", strings.Join(errs, "; "))
}

// exchangeOne sends r to one upstream. Unlike dns.Client.ExchangeContext
// it stops waiting as soon as ctx is cancelled, not only at its deadline.
func exchangeOne(ctx context.Context, network string, r *dns.Msg, upstream string) (*dns.Msg, error) {
	c := &dns.Client{Net: network, UDPSize: dns.MaxMsgSize, Timeout: forwardTimeout}
	conn, err := c.DialContext(ctx, upstream)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, r, conn)
	if err != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return resp, err
}

// UpstreamsFromResolvConf reads the nameserver lines of a resolv.conf file
// (normally /etc/resolv.conf) and returns them as "host:53" addresses, in
// file order. Lines it cannot parse are skipped; a file with no
// nameserver gives an empty list and no error.
func UpstreamsFromResolvConf(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dnsserver: upstreams: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		ip, err := netip.ParseAddr(fields[1]) // keeps an IPv6 zone
		if err != nil {
			continue
		}
		out = append(out, net.JoinHostPort(ip.String(), "53"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dnsserver: upstreams: %s: %w", path, err)
	}
	return out, nil
}
