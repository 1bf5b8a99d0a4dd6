package emulator

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Client returns an HTTP client that trusts the emulator's CA and dials the
// emulator's listener for every endpoint and private-DNS name, keeping the
// real host name for SNI and Host, so code under test uses the real vpce
// URLs unchanged. Other names are dialed normally.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport()}
}

// Transport is the RoundTripper behind Client.
func (s *Server) Transport() *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second}
	addr := s.Addr()
	return &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.CACertPool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(hostport)
			if err == nil {
				if _, perr := vpce.ParseHost(host); perr == nil {
					hostport = addr
				}
			}
			return d.DialContext(ctx, network, hostport)
		},
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
}
