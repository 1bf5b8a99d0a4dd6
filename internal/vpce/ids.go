package vpce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Resource ID prefixes, as EC2 writes them.
const (
	PrefixVPC      = "vpc"
	PrefixSubnet   = "subnet"
	PrefixGroup    = "sg"
	PrefixRTB      = "rtb"
	PrefixIGW      = "igw"
	PrefixPeering  = "pcx"
	PrefixInstance = "i"
	PrefixEndpoint = "vpce"
	PrefixENI      = "eni"
)

// ValidResourceID reports whether id is prefix, "-" and 8 or 17 lower-case
// hex digits: EC2's resource ID formats (17 since 2018, 8 before).
func ValidResourceID(prefix, id string) bool {
	h, ok := strings.CutPrefix(id, prefix+"-")
	if !ok || (len(h) != 17 && len(h) != 8) {
		return false
	}
	for i := range len(h) {
		if !isHex(h[i]) {
			return false
		}
	}
	return true
}

// NewID makes a random resource ID: prefix, "-" and 17 hex digits.
func NewID(prefix string) string {
	var b [9]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

// NewDNSSuffix makes a random 8-character DNS suffix for an interface
// endpoint's names (lower-case letters and digits).
func NewDNSSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [8]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// derivedID is a stable ID for a resource the topology does not name (an
// endpoint's network interface): prefix and 17 hex digits of a hash of
// what it belongs to.
func derivedID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + "-" + hex.EncodeToString(h.Sum(nil))[:17]
}
