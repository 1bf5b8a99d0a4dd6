package vpce

import "github.com/s3vpce/s3vpce/internal/bounded"

// maxResolved bounds a Topology's cache of resolved Host values: once it
// holds this many, further names are resolved every time, so random Host
// headers cannot grow it.
const maxResolved = 1024

// resolveCache remembers the successful resolutions of one Topology, by
// Host header value. The Topology is immutable, so an entry never goes
// stale: a topology changed at run time is a new Topology with an empty
// cache.
type resolveCache = bounded.Map[string, resolved]

type resolved struct {
	h Host
	e *Endpoint
}

func newResolveCache() *resolveCache { return bounded.New[string, resolved](maxResolved) }

// cached reports how many resolutions t keeps (for tests).
func (t *Topology) cached() int { return t.resolved.Len() }
