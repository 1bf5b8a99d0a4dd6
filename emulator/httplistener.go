package emulator

import (
	"errors"
	"net"
)

// ServeHTTPListener serves plain HTTP on an extra listener, such as public
// S3's port 80 inside a network namespace, with the same handler,
// timeouts and per-source connection cap as ServeListener. It stops when
// ln is closed or the Server is.
func (s *Server) ServeHTTPListener(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("emulator: server is closed")
	}
	s.serveOn(ln, false)
	return nil
}
