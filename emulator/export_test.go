package emulator

import "net/http"

// SetGateOff turns the whole gate (SigV4 and policies) off, leaving Host
// routing, body decoding, the S3 layer and the store: the "same listener
// with the gate off" baseline of BenchmarkObjectOps.
func SetGateOff(s *Server) { s.gateOff = true }

// GateOnly runs the gate alone (Host classification, SigV4, operation,
// endpoint and bucket policies) on r, for allocation benchmarks.
func GateOnly(s *Server, r *http.Request) error {
	if e := s.gate(r, s.snap.Load(), &DecisionRecord{}, s.now()); e != nil {
		return e
	}
	return nil
}
