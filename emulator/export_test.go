package emulator

// SetGateOff turns the whole gate (SigV4 and policies) off, leaving Host
// routing, body decoding, the S3 layer and the store: the "same listener
// with the gate off" baseline of BenchmarkObjectOps.
func SetGateOff(s *Server) { s.gateOff = true }
