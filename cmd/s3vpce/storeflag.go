package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/s3vpce/s3vpce/emulator"
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

// dataDir returns emulator.Options.DataDir for the state directory home
// ("" for memory), creating the directory 0700.
func (f *storeFlags) dataDir(home string) (string, error) {
	switch f.kind {
	case "memory":
		return "", nil
	case "dir":
		dir := f.dir
		if dir == "" {
			dir = filepath.Join(home, dataDirName)
		}
		// Objects are the user's data: the directory is theirs alone.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("--data %s: %w", dir, err)
		}
		return dir, nil
	}
	return "", fmt.Errorf("--store %q: want dir or memory", f.kind)
}

// explainStoreError adds what to do to an error opening the store.
func explainStoreError(err error) error {
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w (another s3vpce serve or exec uses it: stop it, or give this one --data DIR or --store memory)", err)
	}
	return err
}

// describeStore is the banner's Data line.
func describeStore(srv *emulator.Server) string {
	if srv.DataDir() == "" {
		return "in memory: buckets and objects are lost when serve exits"
	}
	return srv.DataDir() + " (dir store: kept across restarts)"
}

// describeTopology is the banner's Topology line: where the topology and
// its run-time changes are kept.
func describeTopology(srv *emulator.Server, homeFlag string) string {
	if srv.DataDir() == "" {
		return "in memory: changes made through the EC2 API are lost when serve exits"
	}
	return filepath.Join(srv.DataDir(), emulator.TopologyFile) + " (every change saved; s3vpce topology export" + homeFlag + ")"
}
