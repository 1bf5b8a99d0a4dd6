// Package vpcnet decides what an instance of the emulated VPC can reach,
// from the topology alone: security groups (the destination's ingress and
// the instance's egress), route tables (local, peering, internet gateway,
// the S3 gateway endpoint's prefix-list route) and the VPC resolver. The
// same decisions drive the network filter of `s3vpce exec --instance`
// (Ruleset, for nftables in the namespace that holds the emulated
// addresses) and the in-process fixture's dialer (Decide), so that a test
// without namespaces sees what a real client in the namespace sees.
package vpcnet
