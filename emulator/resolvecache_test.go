package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestTopologyChangeSeenByNextRequest checks that the Host resolution kept
// per topology never outlives it: after SetTopology the very next request
// to the same Host is decided by the new endpoint (its policy, its
// absence, its return).
func TestTopologyChangeSeenByNextRequest(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"b"}})
	host := strings.TrimPrefix(srv.URL(), "https://")
	orig := srv.Topology()
	deny := orig.Spec()
	deny.Endpoints[0].Policy = `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	renamed := orig.Spec() // the endpoint of host gone, another in its place
	renamed.Endpoints[0].DNSSuffix = "abcdefgh"
	steps := []struct {
		name     string
		spec     *vpce.Spec
		wantCode int
	}{
		{"seed", nil, http.StatusOK},
		{"policy denies", &deny, http.StatusForbidden},
		{"endpoint renamed away", &renamed, http.StatusBadRequest},
		{"endpoint back", nil, http.StatusOK},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			topo := orig
			if st.spec != nil {
				var err error
				if topo, err = vpce.Build(*st.spec); err != nil {
					t.Fatal(err)
				}
			}
			if err := srv.SetTopology(topo); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the first request fills the cache, the second reads it
				r := httptest.NewRequest(http.MethodGet, "https://"+host+"/b/", nil)
				sign(t, r, time.Now())
				w := httptest.NewRecorder()
				srv.Handler().ServeHTTP(w, r)
				if w.Code != st.wantCode {
					t.Fatalf("GET /b/: %d %s, want %d", w.Code, w.Body.String(), st.wantCode)
				}
			}
		})
	}
}
