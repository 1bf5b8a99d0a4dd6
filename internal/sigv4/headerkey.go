package sigv4

import "net/http"

// headerValues is h.Values(name) for a signed header name, which clients
// send in lower case: it puts the name in canonical MIME form on the stack
// and reads the map directly, where h.Values allocates the canonical key
// of every name not among net/textproto's common headers. Names with
// anything but ASCII letters, digits and '-' take h.Values itself.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) == 0 || len(name) > len(buf) {
		return h.Values(name)
	}
	upper := true
	for i := range len(name) {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case c >= 'A' && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case c >= '0' && c <= '9', c == '-':
		default:
			return h.Values(name)
		}
		buf[i] = c
		upper = c == '-'
	}
	return h[string(buf[:len(name)])]
}
