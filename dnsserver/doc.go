// Package dnsserver is the companion DNS server of s3vpce: it answers for
// the names of the emulated S3 interface endpoints the way the Amazon VPC
// resolver does, and forwards every other name to upstream resolvers for
// the clients it serves (loopback and the VPCs by default; REFUSED for
// others, so that it is no open resolver).
//
// The names come from a [vpce.Topology] snapshot, read once per query:
//
//   - each endpoint's regional name (every ENI address) and zonal names (that
//     zone's address), and every name below them (bucket., <b>.bucket.,
//     <ap>-<acct>.accesspoint., <acct>.control., any other label);
//   - with private DNS on, s3.<r>.amazonaws.com, s3-control.<r>.amazonaws.com,
//     s3-accesspoint.<r>.amazonaws.com and every name below them;
//   - ip-a-b-c-d.ec2.internal (us-east-1) and ip-a-b-c-d.<r>.compute.internal
//     for every address inside a VPC that has an endpoint in region r.
//
// Answers carry TTL 60 like AWS. Names inside the served zones that do not
// exist get NXDOMAIN with the zone's SOA; other types for existing names
// get NODATA (NOERROR, empty answer, SOA in authority).
//
// The zones are s3.<r>.vpce.amazonaws.com for every region with an
// endpoint, the three private-DNS names when enabled, the EC2 domains, and
// s3.vpce.amazonaws.com: a vpce name with its region left out (a common
// mistake) never exists on AWS, so it gets NXDOMAIN instead of being
// forwarded.
//
// A query received on a VPC's resolver address (base+2, such as 172.16.0.2:
// the socket's local address) gets that VPC's view instead: the vpce names
// as above; the private DNS names of that VPC's own interface endpoints
// only; public S3's names (s3.amazonaws.com, s3.<r>.amazonaws.com,
// s3-<r>.amazonaws.com, s3-external-1.amazonaws.com and every name below
// them) with the region's public addresses (vpce.PublicS3For) where no
// such endpoint answers them; and ip-a-b-c-d names of the VPC and its
// peers only when the VPC has DNS hostnames on (NXDOMAIN otherwise, as the
// seed's my-vpc shows). [NewView] answers the same without a socket.
package dnsserver
