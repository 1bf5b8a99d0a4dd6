package netns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
)

// AddrSet is the set of addresses a namespace's loopback should hold: the
// endpoint ENI addresses and the VPC resolver addresses. It travels as an
// addrs message from serve to exec (internal/attach) and from exec to the
// namespace's init.
type AddrSet struct {
	Addrs     []netip.Addr `json:"addrs"`
	Resolvers []netip.Addr `json:"resolvers"`
}

// MaxAddrs bounds the addresses of one AddrSet, so that its message fits
// one datagram of a Unix socket (about 170 KB of IPv6 text at most).
const MaxAddrs = 4096

// MaxAddrsMessage is the largest addrs message a reader needs room for.
const MaxAddrsMessage = 256 << 10

// addrsPrefix starts an addrs message; JSON of an AddrSet follows. Fields
// a newer sender adds to the JSON are ignored.
const addrsPrefix = "addrs "

// Validate reports the first address that cannot be put on a namespace's
// loopback: an invalid one, one with a zone, an IPv4-mapped IPv6 one, an
// unspecified, loopback, multicast or link-local one; or too many.
func (s AddrSet) Validate() error {
	if n := len(s.Addrs) + len(s.Resolvers); n > MaxAddrs {
		return fmt.Errorf("netns: %d addresses, at most %d", n, MaxAddrs)
	}
	for _, list := range []struct {
		name  string
		addrs []netip.Addr
	}{{"addrs", s.Addrs}, {"resolvers", s.Resolvers}} {
		for i, a := range list.addrs {
			if err := checkAddr(a); err != nil {
				return fmt.Errorf("netns: %s[%d]: %w", list.name, i, err)
			}
		}
	}
	return nil
}

func checkAddr(a netip.Addr) error {
	switch {
	case !a.IsValid():
		return errors.New("no address")
	case a.Zone() != "":
		return fmt.Errorf("%s: an address with a zone", a)
	case a.Is4In6():
		return fmt.Errorf("%s: an IPv4-mapped address (write it as IPv4)", a)
	case a.IsUnspecified(), a.IsLoopback(), a.IsMulticast(), a.IsLinkLocalUnicast(), a.IsInterfaceLocalMulticast():
		return fmt.Errorf("%s: not an address for an ENI or a resolver", a)
	}
	return nil
}

// all is the union of Addrs and Resolvers.
func (s AddrSet) all() map[netip.Addr]bool {
	m := make(map[netip.Addr]bool, len(s.Addrs)+len(s.Resolvers))
	for _, a := range s.Addrs {
		m[a] = true
	}
	for _, a := range s.Resolvers {
		m[a] = true
	}
	return m
}

// AppendAddrsMessage appends the addrs message of s to b.
func AppendAddrsMessage(b []byte, s AddrSet) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	j, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("netns: encode addresses: %w", err)
	}
	return append(append(b, addrsPrefix...), j...), nil
}

// IsAddrsMessage reports whether b is meant as an addrs message (it may
// still be malformed: ParseAddrsMessage says).
func IsAddrsMessage(b []byte) bool { return bytes.HasPrefix(b, []byte(addrsPrefix)) }

// ParseAddrsMessage decodes an addrs message. Anything else, malformed
// JSON, trailing data or an address Validate refuses is an error.
func ParseAddrsMessage(b []byte) (AddrSet, error) {
	j, ok := bytes.CutPrefix(b, []byte(addrsPrefix))
	if !ok {
		return AddrSet{}, errors.New("netns: not an addrs message")
	}
	if !bytes.HasPrefix(j, []byte("{")) {
		return AddrSet{}, errors.New("netns: addrs message: want a JSON object")
	}
	var s AddrSet
	dec := json.NewDecoder(bytes.NewReader(j))
	if err := dec.Decode(&s); err != nil {
		return AddrSet{}, fmt.Errorf("netns: addrs message: %w", err)
	}
	if len(bytes.TrimSpace(j[dec.InputOffset():])) > 0 {
		return AddrSet{}, errors.New("netns: addrs message: data after the JSON object")
	}
	if err := s.Validate(); err != nil {
		return AddrSet{}, err
	}
	return s, nil
}
