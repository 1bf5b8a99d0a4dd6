package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func testGroups() [][]logOp {
	return [][]logOp{
		{{table: tableMeta, key: []byte("a"), val: []byte("1")}, {table: tableInline, key: []byte("b"), val: []byte{}}},
		{{del: true, table: tableVersions, key: []byte("a\x00b")}},
		{{table: tableBuckets, key: []byte("bucket"), val: bytes.Repeat([]byte("x"), 300)}},
	}
}

func encodeSegment(groups [][]logOp) (data []byte, ends []int) {
	for _, g := range groups {
		var payload []byte
		for _, op := range g {
			payload = appendLogOp(payload, op)
		}
		data = appendLogRecord(data, payload)
		ends = append(ends, len(data))
	}
	return data, ends
}

func decodeSegment(t *testing.T, data []byte) ([][]logOp, int) {
	t.Helper()
	payloads, end := readLogRecords(data)
	var groups [][]logOp
	for _, p := range payloads {
		ops, err := decodeLogOps(p)
		if err != nil {
			t.Fatalf("decodeLogOps: %v", err)
		}
		groups = append(groups, ops)
	}
	return groups, end
}

func sameGroups(a, b [][]logOp) bool {
	return slices.EqualFunc(a, b, func(x, y []logOp) bool {
		return slices.EqualFunc(x, y, func(p, q logOp) bool {
			return p.del == q.del && p.table == q.table && bytes.Equal(p.key, q.key) && bytes.Equal(p.val, q.val)
		})
	})
}

// TestLogRecords: a whole segment reads back whole; a segment whose last
// record a crash cut short or garbled reads back without that record.
func TestLogRecords(t *testing.T) {
	groups := testGroups()
	data, ends := encodeSegment(groups)
	lastStart := ends[len(ends)-2]
	flip := func(i int) []byte { d := bytes.Clone(data); d[i] ^= 0x40; return d }
	cases := []struct {
		name    string
		data    []byte
		want    int // groups read
		wantEnd int
	}{
		{name: "whole", data: data, want: 3, wantEnd: len(data)},
		{name: "empty", data: nil, want: 0, wantEnd: 0},
		{name: "cut in the last header", data: data[:lastStart+5], want: 2, wantEnd: lastStart},
		{name: "cut in the last payload", data: data[:len(data)-1], want: 2, wantEnd: lastStart},
		{name: "last payload garbled", data: flip(len(data) - 7), want: 2, wantEnd: lastStart},
		{name: "last checksum garbled", data: flip(lastStart + 5), want: 2, wantEnd: lastStart},
		{name: "length past the end", data: flip(lastStart + 2), want: 2, wantEnd: lastStart},
		{name: "zeros after the last record", data: append(bytes.Clone(data), make([]byte, 4096)...), want: 3, wantEnd: len(data)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, end := decodeSegment(t, c.data)
			if end != c.wantEnd {
				t.Errorf("end %d, want %d", end, c.wantEnd)
			}
			if !sameGroups(got, groups[:c.want]) {
				t.Errorf("groups %v, want %v", got, groups[:c.want])
			}
		})
	}
}

func TestDecodeLogOpsRefuses(t *testing.T) {
	put := appendLogOp(nil, logOp{table: tableMeta, key: []byte("k"), val: []byte("v")})
	cases := []struct {
		name    string
		payload []byte
		want    string
	}{
		{name: "unknown operation", payload: []byte{9}, want: "unknown operation"},
		{name: "unknown table", payload: appendLogOp(nil, logOp{table: "nope", key: []byte("k")}), want: "unknown table"},
		{name: "empty key", payload: appendLogOp(nil, logOp{table: tableMeta, val: []byte("v")}), want: "empty key"},
		{name: "value cut short", payload: put[:len(put)-1], want: "value: cut short"},
		{name: "table cut short", payload: put[:3], want: "table name cut short"},
		{name: "bad length", payload: append([]byte{logOpDel, 4}, append([]byte(tableMeta), 0x80)...), want: "key: bad length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeLogOps(c.payload)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("decodeLogOps(%q) = %v, want an error saying %q", c.payload, err, c.want)
			}
		})
	}
}

func FuzzDecodeLogRecord(f *testing.F) {
	data, _ := encodeSegment(testGroups())
	f.Add(data)
	f.Add(data[:len(data)-3])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		payloads, end := readLogRecords(data)
		if end < 0 || end > len(data) {
			t.Fatalf("end %d outside 0..%d", end, len(data))
		}
		for _, p := range payloads {
			ops, err := decodeLogOps(p)
			if err != nil {
				continue
			}
			// What decodes re-encodes to something that decodes the same.
			var again []byte
			for _, op := range ops {
				again = appendLogOp(again, op)
			}
			ops2, err := decodeLogOps(again)
			if err != nil || !sameGroups([][]logOp{ops}, [][]logOp{ops2}) {
				t.Fatalf("round trip: %v, %v -> %v", err, ops, ops2)
			}
		}
	})
}

// crash leaves s the way a kill -9 would: the log and bbolt as they are on
// disk, no checkpoint at close.
func crash(t testing.TB, s *Store) {
	t.Helper()
	k := s.kv.(*dirKV)
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.inflight.Wait()
	close(k.flushReq)
	<-k.flushDone
	k.flushReq = nil
	if err := errors.Join(k.wal.close(), k.db.Close(), s.release()); err != nil {
		t.Fatal(err)
	}
	s.release = nil
}

func segmentsIn(t testing.TB, dir string) []uint64 {
	t.Helper()
	segs, err := logSegments(filepath.Join(dir, walName))
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

// inBolt says whether bbolt itself (not the log) has key k of bucket b.
func inBolt(t testing.TB, dir, b, k string) bool {
	t.Helper()
	found := false
	withBolt(t, dir, func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(tableVersions)).Cursor()
		prefix := appendKey(nil, b, k)
		key, _ := c.Seek(prefix)
		found = key != nil && bytes.HasPrefix(key, prefix)
		return nil
	})
	return found
}

// changeSegment rewrites segment n with fn, which gets where its records
// end.
func changeSegment(t *testing.T, walDir string, n uint64, fn func(data []byte, end int)) {
	t.Helper()
	p := filepath.Join(walDir, segmentName(n))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	_, end := readLogRecords(data)
	if end == 0 || end == len(data) {
		t.Fatalf("segment %s: records end at %d of %d: no zeros after them", p, end, len(data))
	}
	fn(data, end)
	writeFile(t, p, data)
}

// TestDirLogRecovery: what only the log held when the process died is in
// the store after the next open; a torn last record is ignored; damage
// anywhere else is ErrCorrupt.
func TestDirLogRecovery(t *testing.T) {
	cases := []struct {
		name    string
		damage  func(t *testing.T, walDir string, segs []uint64)
		want    error
		wantObj []string // objects present after reopen
	}{
		{name: "complete log replayed", wantObj: []string{"k0", "k1", "k2"}},
		{name: "torn tail ignored", damage: func(t *testing.T, walDir string, segs []uint64) {
			rec := appendLogRecord(nil, appendLogOp(nil, logOp{table: tableMeta, key: []byte("torn"), val: []byte("x")}))
			changeSegment(t, walDir, segs[len(segs)-1], func(data []byte, end int) { copy(data[end:], rec[:len(rec)-2]) })
		}, wantObj: []string{"k0", "k1", "k2"}},
		{name: "zeros after an older segment's records", damage: func(t *testing.T, walDir string, segs []uint64) {
			writeFile(t, filepath.Join(walDir, segmentName(segs[len(segs)-1]+1)), nil)
		}, wantObj: []string{"k0", "k1", "k2"}},
		{name: "damaged older segment", damage: func(t *testing.T, walDir string, segs []uint64) {
			changeSegment(t, walDir, segs[0], func(data []byte, end int) { data[end-1] ^= 1 })
			writeFile(t, filepath.Join(walDir, segmentName(segs[len(segs)-1]+1)), nil)
		}, want: ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir)
			mustBucket(t, s, "b", Unversioned)
			for i := range 3 {
				put(t, s, "b", fmt.Sprint("k", i), fmt.Sprint("body ", i))
			}
			crash(t, s)
			if inBolt(t, dir, "b", "k0") {
				t.Fatal("k0 is in bbolt before any checkpoint: the test does not test the log")
			}
			if c.damage != nil {
				c.damage(t, filepath.Join(dir, walName), segmentsIn(t, dir))
			}
			s, err := OpenDir(dir, Options{})
			if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
				t.Fatalf("reopen: %v, want %v", err, c.want)
			}
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = s.Close() })
			for i, key := range c.wantObj {
				v, err := s.Object("b", key, "")
				if err != nil {
					t.Fatalf("%s after recovery: %v", key, err)
				}
				if got, want := bodyOf(t, s, v), fmt.Sprint("body ", i); got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			if segs := segmentsIn(t, dir); len(segs) != 1 {
				t.Errorf("segments after recovery %v, want one new", segs)
			}
			if err := s.kv.view(func(tx kvTx) error {
				if tx.get(tableMeta, []byte("torn")) != nil {
					t.Error("the torn record was applied")
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			crash(t, s)
			if !inBolt(t, dir, "b", "k0") {
				t.Error("recovery did not write the log to bbolt")
			}
		})
	}
}

// TestDirCheckpoint: past the threshold the active memtable is frozen,
// written to bbolt and its segment removed; what came before and after
// reads back, also after a crash.
func TestDirCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	k := s.kv.(*dirKV)
	k.checkpointBytes = 4 << 10
	mustBucket(t, s, "b", Enabled)
	first := segmentsIn(t, dir)
	want := map[string]string{}
	for i := range 20 {
		key, body := fmt.Sprint("k", i%7), strings.Repeat(strconv.Itoa(i), 1000)
		put(t, s, "b", key, body)
		want[key] = body
		if i == 10 {
			if _, err := s.DeleteObject("b", "k3", "", nil); err != nil {
				t.Fatal(err)
			}
			delete(want, "k3")
		}
	}
	// The checkpointer runs on its own; finish what it may still hold.
	if err := k.checkpoint(); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store) {
		t.Helper()
		for i := range 7 {
			key := fmt.Sprint("k", i)
			v, err := s.Object("b", key, "")
			if body, ok := want[key]; !ok {
				if !errors.Is(err, ErrNoSuchKey) {
					t.Errorf("%s: %v, want ErrNoSuchKey", key, err)
				}
			} else if err != nil || bodyOf(t, s, v) != body {
				t.Errorf("%s: %v, body differs", key, err)
			}
		}
	}
	check(s)
	segs := segmentsIn(t, dir)
	if slices.Contains(segs, first[0]) {
		t.Errorf("segments %v after checkpoints still hold the first, %d", segs, first[0])
	}
	crash(t, s)
	if !inBolt(t, dir, "b", "k0") {
		t.Error("no checkpoint reached bbolt")
	}
	check(openDir(t, dir))
}

// TestLayerTx compares reads through memtables over bbolt with a map that
// took the same writes: get of every key, seek from every start.
func TestLayerTx(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([][]byte, 40)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("k%02d", i))
	}
	ref := map[string]string{}
	write := func(put func(k, v []byte), del func(k []byte), n int) {
		for range n {
			k := keys[rng.IntN(len(keys))]
			if rng.IntN(3) == 0 {
				del(k)
				delete(ref, string(k))
			} else {
				v := fmt.Sprint(rng.IntN(1000))
				put(k, []byte(v))
				ref[string(k)] = v
			}
		}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte(tableMeta))
		if err != nil {
			return err
		}
		write(func(k, v []byte) { _ = b.Put(k, v) }, func(k []byte) { _ = b.Delete(k) }, 30)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	frozen, active := newMemtable(), newMemtable()
	for _, m := range []*memtable{frozen, active} {
		write(func(k, v []byte) { m.set(tableMeta, olEntry{key: k, val: v}) },
			func(k []byte) { m.set(tableMeta, olEntry{key: k, del: true}) }, 30)
	}
	sorted := slices.Sorted(func(yield func(string) bool) {
		for k := range ref {
			if !yield(k) {
				return
			}
		}
	})
	if err := db.View(func(tx *bolt.Tx) error {
		lt := &layerTx{layers: []*memtable{active, frozen}, base: boltTx{tx}}
		for _, k := range keys {
			want, ok := ref[string(k)]
			if got := lt.get(tableMeta, k); (got != nil) != ok || string(got) != want {
				t.Errorf("get %s = %q, want %q (present %v)", k, got, want, ok)
			}
		}
		for _, start := range append([][]byte{nil}, append(keys, []byte("k05x"), []byte("z"))...) {
			var got []string
			_ = lt.seek(tableMeta, start, func(k, v []byte) bool {
				if ref[string(k)] != string(v) {
					t.Errorf("seek %s: %s = %q, want %q", start, k, v, ref[string(k)])
				}
				got = append(got, string(k))
				return true
			})
			i, _ := slices.BinarySearch(sorted, string(start))
			if want := sorted[i:]; !slices.Equal(got, want) {
				t.Errorf("seek %q = %q, want %q", start, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestDirKill9 kills a process that writes (kill -9, mid-write) and checks
// that every write it acknowledged is in the store afterwards.
func TestDirKill9(t *testing.T) {
	if dir := os.Getenv("S3VPCE_KILL9_DIR"); dir != "" {
		kill9Writer(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestDirKill9$", "-test.count=1")
	cmd.Env = append(os.Environ(), "S3VPCE_KILL9_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		key, body, ok := strings.Cut(sc.Text(), " ")
		if ok && strings.HasPrefix(key, "k") {
			acked[key] = body
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("the writer acknowledged %d writes before it ended (scan: %v)", len(acked), sc.Err())
	}
	s := openDir(t, dir)
	for key, body := range acked {
		v, err := s.Object("b", key, "")
		if err != nil {
			t.Errorf("acknowledged %s lost: %v", key, err)
			continue
		}
		if got := bodyOf(t, s, v); got != body {
			t.Errorf("%s = %q, want %q", key, got, body)
		}
	}
}

// kill9Writer writes objects from 8 goroutines, printing each key and body
// once its PutObject returned, until it is killed.
func kill9Writer(t *testing.T, dir string) {
	s, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := s.kv.(*dirKV)
	k.checkpointBytes = 16 << 10 // checkpoints under way when the kill comes
	if err := s.CreateBucket(Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	for w := range 8 {
		go func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("k%d-%d", w, i)
				body := fmt.Sprintf("%d-%d-%s", w, i, strings.Repeat("x", i%3000))
				if _, err := s.PutObject(t.Context(), "b", key, PutInput{Body: strings.NewReader(body), Size: int64(len(body))}); err != nil {
					lines <- "error " + err.Error()
					return
				}
				lines <- key + " " + body
			}
		}()
	}
	for l := range lines {
		fmt.Println(l)
	}
}
