package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

func openDir(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatalf("OpenDir(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// snapshot is everything a store holds, as JSON, for comparing a store
// before and after a reopen.
func snapshot(t testing.TB, s *Store) string {
	t.Helper()
	var out strings.Builder
	enc := json.NewEncoder(&out)
	bs := mustBuckets(t, s)
	for _, b := range bs {
		_ = enc.Encode(b)
		err := s.ListVersions(b.Name, "", "", "", func(v *Version) bool {
			_ = enc.Encode(v)
			fmt.Fprintf(&out, "%s %s %s %v body=%q\n", v.Bucket, v.Key, v.VersionID, v.IsLatest, bodyOf(t, s, v))
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		us, err := s.Uploads(b.Name, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			_ = enc.Encode(u)
			ps, err := s.Parts(u.Bucket, u.Key, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				_ = enc.Encode(p)
				r, err := s.Open(&Version{Size: p.Size, Body: p.Body}, 0, -1)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(r)
				r.Close()
				fmt.Fprintf(&out, "part %d body=%q\n", p.Number, b)
			}
		}
	}
	return out.String()
}

func bodyOf(t testing.TB, s *Store, v *Version) string {
	if v.DeleteMarker {
		return ""
	}
	return read(t, s, v, 0, -1)
}

// populate fills a store with one of everything.
func populate(t testing.TB, s *Store) {
	t.Helper()
	if err := s.CreateBucket(Bucket{
		Name: "cfg", Owner: "111122223333", Policy: []byte(`{"Statement":[]}`), Tags: []Tag{{"env", "test"}},
		Config: map[string][]byte{"cors": []byte("<CORSConfiguration/>"), "publicAccessBlock": []byte("pab")},
	}); err != nil {
		t.Fatal(err)
	}
	mustBucket(t, s, "ver", Unversioned)
	put(t, s, "ver", "k", "null body")
	if _, err := s.UpdateBucket("ver", func(b *Bucket) error { b.Versioning = Enabled; return nil }); err != nil {
		t.Fatal(err)
	}
	put(t, s, "ver", "k", "v1")
	meta := ObjectMeta{Metadata: map[string]string{"a": "b"}, Headers: map[string]string{"Content-Type": "text/x"},
		Tags: []Tag{{"t", "1"}}, Checksum: Checksum{Algorithm: "SHA256", Value: "xyz", Type: "FULL_OBJECT"}}
	if _, err := s.PutObject(t.Context(), "ver", "k", PutInput{Meta: meta, Body: strings.NewReader("v2"), Size: 2}); err != nil {
		t.Fatal(err)
	}
	put(t, s, "ver", "big", strings.Repeat("big body ", inlineMax/9+1)) // a blob, not inline
	put(t, s, "ver", "gone", "x")
	if _, err := s.DeleteObject("ver", "gone", "", nil); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUpload("ver", "mp", meta)
	if err != nil {
		t.Fatal(err)
	}
	for n, body := range []string{"part one", ""} {
		if _, err := s.PutPart(t.Context(), "ver", "mp", u.ID, n+1, strings.NewReader(body), int64(len(body)), Checksum{}); err != nil {
			t.Fatal(err)
		}
	}
	u2, _ := s.CreateUpload("ver", "done", ObjectMeta{})
	p, _ := s.PutPart(t.Context(), "ver", "done", u2.ID, 1, strings.NewReader("whole"), 5, Checksum{})
	if _, err := s.CompleteUpload("ver", "done", u2.ID, CompleteInput{Parts: []CompletedPart{{1, p.ETag}}}); err != nil {
		t.Fatal(err)
	}
}

func TestDirReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind() != "dir" || s.Dir() != dir {
		t.Errorf("Kind, Dir = %q, %q", s.Kind(), s.Dir())
	}
	populate(t, s)
	before := snapshot(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Bucket("cfg"); err == nil {
		t.Error("Bucket after Close: no error")
	}
	s2 := openDir(t, dir)
	after := snapshot(t, s2)
	if before != after {
		t.Errorf("after reopen:\n%s\nbefore:\n%s", after, before)
	}
	if !strings.Contains(after, "part 1 body=\"part one\"") || !strings.Contains(after, `"policy":"eyJTdGF0ZW1lbnQiOltdfQ=="`) {
		t.Errorf("snapshot lacks the upload or the policy:\n%s", after)
	}
	// Writes after a reopen go on from the stored sequence: newest first.
	v := put(t, s2, "ver", "k", "v3")
	if vs := versions(t, s2, "ver", "k"); len(vs) != 4 || vs[0].VersionID != v.VersionID {
		t.Errorf("after reopen, a new version is not the newest: %d versions", len(vs))
	}
}

func TestDirLock(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenDir(dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second OpenDir: %v, want ErrLocked", err)
	}
	if msg := err.Error(); !strings.Contains(msg, dir) || !strings.Contains(msg, "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("ErrLocked message %q names neither the dir nor the holder's PID", msg)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatalf("OpenDir after Close: %v", err)
	}
	_ = s2.Close()
}

// TestDirLockOtherProcess holds the lock from another process (flock(1)).
func TestDirLockOtherProcess(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("flock(1) not installed")
	}
	dir := t.TempDir()
	s := openDir(t, dir)
	_ = s.Close()
	// flock(1) holds LOCK while cat waits on its stdin; the test closes it.
	cmd := exec.Command(flock, "-n", filepath.Join(dir, lockName), "sh", "-c", "echo held; exec cat")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line := make([]byte, 5)
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "held\n" {
		t.Fatalf("flock helper: %q %v", line, err)
	}
	_, err = OpenDir(dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("OpenDir while another process holds the lock: %v", err)
	}
}

func TestDirCorrupt(t *testing.T) {
	random := make([]byte, 64<<10)
	_, _ = rand.Read(random)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  error
	}{
		{"garbage meta.db", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, metaName), random)
		}, ErrCorrupt},
		{"short meta.db", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, metaName), []byte("not a database"))
		}, ErrCorrupt},
		{"meta pages zeroed", func(t *testing.T, dir string) {
			closeStore(t, openDir(t, dir))
			p := filepath.Join(dir, metaName)
			b, _ := os.ReadFile(p)
			clear(b[:2*os.Getpagesize()])
			writeFile(t, p, b)
		}, ErrCorrupt},
		{"data pages garbage", func(t *testing.T, dir string) {
			s := openDir(t, dir)
			populate(t, s)
			closeStore(t, s)
			p := filepath.Join(dir, metaName)
			b, _ := os.ReadFile(p)
			copy(b[2*os.Getpagesize():], random)
			writeFile(t, p, b)
		}, ErrCorrupt},
		{"wrong format number", func(t *testing.T, dir string) {
			closeStore(t, openDir(t, dir))
			withBolt(t, dir, func(tx *bolt.Tx) error { return tx.Bucket([]byte(tableMeta)).Put([]byte("format"), []byte("99")) })
		}, ErrUnsupportedFormat},
		{"another bbolt file", func(t *testing.T, dir string) {
			withBolt(t, dir, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err })
		}, ErrUnsupportedFormat},
		{"bodies without a database", func(t *testing.T, dir string) {
			s := openDir(t, dir)
			populate(t, s)
			closeStore(t, s)
			if err := os.Remove(filepath.Join(dir, metaName)); err != nil {
				t.Fatal(err)
			}
		}, ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			s, err := OpenDir(dir, Options{})
			if err == nil {
				// Damage past the root pages shows on use, still as an error.
				defer s.Close()
				err = useAll(s)
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, metaName)) {
				t.Errorf("error %q does not name %s", err, metaName)
			}
			if c.want == ErrUnsupportedFormat && c.name == "wrong format number" && !strings.Contains(err.Error(), "format 99 found, 3 expected") {
				t.Errorf("error %q does not say found and expected", err)
			}
		})
	}
}

// useAll reads every record, returning the first error.
func useAll(s *Store) error {
	bs, err := s.Buckets()
	if err != nil {
		return err
	}
	for _, b := range bs {
		if err := s.ListVersions(b.Name, "", "", "", func(*Version) bool { return true }); err != nil {
			return err
		}
		if _, err := s.Uploads(b.Name, ""); err != nil {
			return err
		}
	}
	return errors.New("no error reading every record")
}

func TestDirUndecodableRecord(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	mustBucket(t, s, "b", Unversioned)
	put(t, s, "b", "k", "x")
	closeStore(t, s)
	withBolt(t, dir, func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(tableVersions)).Cursor()
		k, _ := c.First()
		return tx.Bucket([]byte(tableVersions)).Put(bytes.Clone(k), []byte(`{"id":`))
	})
	s = openDir(t, dir)
	_, err := s.Object("b", "k", "")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), filepath.Join(dir, metaName)) {
		t.Errorf("Object of an undecodable record: %v", err)
	}
	if err := s.ListObjects("b", "", "", func(*Version) bool { return true }); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ListObjects over an undecodable record: %v", err)
	}
}

func TestDirTruncatedBody(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	mustBucket(t, s, "b", Unversioned)
	v := put(t, s, "b", "k", strings.Repeat("0123456789", inlineMax/10+1))
	p := s.blobs.path(v.Body[0].Blob)
	if err := os.Truncate(p, 4); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(v, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = io.ReadAll(r)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
		t.Errorf("reading a truncated body: %v", err)
	}
}

func TestDirTruncatedInlineBody(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	mustBucket(t, s, "b", Unversioned)
	v := put(t, s, "b", "k", "0123456789")
	if !v.Body[0].Inline {
		t.Fatalf("a 10-byte body is not inline: %+v", v.Body)
	}
	closeStore(t, s)
	withBolt(t, dir, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(tableInline)).Put([]byte(v.Body[0].Blob), []byte("0123"))
	})
	s = openDir(t, dir)
	_, err := s.Open(v, 0, -1)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), filepath.Join(dir, metaName)) || !strings.Contains(err.Error(), v.Body[0].Blob) {
		t.Errorf("opening a truncated inline body: %v, want ErrCorrupt naming meta.db and the body", err)
	}
}

// TestDirFormatUpgrade opens a format 1 store (no inline table) and a
// format 2 store (no log): each becomes format 3, keeps its objects and
// takes inline bodies.
func TestDirFormatUpgrade(t *testing.T) {
	cases := []struct {
		name      string
		from      string
		dropTable bool
	}{
		{name: "format 1", from: "1", dropTable: true},
		{name: "format 2", from: "2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir)
			mustBucket(t, s, "b", Unversioned)
			big := strings.Repeat("x", inlineMax+1)
			put(t, s, "b", "old", big)
			closeStore(t, s)
			withBolt(t, dir, func(tx *bolt.Tx) error {
				if c.dropTable {
					if err := tx.DeleteBucket([]byte(tableInline)); err != nil {
						return err
					}
				}
				return tx.Bucket([]byte(tableMeta)).Put([]byte("format"), []byte(c.from))
			})
			if err := os.RemoveAll(filepath.Join(dir, walName)); err != nil {
				t.Fatal(err)
			}
			s = openDir(t, dir)
			v, err := s.Object("b", "old", "")
			if err != nil || read(t, s, v, 0, -1) != big {
				t.Fatalf("format %s object after the upgrade: %v", c.from, err)
			}
			if v := put(t, s, "b", "new", "small"); !v.Body[0].Inline {
				t.Errorf("after the upgrade a small body is not inline")
			}
			closeStore(t, s)
			withBolt(t, dir, func(tx *bolt.Tx) error {
				if got := string(tx.Bucket([]byte(tableMeta)).Get([]byte("format"))); got != "3" {
					t.Errorf("format after the upgrade = %q, want 3", got)
				}
				return nil
			})
		})
	}
}

func TestDirSweep(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	populate(t, s)
	before := snapshot(t, s)
	closeStore(t, s)
	// What a kill leaves: a half-written body in tmp/, and a body renamed
	// into place whose transaction never committed.
	leftTmp := filepath.Join(dir, tmpName, newBlobID())
	writeFile(t, leftTmp, []byte("half"))
	orphan := newBlobID()
	orphanPath := filepath.Join(dir, blobsName, orphan[:2], orphan)
	if err := os.MkdirAll(filepath.Dir(orphanPath), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, orphanPath, []byte("never committed"))
	stranger := filepath.Join(dir, blobsName, orphan[:2], "README")
	writeFile(t, stranger, []byte("not ours"))

	s2 := openDir(t, dir)
	for _, p := range []string{leftTmp, orphanPath} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived the sweep: %v", p, err)
		}
	}
	if _, err := os.Stat(stranger); err != nil {
		t.Errorf("the sweep removed a file that is not a body: %v", err)
	}
	if after := snapshot(t, s2); after != before {
		t.Errorf("sweep changed committed objects:\n%s\nwant:\n%s", after, before)
	}
}

func TestDirDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("mount -t tmpfs not permitted here: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	s, err := OpenDir(mnt, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustBucket(t, s, "b", Unversioned)
	bodies := map[string][]byte{}
	var full error
	for i := 0; i < 100 && full == nil; i++ {
		body := make([]byte, 150<<10)
		_, _ = rand.Read(body)
		key := fmt.Sprint("k", i)
		_, err := s.PutObject(t.Context(), "b", key, PutInput{Body: bytes.NewReader(body), Size: int64(len(body))})
		if err != nil {
			full = err
			break
		}
		bodies[key] = body
	}
	if !errors.Is(full, ErrNoSpace) || !errors.Is(full, unix.ENOSPC) {
		t.Fatalf("filling a 2 MiB tmpfs: %v, want ErrNoSpace wrapping ENOSPC", full)
	}
	if len(bodies) == 0 {
		t.Fatal("no object fitted before the disk was full")
	}
	for key, want := range bodies {
		v, err := s.Object("b", key, "")
		if err != nil {
			t.Fatalf("%s after disk full: %v", key, err)
		}
		if got := read(t, s, v, 0, -1); got != string(want) {
			t.Errorf("%s after disk full: body differs", key)
		}
	}
	if tmps, _ := os.ReadDir(filepath.Join(mnt, tmpName)); len(tmps) != 0 {
		t.Errorf("%d files left in tmp/ after the failed write", len(tmps))
	}
	// Freeing space makes writes work again.
	for key := range bodies {
		if _, err := s.DeleteObject("b", key, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	put(t, s, "b", "after", strings.Repeat("x", 100<<10))
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func closeStore(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// withBolt changes dir's meta.db directly.
func withBolt(t testing.TB, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, metaName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	v := &Version{VersionID: "abc", Size: 3, ETag: "e", Body: []Segment{{Blob: newBlobID(), Size: 3}},
		ObjectMeta: ObjectMeta{Tags: []Tag{{"a", "b"}}, Extra: map[string][]byte{"x": {1}}}}
	for _, rec := range []any{v, &Bucket{Name: "b"}, &Upload{ID: "u"}, &Part{Number: 1}} {
		b, err := encode(rec)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","size":-1}`))
	f.Add([]byte(`{"id":"x","size":1,"body":[{"blob":"../../etc/passwd","size":1}]}`))
	f.Add(versionKey("b", "k\x00", 7))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := decodeVersion(b); err == nil {
			again, err := encode(v)
			if err != nil {
				t.Fatalf("re-encoding %+v: %v", v, err)
			}
			v2, err := decodeVersion(again)
			if err != nil {
				t.Fatalf("decoding re-encoded %q: %v", again, err)
			}
			if a, b := fmt.Sprint(v), fmt.Sprint(v2); a != b {
				t.Fatalf("round trip: %s != %s", a, b)
			}
			for _, s := range v.Body {
				if !validBlobID(s.Blob) {
					t.Fatalf("decoded a body with blob ID %q", s.Blob)
				}
			}
		}
		_, _ = decodeBucket(b)
		_, _ = decodeUpload(b)
		_, _ = decodePart(b)
		_, _ = decodeAccessPoint(b)
		if key, rest, err := splitKey(b, "b"); err == nil {
			if got := append(appendKey(nil, "b", key), rest...); !bytes.Equal(got, b) {
				t.Fatalf("key %q splits to %q + %q, which encode to %q", b, key, rest, got)
			}
		}
	})
}

func BenchmarkPut1KiB(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			s := e.open(b, Options{})
			mustBucket(b, s, "b", Unversioned)
			b.SetBytes(1024)
			i := 0
			for b.Loop() {
				i++
				if _, err := s.PutObject(b.Context(), "b", strconv.Itoa(i%1000), PutInput{Body: bytes.NewReader(body), Size: 1024}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGet1KiB(b *testing.B) {
	body := strings.Repeat("x", 1024)
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			s := e.open(b, Options{})
			mustBucket(b, s, "b", Unversioned)
			for i := range 1000 {
				put(b, s, "b", strconv.Itoa(i), body)
			}
			b.SetBytes(1024)
			buf := make([]byte, 4096)
			i := 0
			for b.Loop() {
				i++
				v, err := s.Object("b", strconv.Itoa(i%1000), "")
				if err != nil {
					b.Fatal(err)
				}
				r, err := s.Open(v, 0, -1)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.ReadFull(r, buf[:1024])
				r.Close()
				if n != 1024 {
					b.Fatalf("read %d bytes", n)
				}
			}
		})
	}
}

// BenchmarkOpenDir opens a dir store holding 2000 objects with their
// bodies in files: the sweep does one lookup per body file and decodes no
// record.
func BenchmarkOpenDir(b *testing.B) {
	dir := b.TempDir()
	s, err := OpenDir(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s.inlineMax = 0 // every body a file
	mustBucket(b, s, "b", Unversioned)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 250 {
				if _, err := s.PutObject(context.Background(), "b", fmt.Sprint(w, "/", i), PutInput{Body: strings.NewReader("x"), Size: 1}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	closeStore(b, s)
	for b.Loop() {
		s, err := OpenDir(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		closeStore(b, s)
	}
}

// BenchmarkPut1KiBParallel puts from 8 goroutines per CPU: the dir store's
// bodies sync in parallel, its metadata commits one at a time.
func BenchmarkPut1KiBParallel(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			s := e.open(b, Options{})
			mustBucket(b, s, "b", Unversioned)
			b.SetBytes(1024)
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if _, err := s.PutObject(context.Background(), "b", strconv.Itoa(i%1000), PutInput{Body: bytes.NewReader(body), Size: 1024}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// TestDirGroupCommit queues updates behind one that is running, so they
// share the next transaction; the failing ones (which wrote before
// failing) are undone alone.
func TestDirGroupCommit(t *testing.T) {
	s := openDir(t, t.TempDir())
	k := s.kv.(*dirKV)
	release := make(chan struct{})
	first := make(chan error)
	go func() {
		first <- k.update(func(t kvTx) error {
			<-release
			return t.put(tableMeta, []byte("first"), []byte("1"))
		})
	}()
	// Wait until the first update holds the commit.
	for {
		k.mu.Lock()
		busy := k.committing
		k.mu.Unlock()
		if busy {
			break
		}
		runtime.Gosched()
	}
	const n = 10
	errOdd := errors.New("odd")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = k.update(func(t kvTx) error {
				key := []byte(fmt.Sprint("k", i))
				if err := t.put(tableMeta, key, []byte("v")); err != nil {
					return err
				}
				if err := t.put(tableMeta, []byte("first"), []byte("overwritten")); err != nil {
					return err
				}
				if i%2 == 1 {
					return errOdd
				}
				return t.put(tableMeta, []byte("first"), []byte("1"))
			})
		})
	}
	for {
		k.mu.Lock()
		queued := len(k.pending)
		k.mu.Unlock()
		if queued == n {
			break
		}
		runtime.Gosched()
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	err := k.view(func(tx kvTx) error {
		for i := range n {
			got := tx.get(tableMeta, []byte(fmt.Sprint("k", i)))
			if want := i%2 == 0; (got != nil) != want {
				t.Errorf("k%d present %v, want %v", i, got != nil, want)
			}
			if i%2 == 1 && errs[i] != errOdd {
				t.Errorf("update %d: %v, want its own error", i, errs[i])
			}
			if i%2 == 0 && errs[i] != nil {
				t.Errorf("update %d: %v", i, errs[i])
			}
		}
		if got := string(tx.get(tableMeta, []byte("first"))); got != "1" {
			t.Errorf("first = %q: a failed update's write survived", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ n int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	m := min(int64(len(p)), r.n)
	for i := range p[:m] {
		p[i] = byte(i)
	}
	r.n -= m
	return int(m), nil
}

// TestDirUnknownSizeStreams puts 32 MiB of unknown length: it streams to
// the file, so the heap allocated meanwhile is a small fraction of it.
func TestDirUnknownSizeStreams(t *testing.T) {
	s := openDir(t, t.TempDir())
	mustBucket(t, s, "b", Unversioned)
	const size = 32 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := s.PutObject(t.Context(), "b", "k", PutInput{Body: &patternReader{n: size}, Size: -1})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if v.Size != size {
		t.Errorf("size %d, want %d", v.Size, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/8 {
		t.Errorf("allocated %d bytes putting %d of unknown length: not streamed", alloc, size)
	}
	fi, err := os.Stat(s.blobs.path(v.Body[0].Blob))
	if err != nil || fi.Size() != size {
		t.Errorf("body file: %v, %v", fi, err)
	}
}

// BenchmarkDirInline puts bodies of several sizes from 16 goroutines into
// the dir store, kept inline and as files, to choose inlineMax:
//
//	go test -run '^$' -bench DirInline -benchtime 2s ./internal/store/
func BenchmarkDirInline(b *testing.B) {
	for _, size := range []int{1 << 10, 4 << 10, 16 << 10, 64 << 10} {
		body := bytes.Repeat([]byte("x"), size)
		for _, inline := range []bool{true, false} {
			name := fmt.Sprintf("%dKiB/file", size>>10)
			if inline {
				name = fmt.Sprintf("%dKiB/inline", size>>10)
			}
			b.Run(name, func(b *testing.B) {
				s := openDir(b, b.TempDir())
				s.inlineMax = 0
				if inline {
					s.inlineMax = int64(size)
				}
				mustBucket(b, s, "b", Unversioned)
				b.SetBytes(int64(size))
				b.SetParallelism(8)
				var n atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						key := strconv.FormatInt(n.Add(1)%1000, 10)
						if _, err := s.PutObject(context.Background(), "b", key, PutInput{Body: bytes.NewReader(body), Size: int64(size)}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// TestDirAccessPointsReopen: access points, their aliases and policies
// survive a reopen.
func TestDirAccessPointsReopen(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	mustBucket(t, s, "b", Unversioned)
	want := ap("ap1", "b")
	want.VPCID = "vpc-1"
	if err := s.CreateAccessPoint(want); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccessPoint(ap("ap2", "b")); err != nil {
		t.Fatal(err)
	}
	want.Policy = `{"Statement":[]}`
	if err := s.SetAccessPointPolicy(want.Account, "ap1", want.Policy); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccessPoint(want.Account, "ap2"); err != nil {
		t.Fatal(err)
	}
	closeStore(t, s)

	s = openDir(t, dir)
	got, err := s.AccessPointByAlias(want.Alias)
	if err != nil || *got != want {
		t.Fatalf("after reopen AccessPointByAlias = %+v, %v; want %+v", got, err, want)
	}
	aps, _, err := s.AccessPoints(want.Account, "", "", 0)
	if err != nil || !slices.Equal(apNames(aps), []string{"ap1"}) {
		t.Errorf("after reopen AccessPoints = %q, %v", apNames(aps), err)
	}
}

// TestDirOpensStoreWithoutAccessPoints opens a format 2 store written
// before access points existed (no accesspoints or apaliases tables): it
// opens, keeps its objects, gains the tables and takes access points.
func TestDirOpensStoreWithoutAccessPoints(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	populate(t, s)
	before := snapshot(t, s)
	closeStore(t, s)
	withBolt(t, dir, func(tx *bolt.Tx) error {
		for _, name := range addedTables {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	})

	s = openDir(t, dir)
	if after := snapshot(t, s); after != before {
		t.Errorf("objects changed:\n%s\nwant:\n%s", after, before)
	}
	if aps, _, err := s.AccessPoints("111122223333", "", "", 0); err != nil || len(aps) != 0 {
		t.Errorf("AccessPoints of the old store = %q, %v", apNames(aps), err)
	}
	if err := s.CreateAccessPoint(ap("ap1", "ver")); err != nil {
		t.Fatalf("CreateAccessPoint in the old store: %v", err)
	}
	closeStore(t, s)
	withBolt(t, dir, func(tx *bolt.Tx) error {
		if got := string(tx.Bucket([]byte(tableMeta)).Get([]byte("format"))); got != "3" {
			t.Errorf("format = %q, want 3 (no bump)", got)
		}
		for _, name := range addedTables {
			if tx.Bucket([]byte(name)) == nil {
				t.Errorf("table %s not created", name)
			}
		}
		return nil
	})
	s = openDir(t, dir)
	if _, err := s.AccessPoint("111122223333", "ap1"); err != nil {
		t.Errorf("access point after reopen: %v", err)
	}
}
