// Package netns runs a command in a private network and mount namespace in
// which an emulated VPC's addresses exist: the endpoint ENI addresses and
// the VPC resolver address are assigned to the namespace's loopback, its
// /etc/resolv.conf names the resolver, and listening sockets for HTTPS (443)
// and DNS (53) are opened inside it and handed back to the parent process,
// which serves on them. Nothing on the host changes.
//
// With Config.Instance the command runs as an instance of the VPC instead:
// in a network (and UTS) namespace of its own whose eth0, the instance's
// address, is one end of a veth pair; the other end is in the namespace
// above, the router, which holds the addresses and sockets. The command's
// packets then reach them from the instance's address, through an
// interface a packet filter in the router namespace (Cmd.RouterNS) can
// match. Both namespaces go when the command ends, however it ends.
//
// The addresses can change while the command runs: Cmd.Update makes the
// loopback hold a new set and opens DNS sockets on new resolver addresses.
//
// The parent calls Start; the child side runs in a re-executed copy of the
// program, which must call Init when it sees InitArg as its first argument.
//
// Linux only; needs root or unprivileged user namespaces.
package netns
