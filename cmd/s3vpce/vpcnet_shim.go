package main

// TODO(ns12): a stand-in for internal/vpcnet (branch vpcnet) until it lands:
// replace each call by vpcnet's own and delete this file.

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

const vpcnetTableName = "s3vpce"

func vpcnetDestinations(t *vpce.Topology) []netip.Addr {
	var out []netip.Addr
	for _, e := range t.Endpoints() {
		out = append(out, e.IPs()...)
	}
	for _, v := range t.VPCs() {
		out = append(out, v.ResolverIP())
	}
	for _, r := range vpce.PublicS3Regions(t) {
		out = append(out, vpce.PublicS3For(r).Addrs...)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

func vpcnetRuleset(t *vpce.Topology, inst *vpce.Instance, ifname string) string {
	return fmt.Sprintf("table inet %[1]s\ndelete table inet %[1]s\ntable inet %[1]s {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tiifname %[2]q accept\n\t}\n}\n", vpcnetTableName, ifname)
}

func vpcnetApplyRuleset(ctx context.Context, nsPath, ruleset string) error {
	cmd := exec.CommandContext(ctx, "nsenter", "--net="+nsPath, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("vpcnet: nft -f in %s: %v: %s", nsPath, err, out)
	}
	return nil
}
