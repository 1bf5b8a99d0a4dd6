package vpce

import (
	"strings"
	"testing"
)

// FuzzParseHost checks that ParseHost never panics, is case- and
// port-insensitive, and that what it accepts rebuilds into the same name.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{
		"bucket." + regional, "b.bucket." + zonalD, "ap-123456789012.accesspoint." + regional,
		"123456789012.control." + zonalD, regional + ":443", "s3.us-east-1.amazonaws.com",
		"x.s3.us-east-1.amazonaws.com", "a-123456789012.s3-accesspoint.eu-west-1.amazonaws.com", "[::1]:1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		h, err := ParseHost(in)
		if err != nil {
			return
		}
		h2, err := ParseHost(strings.ToUpper(in))
		if err != nil || h2 != h {
			t.Fatalf("upper-case %q: %+v, %v; want %+v", in, h2, err, h)
		}
		if rebuilt := rebuild(h); rebuilt != h.Name {
			t.Fatalf("ParseHost(%q) = %+v; rebuilds to %q", in, h, rebuilt)
		}
	})
}

// rebuild is the reference inverse of ParseHost.
func rebuild(h Host) string {
	if h.Surface.Private() {
		switch h.Surface {
		case SurfacePrivateS3:
			return "s3." + h.Region + ".amazonaws.com"
		case SurfacePrivateVirtualBucket:
			return h.Bucket + ".s3." + h.Region + ".amazonaws.com"
		case SurfacePrivateAccessPoint:
			return h.AccessPoint + "-" + h.Account + ".s3-accesspoint." + h.Region + ".amazonaws.com"
		default:
			return h.Account + ".s3-control." + h.Region + ".amazonaws.com"
		}
	}
	e := Endpoint{ID: h.EndpointID, DNSSuffix: h.DNSSuffix, Region: h.Region}
	name := e.RegionalName()
	if h.Zone != "" {
		name = e.ZonalName(h.Zone)
	}
	switch h.Surface {
	case SurfaceBucket:
		return "bucket." + name
	case SurfaceVirtualBucket:
		return h.Bucket + ".bucket." + name
	case SurfaceAccessPoint:
		return h.AccessPoint + "-" + h.Account + ".accesspoint." + name
	case SurfaceControl:
		return h.Account + ".control." + name
	case SurfaceOther:
		return strings.TrimSuffix(h.Name, name) + name
	}
	return name
}
