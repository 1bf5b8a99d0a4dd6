package dnsserver_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/dnsserver"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

func ExampleRecords() {
	for _, rr := range dnsserver.Records(vpce.DefaultTopology()) {
		if strings.Contains(rr.Header().Name, "us-east-1d") || rr.Header().Rrtype != dns.TypeA {
			fmt.Println(strings.Join(strings.Fields(rr.String()), " "))
		}
	}
	// Output:
	// s3.us-east-1.vpce.amazonaws.com. 60 IN SOA ns.s3vpce.invalid. hostmaster.s3vpce.invalid. 1 7200 900 1209600 60
	// s3.us-east-1.vpce.amazonaws.com. 60 IN NS ns.s3vpce.invalid.
	// ec2.internal. 60 IN SOA ns.s3vpce.invalid. hostmaster.s3vpce.invalid. 1 7200 900 1209600 60
	// ec2.internal. 60 IN NS ns.s3vpce.invalid.
	// vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com. 60 IN A 172.16.10.143
	// *.vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com. 60 IN A 172.16.10.143
}

func ExampleServer() {
	ctx := context.Background()
	topo := vpce.DefaultTopology()
	s, err := dnsserver.New(dnsserver.Config{Topology: func() *vpce.Topology { return topo }})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if err := s.Start(ctx, "127.0.0.1:0"); err != nil {
		panic(err)
	}
	m := new(dns.Msg).SetQuestion("mybucket.bucket.vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com.", dns.TypeA)
	r, _, err := new(dns.Client).ExchangeContext(ctx, m, s.Addr())
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Answer[0].(*dns.A).A)
	// Output: 172.16.10.143
}
