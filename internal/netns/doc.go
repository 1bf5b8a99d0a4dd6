// Package netns runs a command in a private network and mount namespace in
// which an emulated VPC's addresses exist: the endpoint ENI addresses and
// the VPC resolver address are assigned to the namespace's loopback, its
// /etc/resolv.conf names the resolver, and listening sockets for HTTPS (443)
// and DNS (53) are opened inside it and handed back to the parent process,
// which serves on them. Nothing on the host changes.
//
// The addresses can change while the command runs: Cmd.Update makes the
// loopback hold a new set and opens DNS sockets on new resolver addresses.
//
// The parent calls Start; the child side runs in a re-executed copy of the
// program, which must call Init when it sees InitArg as its first argument.
//
// Linux only; needs root or unprivileged user namespaces.
package netns
