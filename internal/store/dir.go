package store

import "errors"

// OpenDir opens (creating if needed) the dir store rooted at dir: it takes
// the lock file (ErrLocked if another process holds it), checks the format
// number (ErrUnsupportedFormat), validates the metadata (ErrCorrupt with the
// path), and sweeps temporary files and bodies no committed record names.
func OpenDir(dir string, opts Options) (*Store, error) {
	return nil, errors.New("store: dir engine not implemented yet")
}
