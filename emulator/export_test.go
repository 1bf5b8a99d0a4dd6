package emulator

// SetGateOff turns the whole gate (SigV4 and policies) off, leaving Host
// routing, body decoding, s3compat and gofakes3: the "same listener with
// the gate off" baseline of BenchmarkObjectOps.
func SetGateOff(s *Server) { s.gateOff = true }
