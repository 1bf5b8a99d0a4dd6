// Package ec2api is the EC2 Query API of the emulated account: the VPC
// endpoint actions (CreateVpcEndpoint, DescribeVpcEndpoints, …) and the VPC
// network actions (DescribeVpcs, AuthorizeSecurityGroupIngress, CreateRoute,
// …) over the topology. Reads see one immutable vpce.Topology; every change
// goes through Backend.UpdateTopology, which builds, saves and swaps in a
// new one, so that DNS, certificates, the request gate and the network
// follow on the next packet.
//
// Requests are form-encoded (Action=…&Version=2016-11-15), as the aws CLI
// and the SDKs send them; responses are EC2's XML shapes, errors
// <Response><Errors><Error>… with the request ID. Authentication (SigV4
// with service "ec2") is the caller's: Serve gets an authenticated Request.
package ec2api
