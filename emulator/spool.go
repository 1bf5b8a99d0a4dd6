package emulator

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// spoolPrefix starts the name of every request-body spool file.
const spoolPrefix = "s3vpce-body-"

// spoolDir is the directory request bodies are spooled to.
func (s *Server) spoolDir() string {
	if s.opts.SpoolDir != "" {
		return s.opts.SpoolDir
	}
	return os.TempDir()
}

// sweepSpool creates Options.SpoolDir (mode 0700) if needed and removes
// the spool files in it: a server killed while receiving a large body
// leaves its file behind. The default, shared temporary directory is not
// swept: other servers spool there. (Another server spooling into the same
// SpoolDir would not be harmed either: it reads its file through the open
// descriptor, which outlives the name.)
func (s *Server) sweepSpool() error {
	dir := s.opts.SpoolDir
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("emulator: spool directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("emulator: spool directory: %w", err)
	}
	removed := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), spoolPrefix) || !e.Type().IsRegular() {
			continue
		}
		// A file that cannot be removed only takes space: say so and go on.
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("cannot remove a stale request spool file", "err", err)
			continue
		}
		removed++
	}
	level := slog.LevelDebug
	if removed > 0 {
		level = slog.LevelInfo
	}
	s.log.Log(context.Background(), level, "swept the request spool directory", "dir", dir, "removed", removed)
	return nil
}
