package emulator

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// dialAs connects to the server through ln as a client at remote that
// reached local.
func dialAs(t *testing.T, ln *pipeListener, remote, local string) net.Conn {
	t.Helper()
	client, server := net.Pipe()
	r, l := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(remote)), net.TCPAddrFromAddrPort(netip.MustParseAddrPort(local))
	if err := ln.deliver(t.Context(), &addrConn{Conn: server, local: l, remote: r}); err != nil {
		t.Fatal(err)
	}
	c := &addrConn{Conn: client, local: r, remote: l}
	t.Cleanup(func() { c.Close() })
	return c
}

func newPublicTestServer(t *testing.T) (*Server, *pipeListener, *pipeListener) {
	t.Helper()
	s, err := New(Options{Buckets: []string{"wsgbucket"}, DNSAddr: "off"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tlsLn, httpLn := newPipeListener(&net.TCPAddr{Port: 443}), newPipeListener(&net.TCPAddr{Port: 80})
	if err := s.ServeListener(tlsLn); err != nil {
		t.Fatal(err)
	}
	if err := s.ServeHTTPListener(httpLn); err != nil {
		t.Fatal(err)
	}
	return s, tlsLn, httpLn
}

func TestPublicS3Certificate(t *testing.T) {
	s, tlsLn, _ := newPublicTestServer(t)
	tests := []struct {
		name       string
		local      string
		serverName string
		covers     []string // names the leaf must cover
		verifies   bool
	}{
		{"us-east-1's global name", "52.216.53.32:443", "s3.amazonaws.com",
			[]string{"s3.amazonaws.com", "*.s3.amazonaws.com", "s3-external-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com"}, true},
		{"virtual-hosted bucket", "52.217.194.208:443", "wsgbucket.s3.amazonaws.com", []string{"*.s3.amazonaws.com"}, true},
		{"eu-west-1's dash name", "52.218.26.139:443", "s3-eu-west-1.amazonaws.com",
			[]string{"s3-eu-west-1.amazonaws.com", "*.s3.eu-west-1.amazonaws.com"}, true},
		{"another region's name at us-east-1's address", "52.216.53.32:443", "s3-eu-west-1.amazonaws.com", nil, false},
		{"the ENI keeps the endpoint's certificate", "172.16.10.143:443",
			"bucket.vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com",
			[]string{"*.bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dialAs(t, tlsLn, "127.0.0.1:40000", tt.local)
			tc := tls.Client(conn, &tls.Config{ServerName: tt.serverName, RootCAs: s.CACertPool(), MinVersion: tls.VersionTLS12})
			err := tc.HandshakeContext(t.Context())
			if (err == nil) != tt.verifies {
				t.Fatalf("handshake err = %v, want verified %v", err, tt.verifies)
			}
			if err != nil {
				return
			}
			names := tc.ConnectionState().PeerCertificates[0].DNSNames
			for _, n := range tt.covers {
				if !slices.Contains(names, n) {
					t.Errorf("certificate names %v, lack %s", names, n)
				}
			}
		})
	}
}

func TestPublicS3FromTheHost(t *testing.T) {
	s, _, httpLn := newPublicTestServer(t)
	tests := []struct {
		name       string
		host, path string
		status     int
		code       string
	}{
		{"path style", "s3.amazonaws.com", "/wsgbucket", http.StatusForbidden, "AccessDenied"},
		{"virtual-hosted", "wsgbucket.s3.amazonaws.com", "/", http.StatusForbidden, "AccessDenied"},
		{"not a public name", "example.com", "/", http.StatusBadRequest, "InvalidRequest"},
		{"a vpce name at a public address", "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com", "/", http.StatusBadRequest, "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dialAs(t, httpLn, "127.0.0.1:40001", "52.216.53.32:80")
			io.WriteString(conn, "GET "+tt.path+" HTTP/1.1\r\nHost: "+tt.host+"\r\nConnection: close\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), "<Code>"+tt.code+"</Code>") {
				t.Fatalf("status %d body %s; want %d %s", resp.StatusCode, body, tt.status, tt.code)
			}
			if tt.code != "AccessDenied" {
				return
			}
			d := s.RecentDecisions(1)[0]
			if d.Path != "internet" || d.Source != "127.0.0.1" || d.Operation != "ListObjects" {
				t.Errorf("decision path %q source %q op %s", d.Path, d.Source, d.Operation)
			}
			c := d.Checks[0]
			for key, want := range map[string][]string{"aws:SourceIp": {"127.0.0.1"}, "aws:SecureTransport": {"false"}, "aws:SourceVpce": nil, "aws:VpcSourceIp": nil} {
				if got := c.Context(key); !slices.Equal(got, want) {
					t.Errorf("%s = %v, want %v", key, got, want)
				}
			}
			if !strings.Contains(d.Explain(), "  path      internet\n  source    127.0.0.1\n") {
				t.Errorf("explain:\n%s", d.Explain())
			}
		})
	}
}
