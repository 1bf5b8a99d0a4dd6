package emulator

import (
	"net/http"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// registerTopologyAdmin adds the topology to the admin API:
//
//	GET /v1/topology    the current topology, with every change made at
//	                    run time, as a topology file (s3vpce topology export)
func (s *Server) registerTopologyAdmin(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/topology", func(w http.ResponseWriter, r *http.Request) {
		data, err := vpce.MarshalTopology(s.Topology())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	})
}
