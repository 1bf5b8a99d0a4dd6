package vpce

import (
	"sync"
	"sync/atomic"
)

// maxResolved bounds a Topology's cache of resolved Host values: once it
// holds this many, further names are resolved every time, so random Host
// headers cannot grow it.
const maxResolved = 1024

// resolveCache remembers the successful resolutions of one Topology. The
// Topology is immutable, so an entry never goes stale: a topology changed
// at run time is a new Topology with an empty cache.
type resolveCache struct {
	m sync.Map // Host header value → resolved
	n atomic.Int32
}

type resolved struct {
	h Host
	e *Endpoint
}

// load returns the cached resolution of hostport, if any.
func (c *resolveCache) load(hostport string) (Host, *Endpoint, bool) {
	if c == nil {
		return Host{}, nil, false
	}
	v, ok := c.m.Load(hostport)
	if !ok {
		return Host{}, nil, false
	}
	r := v.(*resolved)
	return r.h, r.e, true
}

// store keeps a successful resolution while the cache has room.
func (c *resolveCache) store(hostport string, h Host, e *Endpoint) {
	if c == nil || c.n.Load() >= maxResolved {
		return
	}
	if _, loaded := c.m.LoadOrStore(hostport, &resolved{h: h, e: e}); !loaded {
		c.n.Add(1)
	}
}

// cached reports how many resolutions t keeps (for tests).
func (t *Topology) cached() int { return int(t.resolved.n.Load()) }
