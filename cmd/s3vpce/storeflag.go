package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/s3vpce/s3vpce/internal/store"
)

// dataDirName is the dir store's directory in the state directory.
const dataDirName = "data"

// storeFlags choose where serve and exec's own emulator keep S3 state.
type storeFlags struct {
	kind string // "dir" or "memory"
	dir  string // the dir store's directory; "" for <home>/data
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.kind, "store", "dir", `where buckets and objects live: "dir" (files under --data, kept across restarts) or "memory" (lost on exit)`)
	fs.StringVar(&f.dir, "data", "", "the dir store's directory (default <home>/data)")
}

// open opens the chosen store for the state directory home.
func (f *storeFlags) open(home string, opts store.Options) (*store.Store, error) {
	switch f.kind {
	case "memory":
		return store.NewMemory(opts), nil
	case "dir":
		dir := f.dir
		if dir == "" {
			dir = filepath.Join(home, dataDirName)
		}
		// Objects are the user's data: the directory is theirs alone.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("--data %s: %w", dir, err)
		}
		st, err := store.OpenDir(dir, opts)
		if errors.Is(err, store.ErrLocked) {
			return nil, fmt.Errorf("%w (another s3vpce serve or exec is using it; stop it, or give this one --data DIR or --store memory)", err)
		}
		return st, err
	}
	return nil, fmt.Errorf("--store %q: want dir or memory", f.kind)
}

// describe is the banner's Data line for st.
func describeStore(st *store.Store) string {
	if st.Kind() == "memory" {
		return "in memory: buckets and objects are lost when serve exits"
	}
	return st.Dir() + " (dir store: kept across restarts)"
}
