package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Group commit of the dir engine (docs/store.md, "Group commit and the
// log"). Updates that arrive while a group is being formed wait and form
// the next group. Forming is serial: a group's updates run one after
// another over every group formed before it (published or not), so each
// sees the ones before it and a conditional check stays atomic; its
// writes are then written to the log as one record. Syncing is not: the
// group's own caller fdatasyncs while the next group forms and writes, so
// up to maxFlight groups are in flight. A sync makes durable every record
// written before it began; groups are published (laid on the active
// memtable for readers) and acknowledged in order, once durable. When a
// write or sync fails, every group not yet published fails with it: later
// groups were formed over it, and the log is cut back to the first of
// them.

// dirUpdate is one caller's update.
type dirUpdate struct {
	fn    func(t kvTx) error
	err   error
	grp   *group        // set when taken into a group
	acked bool          // err is final
	wake  chan struct{} // signalled when acked or when it may form a group
}

func (r *dirUpdate) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// group is a batch of updates on its way to the log.
type group struct {
	seq     uint64
	updates []*dirUpdate
	top     *memtable // its writes; nil when it wrote nothing (no record)
	off     int64     // where its record starts in the segment
}

// update runs fn in a write transaction shared with the updates that
// arrived while the previous group was forming. One that fails is undone
// (an undo log of its writes) without touching the others. It returns once
// its group is durable, or failed.
func (k *dirKV) update(fn func(t kvTx) error) error {
	r := &dirUpdate{fn: fn, wake: make(chan struct{}, 1)}
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return errClosed
	}
	k.inflight.Add(1)
	defer k.inflight.Done()
	k.pending = append(k.pending, r)
	for {
		switch {
		case r.acked:
			k.mu.Unlock()
			return r.err
		case r.grp == nil && k.canForm():
			// Form the group of everything pending.
			g := &group{updates: k.pending}
			k.pending = nil
			for _, u := range g.updates {
				u.grp = g
			}
			k.forming = true
			k.mu.Unlock()
			k.form(g)
			k.mu.Lock()
		default:
			k.mu.Unlock()
			<-r.wake
			k.mu.Lock()
		}
	}
}

// canForm says whether a pending update may form the next group now.
func (k *dirKV) canForm() bool { return !k.forming && len(k.flight) < k.maxFlight }

// kick wakes the longest waiting update if it may form a group.
func (k *dirKV) kick() {
	if len(k.pending) > 0 && k.canForm() {
		k.pending[0].signal()
	}
}

// form runs g's updates, writes its record and syncs it; its caller holds
// the forming role, which form hands on once the record is written.
func (k *dirKV) form(g *group) {
	k.checkpointIfFull()
	k.mu.Lock()
	epoch := k.epoch
	top := newMemtable()
	tx, layers, err := k.snapshot(top)
	k.mu.Unlock()
	if err == nil {
		err = k.runGroup(g, tx, layers)
	}
	var rec []byte
	if err == nil && top.n > 0 {
		g.top = top
		rec, err = encodeLogRecord(top.ops())
	}

	k.mu.Lock()
	k.forming = false
	k.groups++
	k.updates += int64(len(g.updates))
	switch {
	case err != nil:
	case k.epoch != epoch:
		// A group it was formed over failed.
		err = fmt.Errorf("store: an earlier group failed: %w", k.failErr)
	default:
		k.seq++
		g.seq = k.seq
		if rec != nil {
			g.off = k.wal.size
			err = k.wal.write(rec)
		}
	}
	if err != nil {
		// Nothing of g is in the log or any layer: it fails alone.
		ackGroup(g, err)
		k.kick()
		k.mu.Unlock()
		return
	}
	k.flight = append(k.flight, g)
	wal := k.wal
	if rec != nil {
		wal.syncing.Add(1) // before the flight can drain and the segment close
	}
	k.publish()
	k.kick()
	k.mu.Unlock()
	if rec == nil {
		return
	}

	err = wal.sync(k.syncData)
	wal.syncing.Done()
	k.mu.Lock()
	if err == nil {
		k.synced = max(k.synced, g.seq)
		k.publish()
	} else {
		// Conservative: the groups formed after g failed too; and if a
		// later sync covered g already, g stays published (that sync,
		// through a file of its own, would have seen g's records fail).
		k.failFlight(err)
	}
	k.kick()
	k.mu.Unlock()
}

// runGroup runs g's updates over the layers and bbolt's read transaction.
func (k *dirKV) runGroup(g *group, tx *bolt.Tx, layers []*memtable) (err error) {
	defer k.guard(&err)
	err = runBatch(g.updates, &layerTx{layers: layers, base: boltTx{tx}})
	// The read transaction ends before the layers are locked again: a
	// checkpoint's commit may be waiting for it to remap the file. Nothing
	// in top refers to its pages (layerTx.put copies).
	_ = tx.Rollback()
	if err != nil {
		return fmt.Errorf("store: %s: undoing a failed update: %w", k.path, err)
	}
	return nil
}

// publish lays the durable groups at the head of the flight on the active
// memtable, in order, and acknowledges their updates. k.mu is held.
func (k *dirKV) publish() {
	for len(k.flight) > 0 {
		g := k.flight[0]
		if g.top != nil && g.seq > k.synced {
			break
		}
		k.flight = k.flight[1:]
		if g.top != nil {
			// Readers hold the active memtable as it was when they began:
			// it never changes once published; the next one is a copy
			// (copied on write: a group copies only the nodes it changes).
			next := k.active.clone()
			next.merge(g.top)
			k.lmu.Lock()
			k.active = next
			k.lmu.Unlock()
		}
		ackGroup(g, nil)
	}
	k.noteDrained()
}

// failFlight fails every group not yet published and cuts the log back
// to the first of their records. k.mu is held.
func (k *dirKV) failFlight(err error) {
	if len(k.flight) == 0 {
		return
	}
	off := int64(-1)
	for _, g := range k.flight {
		if g.top != nil && off < 0 {
			off = g.off
		}
		ackGroup(g, err)
	}
	k.flight = nil
	k.epoch++
	k.failErr = err
	if off >= 0 {
		if cerr := k.wal.cutBack(off); cerr != nil {
			k.log.Warn("store: clearing failed log records", "error", cerr)
		}
	}
	k.noteDrained()
}

func (k *dirKV) noteDrained() {
	if len(k.flight) == 0 && k.drained != nil {
		close(k.drained)
		k.drained = nil
	}
}

// ackGroup gives each update of g its result (err, unless it failed on
// its own) and wakes its caller.
func ackGroup(g *group, err error) {
	for _, u := range g.updates {
		if err != nil && u.err == nil {
			u.err = err
		}
		u.acked = true
		u.signal()
	}
}

// runBatch runs each update in lt, undoing one that fails alone.
func runBatch(batch []*dirUpdate, lt *layerTx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	for _, r := range batch {
		ut := &undoTx{kvTx: lt}
		if r.err = r.fn(ut); r.err != nil {
			if err := ut.rollback(); err != nil {
				return err
			}
		}
	}
	return nil
}

// snapshot begins a bbolt read transaction and takes the layers over it,
// together, so no checkpoint or publication falls between: top (if any)
// first, then (for a group, k.mu held) the groups in flight, newest first,
// then the active memtable, then the frozen one.
func (k *dirKV) snapshot(top *memtable) (*bolt.Tx, []*memtable, error) {
	layers := make([]*memtable, 0, 3+len(k.flight))
	if top != nil {
		layers = append(layers, top)
		for i := len(k.flight) - 1; i >= 0; i-- {
			if t := k.flight[i].top; t != nil {
				layers = append(layers, t)
			}
		}
	}
	k.lmu.Lock()
	if k.active != nil && k.active.n > 0 {
		layers = append(layers, k.active)
	}
	if k.frozen != nil {
		layers = append(layers, k.frozen)
	}
	tx, err := k.db.Begin(false)
	k.lmu.Unlock()
	if err != nil {
		return nil, nil, k.boltErr("reading", err)
	}
	return tx, layers, nil
}

// checkpointIfFull freezes the active memtable once it is large enough
// and no checkpoint is under way: later groups go to a new segment, and
// the checkpointer writes the frozen groups to bbolt. It first waits for
// the groups in flight (a sync covers only its own segment). Its caller
// holds the forming role, so no group joins the flight meanwhile.
func (k *dirKV) checkpointIfFull() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.active.size < k.checkpointBytes {
		return
	}
	k.lmu.Lock()
	busy := k.frozen != nil
	k.lmu.Unlock()
	if !busy {
		for len(k.flight) > 0 {
			ch := make(chan struct{})
			k.drained = ch
			k.mu.Unlock()
			<-ch
			k.mu.Lock()
		}
		next, err := createSegment(k.walDir, k.wal.seg+1)
		if err != nil {
			k.log.Warn("store: starting a log segment", "error", err)
			return
		}
		old := k.wal
		k.lmu.Lock()
		k.frozen, k.frozenSeg, k.active = k.active, old.seg, newMemtable()
		k.lmu.Unlock()
		k.wal = next
		if err := old.close(); err != nil {
			k.log.Warn("store: closing a log segment", "error", err)
		}
	}
	// Busy: a checkpoint that failed is retried.
	select {
	case k.flushReq <- struct{}{}:
	default:
	}
}
