package emulator

import (
	"net/http"
	"strings"
)

// isEC2Request reports whether r is for the EC2 API: sent to the regional
// endpoint ec2.<region>.amazonaws.com, or to localhost (the URL the banner
// prints) and signed for the service ec2 — an S3 request to localhost
// still gets S3's answer and its hint about the endpoint names.
func isEC2Request(r *http.Request) bool {
	switch ec2Host(r.Host) {
	case hostEC2:
		return true
	case hostLocal:
		return strings.Contains(r.Header.Get("Authorization"), "/ec2/aws4_request")
	}
	return false
}

const (
	hostOther = iota
	hostEC2
	hostLocal
)

// ec2Host classifies a Host header value (any port).
func ec2Host(hostport string) int {
	host := hostport
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return hostLocal
	}
	region, ok := strings.CutPrefix(host, "ec2.")
	if !ok {
		return hostOther
	}
	region, ok = strings.CutSuffix(region, ".amazonaws.com")
	if ok && region != "" && !strings.Contains(region, ".") {
		return hostEC2
	}
	return hostOther
}

// serveEC2 answers an EC2 Query API request.
func (s *Server) serveEC2(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "the EC2 API is not built yet", http.StatusNotImplemented)
}
