package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/sys/unix"
)

// The dir engine. Layout under the root (docs/store.md):
//
//	LOCK              flock'ed while open; holds the owner's PID
//	meta.db           bbolt: every record (tables as bbolt buckets), and
//	                  bodies of up to 16 KiB (tableInline)
//	tmp/<id>          bodies being written
//	blobs/xx/<id>     committed larger bodies (xx: the ID's first two characters)
const (
	lockName  = "LOCK"
	metaName  = "meta.db"
	tmpName   = "tmp"
	blobsName = "blobs"
)

// OpenDir opens (creating if needed) the dir store rooted at dir: it takes
// the lock file (ErrLocked if another process holds it), checks the format
// number (ErrUnsupportedFormat), validates the metadata (ErrCorrupt with the
// path), and sweeps temporary files and bodies no committed record names.
func OpenDir(dir string, opts Options) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, ioError("creating the store directory", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := openLocked(dir, opts)
	if err != nil {
		_ = unlock()
		return nil, err
	}
	s.release = unlock
	return s, nil
}

func openLocked(dir string, opts Options) (*Store, error) {
	metaPath := filepath.Join(dir, metaName)
	blobsDir := filepath.Join(dir, blobsName)
	fresh := false
	switch fi, err := os.Stat(metaPath); {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0):
		fresh = true
		// Never start empty over bodies a lost database named: the sweep
		// would delete them all.
		if n, _ := countFiles(blobsDir); n > 0 {
			return nil, fmt.Errorf("%w: %s is missing or empty but %s holds %d bodies", ErrCorrupt, metaPath, blobsDir, n)
		}
	case err != nil:
		return nil, ioError("reading", metaPath, err)
	}
	db, err := openBolt(metaPath)
	if err != nil {
		return nil, err
	}
	k := &dirKV{db: db, path: metaPath, walDir: filepath.Join(dir, walName), log: opts.Logger}
	if k.log == nil {
		k.log = slog.New(slog.DiscardHandler)
	}
	if err := k.init(fresh); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := k.recover(); err != nil {
		_ = db.Close()
		return nil, err
	}
	for _, d := range []string{filepath.Join(dir, tmpName), blobsDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			_ = db.Close()
			return nil, ioError("creating", d, err)
		}
	}
	b := &dirBlobs{tmp: filepath.Join(dir, tmpName), root: blobsDir}
	s := newStore("dir", dir, metaPath, k, b, opts)
	if err := s.sweep(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openBolt opens the database, turning every sign of a damaged file
// (bbolt's own errors, and the panics it raises on some garbage) into
// ErrCorrupt.
func openBolt(path string) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is locked by another process", ErrLocked, path)
	}
	// bbolt reports a file too short for its pages as a plain error.
	if strings.Contains(err.Error(), "file size too small") || strings.Contains(err.Error(), "mmap") {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return nil, ioError("opening", path, err)
}

// ioError wraps a file system error with what was being done and where,
// adding ErrNoSpace when the disk is full.
func ioError(what, path string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("store: %s %s: %w: %w", what, path, ErrNoSpace, err)
	}
	return fmt.Errorf("store: %s %s: %w", what, path, err)
}

// lockDir takes dir's lock file, returning its release.
func lockDir(dir string) (func() error, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, ioError("opening the lock file", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			holder := "another process"
			if b, rerr := os.ReadFile(path); rerr == nil {
				if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
					holder = fmt.Sprintf("process %d", pid)
				}
			}
			return nil, fmt.Errorf("%w: %s is used by %s (lock %s)", ErrLocked, dir, holder, path)
		}
		return nil, ioError("locking", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() error {
		uerr := unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return errors.Join(uerr, f.Close())
	}, nil
}

// dirKV is the kv over bbolt (one bbolt bucket per table) and the
// write-ahead log (dirlog.go): a group of updates is durable once its log
// record is synced; bbolt gets it at the next checkpoint, and until then
// reads find it in the memtables layered over bbolt (diroverlay.go).
type dirKV struct {
	db     *bolt.DB
	path   string
	walDir string
	log    *slog.Logger

	mu         sync.Mutex
	pending    []*dirUpdate // updates waiting for the next commit
	committing bool         // a caller is committing; it takes pending next
	closed     bool
	inflight   sync.WaitGroup // update calls under way
	wal        *dirLog        // the segment appended to; the committer's

	lmu       sync.Mutex // guards the layer pointers (not their contents: published layers never change)
	active    *memtable  // groups logged since the last checkpoint began
	frozen    *memtable  // groups being checkpointed, or nil
	frozenSeg uint64     // the last segment frozen's groups are in

	checkpointBytes int
	flushReq        chan struct{}
	flushDone       chan struct{}

	groups, updates, checkpoints int64 // counted for the log at close
}

// checkpointBytes is how much the active memtable holds (keys and values)
// before its groups are written to bbolt and their log segment removed.
const checkpointBytes = 8 << 20

// init creates the tables and format number of a fresh database, or
// checks an existing one's.
func (k *dirKV) init(fresh bool) (err error) {
	defer k.guard(&err)
	return k.db.Update(func(tx *bolt.Tx) error { return k.initTx(tx, fresh) })
}

func (k *dirKV) initTx(tx *bolt.Tx, fresh bool) error {
	meta := tx.Bucket([]byte(tableMeta))
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if !fresh && !empty {
			return fmt.Errorf("%w: %s: no format number (found none, expected %d)", ErrUnsupportedFormat, k.path, formatVersion)
		}
		for _, t := range tables {
			if _, err := tx.CreateBucketIfNotExists([]byte(t)); err != nil {
				return fmt.Errorf("store: %s: creating table %s: %w", k.path, t, err)
			}
		}
		return tx.Bucket([]byte(tableMeta)).Put([]byte("format"), []byte(strconv.Itoa(formatVersion)))
	}
	raw := meta.Get([]byte("format"))
	found, err := strconv.Atoi(string(raw))
	if err != nil {
		return fmt.Errorf("%w: %s: format number %q unreadable", ErrCorrupt, k.path, raw)
	}
	if found == 1 {
		// Format 2 added the inline table; a format 1 store is a format 2
		// store without inline bodies.
		if _, err := tx.CreateBucketIfNotExists([]byte(tableInline)); err != nil {
			return fmt.Errorf("store: %s: upgrading format 1: %w", k.path, err)
		}
		found = 2
	}
	if found == 2 {
		// Format 3 added the log; a format 2 store is a format 3 store
		// with an empty log. The new number keeps binaries that would
		// ignore the log away.
		if err := meta.Put([]byte("format"), []byte(strconv.Itoa(formatVersion))); err != nil {
			return fmt.Errorf("store: %s: upgrading format 2: %w", k.path, err)
		}
		found = formatVersion
	}
	if found != formatVersion {
		return fmt.Errorf("%w: %s: format %d found, %d expected", ErrUnsupportedFormat, k.path, found, formatVersion)
	}
	for _, t := range addedTables {
		if _, err := tx.CreateBucketIfNotExists([]byte(t)); err != nil {
			return fmt.Errorf("store: %s: creating table %s: %w", k.path, t, err)
		}
	}
	for _, t := range tables {
		if tx.Bucket([]byte(t)) == nil {
			return fmt.Errorf("%w: %s: table %s missing", ErrCorrupt, k.path, t)
		}
	}
	return nil
}

// recover replays the log into bbolt (a crash left groups there that
// bbolt may lack: replaying one bbolt has is harmless, each operation
// writes a key's value as of its group), removes its segments and starts
// a new one and the checkpointer.
func (k *dirKV) recover() (err error) {
	if err := os.MkdirAll(k.walDir, 0o755); err != nil {
		return ioError("creating", k.walDir, err)
	}
	groups, segs, err := readSegments(k.walDir)
	if err != nil {
		return err
	}
	next := uint64(1)
	if len(segs) > 0 {
		last := segs[len(segs)-1]
		var ops []logOp
		for _, g := range groups {
			ops = append(ops, g...)
		}
		if err := k.apply(ops); err != nil {
			return err
		}
		if err := removeLogSegments(k.walDir, last); err != nil {
			return err
		}
		k.log.Info("store: replayed the log", "dir", k.walDir, "segments", len(segs), "groups", len(groups), "writes", len(ops))
		next = last + 1
	}
	if k.wal, err = createSegment(k.walDir, next); err != nil {
		return err
	}
	k.active = newMemtable()
	k.checkpointBytes = checkpointBytes
	k.flushReq = make(chan struct{}, 1)
	k.flushDone = make(chan struct{})
	go k.checkpointer()
	return nil
}

// apply writes logged operations to bbolt in one synced transaction.
func (k *dirKV) apply(ops []logOp) (err error) {
	defer k.guard(&err)
	err = k.db.Update(func(tx *bolt.Tx) error {
		t := boltTx{tx}
		for _, op := range ops {
			var err error
			if op.del {
				err = t.del(op.table, op.key)
			} else {
				err = t.put(op.table, op.key, op.val)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return k.boltErr("writing the log to", err)
}

// boltErr maps bbolt's errors to the store's.
func (k *dirKV) boltErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return errClosed
	case errors.Is(err, ErrCorrupt):
		return err
	}
	return ioError(what, k.path, err)
}

// guard turns a panic inside bbolt (it panics on some damaged pages)
// into ErrCorrupt.
func (k *dirKV) guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s: %v", ErrCorrupt, k.path, r)
	}
}

// update runs fn in a write transaction shared with the updates that
// arrived while the previous group was syncing (group commit: one log
// record, one fdatasync, for the lot). The updates run one after another
// in the transaction, so each sees the ones before it; one that fails is
// undone (an undo log of its writes) without touching the others.
func (k *dirKV) update(fn func(t kvTx) error) error {
	r := &dirUpdate{fn: fn, done: make(chan struct{})}
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return errClosed
	}
	k.inflight.Add(1)
	defer k.inflight.Done()
	k.pending = append(k.pending, r)
	if k.committing {
		k.mu.Unlock()
		<-r.done
		if !r.lead {
			return r.err
		}
		k.mu.Lock() // handed the commit; r is still pending
	}
	k.committing = true
	batch := k.pending
	k.pending = nil
	k.mu.Unlock()
	k.commit(batch, r)
	// Whoever waits longest commits the next group: this caller returns
	// now rather than committing for others.
	k.mu.Lock()
	if len(k.pending) > 0 {
		next := k.pending[0]
		next.lead = true
		close(next.done)
	} else {
		k.committing = false
	}
	k.mu.Unlock()
	return r.err
}

// dirUpdate is one caller's update waiting for a commit.
type dirUpdate struct {
	fn   func(t kvTx) error
	err  error
	done chan struct{} // closed when err is set, or (lead) to hand over the commit
	lead bool          // the update's caller is to commit the pending group
}

// commit runs a batch of updates as one group, for its caller's update
// self, and wakes the other callers.
func (k *dirKV) commit(batch []*dirUpdate, self *dirUpdate) {
	err := k.commitGroup(batch)
	for _, r := range batch {
		if err != nil && r.err == nil {
			r.err = err
		}
		if r != self {
			close(r.done)
		}
	}
}

// commitGroup runs the batch over a fresh memtable, logs what it wrote,
// and then (durable) lays it on the active memtable for every reader.
func (k *dirKV) commitGroup(batch []*dirUpdate) (err error) {
	defer k.guard(&err)
	top := newMemtable()
	tx, layers, err := k.snapshot(top)
	if err != nil {
		return err
	}
	err = runBatch(batch, &layerTx{layers: layers, base: boltTx{tx}})
	// The read transaction ends before the layers are locked: a
	// checkpoint's commit may be waiting for it to remap the file, and a
	// reader holding the lock may be waiting for that commit. Nothing in
	// top refers to its pages (layerTx.put copies).
	_ = tx.Rollback()
	if err != nil {
		return fmt.Errorf("store: %s: undoing a failed update: %w", k.path, err)
	}
	k.groups++
	k.updates += int64(len(batch))
	if top.n == 0 {
		return nil
	}
	if err := k.wal.append(top.ops()); err != nil {
		return err
	}
	// Readers hold the active memtable as it was when they began: it is
	// never changed once published, the next one is a copy (copied on
	// write, so a group copies only the tree nodes it changes).
	next := k.active.clone()
	next.merge(top)
	k.lmu.Lock()
	k.active = next
	k.lmu.Unlock()
	// The group is durable: what follows cannot fail it.
	k.maybeCheckpoint()
	return nil
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
// together, so no checkpoint falls between: top (if any) first, then the
// active memtable, then the frozen one.
func (k *dirKV) snapshot(top *memtable) (*bolt.Tx, []*memtable, error) {
	layers := make([]*memtable, 0, 3)
	if top != nil {
		layers = append(layers, top)
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

// maybeCheckpoint freezes the active memtable once it is large enough and
// no checkpoint is under way: later groups go to a new segment, and the
// checkpointer writes the frozen groups to bbolt.
func (k *dirKV) maybeCheckpoint() {
	if k.active.size < k.checkpointBytes {
		return
	}
	k.lmu.Lock()
	busy := k.frozen != nil
	k.lmu.Unlock()
	if !busy {
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

// checkpointer writes frozen memtables to bbolt until close.
func (k *dirKV) checkpointer() {
	defer close(k.flushDone)
	for range k.flushReq {
		if err := k.checkpoint(); err != nil {
			k.log.Warn("store: checkpoint failed (the log keeps the writes; retried)", "error", err)
		}
	}
}

// checkpoint writes the frozen memtable to bbolt, then drops it and
// removes the log segments it came from.
func (k *dirKV) checkpoint() error {
	k.lmu.Lock()
	f, seg := k.frozen, k.frozenSeg
	k.lmu.Unlock()
	if f == nil {
		return nil
	}
	if err := k.apply(f.ops()); err != nil {
		return err
	}
	k.lmu.Lock()
	k.frozen = nil
	k.checkpoints++
	k.lmu.Unlock()
	return removeLogSegments(k.walDir, seg)
}

// undoTx records the previous value of every key it writes, so one
// update in a shared transaction can be rolled back alone.
type undoTx struct {
	kvTx
	undo []undoEntry
}

type undoEntry struct {
	table    string
	key, old []byte // old nil: the key was absent
}

func (t *undoTx) remember(table string, key []byte) {
	t.undo = append(t.undo, undoEntry{table: table, key: bytes.Clone(key), old: bytes.Clone(t.get(table, key))})
}

func (t *undoTx) put(table string, key, val []byte) error {
	t.remember(table, key)
	return t.kvTx.put(table, key, val)
}

func (t *undoTx) del(table string, key []byte) error {
	t.remember(table, key)
	return t.kvTx.del(table, key)
}

func (t *undoTx) rollback() error {
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := t.undo[i]
		var err error
		if u.old == nil {
			err = t.kvTx.del(u.table, u.key)
		} else {
			err = t.kvTx.put(u.table, u.key, u.old)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (k *dirKV) view(fn func(t kvTx) error) (err error) {
	defer k.guard(&err)
	tx, layers, err := k.snapshot(nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if len(layers) == 0 {
		return fn(boltTx{tx})
	}
	return fn(&layerTx{layers: layers, base: boltTx{tx}})
}

// close waits for the updates under way, writes what only the log holds
// to bbolt, removes the log and closes the database. When that write
// fails the log stays, to be replayed at the next open.
func (k *dirKV) close() error {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.inflight.Wait()
	if k.flushReq == nil { // recover never ran
		return k.db.Close()
	}
	close(k.flushReq)
	<-k.flushDone
	rest := newMemtable()
	if k.frozen != nil {
		rest.merge(k.frozen)
	}
	rest.merge(k.active)
	err := k.wal.close()
	if rest.n > 0 {
		err = errors.Join(err, k.apply(rest.ops()))
	}
	if err == nil {
		err = removeLogSegments(k.walDir, k.wal.seg)
	}
	k.log.Debug("store: closed", "groups", k.groups, "updates", k.updates, "checkpoints", k.checkpoints)
	return errors.Join(err, k.db.Close())
}

type boltTx struct{ tx *bolt.Tx }

func (t boltTx) bucket(table string) *bolt.Bucket {
	b := t.tx.Bucket([]byte(table))
	if b == nil {
		// init checked every table exists.
		panic("store: no table " + table)
	}
	return b
}

func (t boltTx) get(table string, key []byte) []byte { return t.bucket(table).Get(key) }

func (t boltTx) put(table string, key, val []byte) error {
	if err := t.bucket(table).Put(key, val); err != nil {
		return fmt.Errorf("store: writing %s %q: %w", table, key, err)
	}
	return nil
}

func (t boltTx) del(table string, key []byte) error {
	if err := t.bucket(table).Delete(key); err != nil {
		return fmt.Errorf("store: deleting %s %q: %w", table, key, err)
	}
	return nil
}

func (t boltTx) seek(table string, start []byte, fn func(k, v []byte) bool) error {
	c := t.bucket(table).Cursor()
	var k, v []byte
	if len(start) == 0 {
		k, v = c.First()
	} else {
		k, v = c.Seek(start)
	}
	for ; k != nil; k, v = c.Next() {
		if !fn(k, v) {
			break
		}
	}
	return nil
}

// dirBlobs keeps bodies as files: written under tmp/, synced, renamed into
// blobs/xx/ and the directory synced, before any record names them.
type dirBlobs struct {
	tmp  string
	root string
}

func (b *dirBlobs) path(id string) string {
	return filepath.Join(b.root, id[:2], id)
}

type dirBlobWriter struct {
	b         *dirBlobs
	id        string
	tmpPath   string
	f         *os.File
	committed bool
}

func (b *dirBlobs) create(int64) (blobWriter, error) {
	id := newBlobID()
	p := filepath.Join(b.tmp, id)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, ioError("creating", p, err)
	}
	return &dirBlobWriter{b: b, id: id, tmpPath: p, f: f}, nil
}

func (w *dirBlobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		return n, ioError("writing", w.tmpPath, err)
	}
	return n, nil
}

func (w *dirBlobWriter) commit() (string, error) {
	if err := w.f.Sync(); err != nil {
		return "", ioError("syncing", w.tmpPath, err)
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return "", ioError("closing", w.tmpPath, err)
	}
	sub := filepath.Join(w.b.root, w.id[:2])
	switch err := os.Mkdir(sub, 0o755); {
	case err == nil:
		if err := syncDir(w.b.root); err != nil {
			return "", err
		}
	case !errors.Is(err, fs.ErrExist):
		return "", ioError("creating", sub, err)
	}
	final := filepath.Join(sub, w.id)
	if err := os.Rename(w.tmpPath, final); err != nil {
		return "", ioError("renaming "+w.tmpPath+" to", final, err)
	}
	w.committed = true
	if err := syncDir(sub); err != nil {
		return "", err
	}
	return w.id, nil
}

func (w *dirBlobWriter) abort() {
	if w.f != nil {
		_ = w.f.Close()
		w.f = nil
	}
	if w.committed {
		_ = os.Remove(w.b.path(w.id))
	} else {
		_ = os.Remove(w.tmpPath)
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return ioError("opening", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return ioError("syncing", dir, err)
	}
	return nil
}

func (b *dirBlobs) open(id string) (blobReader, error) {
	if !validBlobID(id) {
		return nil, fmt.Errorf("%w: blob ID %q", ErrCorrupt, id)
	}
	p := b.path(id)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: body %s: %w", p, ErrNoSuchKey)
	}
	if err != nil {
		return nil, ioError("opening", p, err)
	}
	return f, nil
}

func (b *dirBlobs) remove(id string) error {
	if !validBlobID(id) {
		return fmt.Errorf("store: removing blob %q: bad ID", id)
	}
	p := b.path(id)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ioError("removing", p, err)
	}
	return nil
}

// count is the number of committed bodies (for tests).
func (b *dirBlobs) count() (int, error) { return countFiles(b.root) }

// countFiles counts the files in dir's subdirectories.
func countFiles(dir string) (int, error) {
	subs, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, sub := range subs {
		if !sub.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, sub.Name()))
		if err != nil {
			return n, err
		}
		n += len(files)
	}
	return n, nil
}

// sweep removes what a crash left: every file in tmp/, and every body
// under blobs/ no record names. It runs before the store is shared.
func (s *Store) sweep() error {
	b := s.blobs.(*dirBlobs)
	tmps, err := os.ReadDir(b.tmp)
	if err != nil {
		return ioError("reading", b.tmp, err)
	}
	removedTmp := 0
	for _, e := range tmps {
		p := filepath.Join(b.tmp, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return ioError("removing", p, err)
		}
		removedTmp++
	}
	subs, err := os.ReadDir(b.root)
	if err != nil {
		return ioError("reading", b.root, err)
	}
	removed, kept := 0, 0
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		dir := filepath.Join(b.root, sub.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			return ioError("reading", dir, err)
		}
		var orphans []string
		err = s.kv.view(func(t kvTx) error {
			for _, f := range files {
				id := f.Name()
				if !validBlobID(id) || id[:2] != sub.Name() {
					s.log.Warn("store: leaving a file that is not a body", "path", filepath.Join(dir, id))
					continue
				}
				if t.get(tableBlobs, []byte(id)) == nil {
					orphans = append(orphans, id)
				} else {
					kept++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range orphans {
			if err := b.remove(id); err != nil {
				return err
			}
			removed++
		}
	}
	attrs := []any{"dir", s.dir, "tmp_removed", removedTmp, "bodies_removed", removed, "bodies", kept}
	if removedTmp+removed > 0 {
		s.log.Info("store: swept what an interrupted run left", attrs...)
	} else {
		s.log.Debug("store: swept", attrs...)
	}
	return nil
}
