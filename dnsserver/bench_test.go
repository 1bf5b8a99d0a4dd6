package dnsserver

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// perfQueries reads testdata/dnsperf-queries.txt, the mix dnsperf sends:
// regional, zonal, wildcard (bucket., <b>.bucket., accesspoint., control.),
// NXDOMAIN and NODATA.
func perfQueries(tb testing.TB) []*dns.Msg {
	tb.Helper()
	f, err := os.Open("testdata/dnsperf-queries.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []*dns.Msg
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		out = append(out, new(dns.Msg).SetQuestion(dns.Fqdn(fields[0]), dns.StringToType[fields[1]]))
	}
	if len(out) == 0 {
		tb.Fatal("no queries in testdata/dnsperf-queries.txt")
	}
	return out
}

// BenchmarkHandler measures ServeDNS alone (no sockets, no packing) over
// the dnsperf query mix.
func BenchmarkHandler(b *testing.B) {
	s, err := New(Config{Topology: fixed(vpce.DefaultTopology())})
	if err != nil {
		b.Fatal(err)
	}
	qs := perfQueries(b)
	w := &fakeWriter{remote: udpClient}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.ServeDNS(w, qs[i%len(qs)])
		i++
	}
}

// BenchmarkHandlerPacked adds what the socket path adds around the
// handler: unpacking the query and packing the reply.
func BenchmarkHandlerPacked(b *testing.B) {
	s, err := New(Config{Topology: fixed(vpce.DefaultTopology())})
	if err != nil {
		b.Fatal(err)
	}
	var raw [][]byte
	for _, m := range perfQueries(b) {
		p, err := m.Pack()
		if err != nil {
			b.Fatal(err)
		}
		raw = append(raw, p)
	}
	w := &fakeWriter{remote: udpClient}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := new(dns.Msg)
		if err := req.Unpack(raw[i%len(raw)]); err != nil {
			b.Fatal(err)
		}
		s.ServeDNS(w, req)
		if _, err := w.msg.Pack(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
