package vpce

import "strings"

func isHex(c byte) bool   { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }
func isAlnum(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' }

// validID reports whether id is "vpce-" followed by 8 or 17 lower-case hex digits.
func validID(id string) bool {
	hex, ok := strings.CutPrefix(id, "vpce-")
	if !ok || (len(hex) != 17 && len(hex) != 8) {
		return false
	}
	for i := range len(hex) {
		if !isHex(hex[i]) {
			return false
		}
	}
	return true
}

// validSuffix reports whether s is 8 lower-case letters or digits.
func validSuffix(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := range len(s) {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// validLabel reports whether s is a non-empty DNS label of lower-case
// letters, digits and inner hyphens.
func validLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := range len(s) {
		if !isAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// validRegion reports whether s looks like an AWS region: letters and
// digits in hyphen-separated parts ending in a number, e.g. us-east-1.
func validRegion(s string) bool {
	if !validLabel(s) {
		return false
	}
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
	}
	if c := parts[0][0]; c < 'a' || c > 'z' {
		return false
	}
	last := parts[len(parts)-1]
	for i := range len(last) {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// validAccount reports whether s is a 12-digit AWS account ID.
func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
