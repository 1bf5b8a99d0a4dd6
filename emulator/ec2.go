package emulator

import (
	"net/http"
	"strings"
)

// isEC2Host reports whether a Host header names the EC2 API: the regional
// endpoint ec2.<region>.amazonaws.com or localhost (the URL the banner
// prints), with any port.
func isEC2Host(hostport string) bool {
	host := hostport
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	region, ok := strings.CutPrefix(host, "ec2.")
	if !ok {
		return false
	}
	region, ok = strings.CutSuffix(region, ".amazonaws.com")
	return ok && region != "" && !strings.Contains(region, ".")
}

// serveEC2 answers an EC2 Query API request.
func (s *Server) serveEC2(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "the EC2 API is not built yet", http.StatusNotImplemented)
}
