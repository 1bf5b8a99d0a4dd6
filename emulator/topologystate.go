package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TopologyFile is the name of the file, in Options.DataDir, that holds the
// current topology with every change made at run time (the topology file
// format, as `s3vpce topology export` writes it).
const TopologyFile = "topology.json"

// initialTopology is the topology a new Server starts with: Options.Topology
// when given, else the one a previous Server on the same DataDir left,
// else the seed's.
func initialTopology(opts Options) (*vpce.Topology, error) {
	if opts.Topology != nil {
		return opts.Topology, nil
	}
	if opts.DataDir != "" && opts.Store == nil {
		path := filepath.Join(opts.DataDir, TopologyFile)
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			t, err := vpce.ParseTopology(data)
			if err != nil {
				return nil, fmt.Errorf("emulator: the saved topology %s: %w (move it away to start from the default)", path, err)
			}
			return t, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("emulator: read the saved topology: %w", err)
		}
	}
	return vpce.DefaultTopology(), nil
}

// saveTopology writes topo to DataDir atomically (a whole new file renamed
// over the old one, synced), so that a crash leaves the old topology or the
// new one. Without a DataDir it does nothing.
func (s *Server) saveTopology(topo *vpce.Topology) error {
	dir := s.topoDir
	if dir == "" {
		return nil
	}
	data, err := vpce.MarshalTopology(topo)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, TopologyFile+".*")
	if err != nil {
		return fmt.Errorf("emulator: save topology: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, TopologyFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("emulator: save topology: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// UpdateTopology changes the topology at run time: fn edits a copy of the
// current Spec; the result is built and checked, its certificates issued,
// saved (with a DataDir) and swapped in whole, so that the next DNS answer,
// TLS handshake and request see it. Changes are serialised; on any error
// (from fn, Build or saving) nothing changes. It returns the new topology.
func (s *Server) UpdateTopology(fn func(*vpce.Spec) error) (*vpce.Topology, error) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	spec := s.snap.Load().topo.Spec()
	if err := fn(&spec); err != nil {
		return nil, err
	}
	topo, err := vpce.Build(spec)
	if err != nil {
		return nil, err
	}
	if err := s.swapLocked(topo); err != nil {
		return nil, err
	}
	return topo, nil
}
