package vpce

import (
	"fmt"
	"strings"
)

// Surface is the part of S3 a host name addresses.
type Surface int

// The surfaces of an S3 interface endpoint and of private DNS.
const (
	// SurfaceBare is the endpoint name itself, with no leading label. Real
	// endpoints present no certificate for it.
	SurfaceBare Surface = iota + 1
	// SurfaceBucket is "bucket.<endpoint>": path-style requests.
	SurfaceBucket
	// SurfaceVirtualBucket is "<bucket>.bucket.<endpoint>": virtual-hosted.
	SurfaceVirtualBucket
	// SurfaceAccessPoint is "<name>-<account>.accesspoint.<endpoint>".
	SurfaceAccessPoint
	// SurfaceControl is "<account>.control.<endpoint>" (S3 Control API).
	SurfaceControl
	// SurfaceOther is any other name below the endpoint name: it resolves,
	// but no certificate name covers it.
	SurfaceOther
	// SurfacePrivateS3 is "s3.<region>.amazonaws.com" (private DNS, path style).
	SurfacePrivateS3
	// SurfacePrivateVirtualBucket is "<bucket>.s3.<region>.amazonaws.com".
	SurfacePrivateVirtualBucket
	// SurfacePrivateAccessPoint is "<name>-<account>.s3-accesspoint.<region>.amazonaws.com".
	SurfacePrivateAccessPoint
	// SurfacePrivateControl is "<account>.s3-control.<region>.amazonaws.com".
	SurfacePrivateControl
)

var surfaceNames = map[Surface]string{
	SurfaceBare: "bare", SurfaceBucket: "bucket", SurfaceVirtualBucket: "virtual-bucket",
	SurfaceAccessPoint: "accesspoint", SurfaceControl: "control", SurfaceOther: "other",
	SurfacePrivateS3: "private-s3", SurfacePrivateVirtualBucket: "private-virtual-bucket",
	SurfacePrivateAccessPoint: "private-accesspoint", SurfacePrivateControl: "private-control",
}

func (s Surface) String() string {
	if n, ok := surfaceNames[s]; ok {
		return n
	}
	return fmt.Sprintf("Surface(%d)", int(s))
}

// Private reports whether the surface is a private-DNS S3 name rather than
// a vpce name.
func (s Surface) Private() bool { return s >= SurfacePrivateS3 }

// Host is a classified request host name.
type Host struct {
	// Name is the host, lower-cased, without port or trailing dot.
	Name string
	// EndpointID and DNSSuffix identify the endpoint; empty for private DNS names.
	EndpointID string
	DNSSuffix  string
	// Zone is the availability zone of a zonal name; empty for regional names.
	Zone    string
	Region  string
	Surface Surface
	// Bucket is set for virtual-hosted bucket names.
	Bucket string
	// AccessPoint and Account are set for access-point names; Account also
	// for control names.
	AccessPoint string
	Account     string
}

// SplitHostPort strips an optional port (and IPv6 brackets) from a Host
// header value; unlike net.SplitHostPort it accepts a host with no port.
func SplitHostPort(hostport string) string {
	h := hostport
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.IndexByte(h, ':') == i {
		port := h[i+1:]
		for j := range len(port) {
			if port[j] < '0' || port[j] > '9' {
				return h
			}
		}
		return h[:i]
	}
	return h
}

// ParseHost classifies a Host header value (port stripped, case-insensitive,
// trailing dot ignored). It knows only the grammar; whether the endpoint
// exists is a question for a Topology.
func ParseHost(hostport string) (Host, error) {
	name := strings.TrimSuffix(strings.ToLower(SplitHostPort(hostport)), ".")
	h := Host{Name: name}
	if name == "" || len(name) > 253 || name[0] == '.' || strings.Contains(name, "..") {
		return h, fmt.Errorf("%w: %q", ErrNotEndpointName, hostport)
	}
	if prefix, region, ok := cutPrivate(name); ok {
		return parsePrivate(h, prefix, region, hostport)
	}
	// <prefix>.<label>.s3.<region>.vpce.amazonaws.com
	rest, ok := strings.CutSuffix(name, ".vpce.amazonaws.com")
	if !ok {
		return h, fmt.Errorf("%w: %q", ErrNotEndpointName, hostport)
	}
	i := strings.LastIndex(rest, ".s3.")
	if i < 0 {
		return h, fmt.Errorf("%w: %q: no .s3.<region> part", ErrNotEndpointName, hostport)
	}
	h.Region = rest[i+len(".s3."):]
	if !validRegion(h.Region) {
		return h, fmt.Errorf("%w: %q: bad region %q", ErrNotEndpointName, hostport, h.Region)
	}
	rest = rest[:i]
	prefix, label := "", rest
	if j := strings.LastIndexByte(rest, '.'); j >= 0 {
		prefix, label = rest[:j], rest[j+1:]
	}
	if err := h.parseLabel(label); err != nil {
		return h, fmt.Errorf("%w: %q: %v", ErrNotEndpointName, hostport, err)
	}
	switch {
	case prefix == "":
		h.Surface = SurfaceBare
	case prefix == "bucket":
		h.Surface = SurfaceBucket
	case strings.HasSuffix(prefix, ".bucket"):
		h.Surface = SurfaceVirtualBucket
		h.Bucket = strings.TrimSuffix(prefix, ".bucket")
	case strings.HasSuffix(prefix, ".accesspoint") && h.parseAccessPoint(strings.TrimSuffix(prefix, ".accesspoint")):
		h.Surface = SurfaceAccessPoint
	case strings.HasSuffix(prefix, ".control") && validAccount(strings.TrimSuffix(prefix, ".control")):
		h.Surface = SurfaceControl
		h.Account = strings.TrimSuffix(prefix, ".control")
	default:
		h.Surface = SurfaceOther
	}
	return h, nil
}

// parseLabel splits "vpce-<hex>-<sfx>[-<az>]".
func (h *Host) parseLabel(label string) error {
	parts := strings.SplitN(label, "-", 4)
	if len(parts) < 3 || !validID(parts[0]+"-"+parts[1]) {
		return fmt.Errorf("label %q is not vpce-<id>-<suffix>", label)
	}
	h.EndpointID = parts[0] + "-" + parts[1]
	h.DNSSuffix = parts[2]
	if !validSuffix(h.DNSSuffix) {
		return fmt.Errorf("label %q: bad dns suffix %q", label, h.DNSSuffix)
	}
	if len(parts) == 4 {
		h.Zone = parts[3]
		if !strings.HasPrefix(h.Zone, h.Region) || len(h.Zone) == len(h.Region) || !validLabel(h.Zone) {
			return fmt.Errorf("label %q: zone %q is not in region %s", label, h.Zone, h.Region)
		}
	}
	return nil
}

// parseAccessPoint splits "<name>-<account>"; it reports whether s had that shape.
func (h *Host) parseAccessPoint(s string) bool {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 || !validAccount(s[i+1:]) || !validLabel(s[:i]) {
		return false
	}
	h.AccessPoint, h.Account = s[:i], s[i+1:]
	return true
}

// cutPrivate matches "[<prefix>.]<svc>.<region>.amazonaws.com" for the three
// private-DNS services and returns prefix (with the service name kept as
// its last label) and region.
func cutPrivate(name string) (prefix, region string, ok bool) {
	rest, ok := strings.CutSuffix(name, ".amazonaws.com")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return "", "", false
	}
	region = rest[i+1:]
	if region == "vpce" || !validRegion(region) {
		return "", "", false
	}
	return rest[:i], region, true
}

func parsePrivate(h Host, prefix, region, hostport string) (Host, error) {
	h.Region = region
	svc, sub := prefix, ""
	if j := strings.LastIndexByte(prefix, '.'); j >= 0 {
		sub, svc = prefix[:j], prefix[j+1:]
	}
	switch {
	case svc == "s3" && sub == "":
		h.Surface = SurfacePrivateS3
	case svc == "s3":
		h.Surface = SurfacePrivateVirtualBucket
		h.Bucket = sub
	case svc == "s3-accesspoint" && h.parseAccessPoint(sub):
		h.Surface = SurfacePrivateAccessPoint
	case svc == "s3-control" && validAccount(sub):
		h.Surface = SurfacePrivateControl
		h.Account = sub
	default:
		return h, fmt.Errorf("%w: %q", ErrNotEndpointName, hostport)
	}
	return h, nil
}
