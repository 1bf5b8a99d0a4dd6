package emulator

import (
	"errors"
	"net"
	"net/http"
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
	capped := ln
	if s.maxConns > 0 {
		capped = newConnLimiter(ln, s.maxConns, s.log)
	}
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		err := s.http.Serve(capped)
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.log.Error("http listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return nil
}
