package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// serveStateFile, in the state directory, is held locked (flock) by the
// running serve, from before it listens until it exits, and describes it
// for "s3vpce env" and for a second serve's refusal. A file nobody holds
// locked is stale: its serve is gone.
const serveStateFile = "serve.json"

// serveState is the content of serveStateFile.
type serveState struct {
	PID             int    `json:"pid"`
	HTTPS           string `json:"https,omitempty"`
	EndpointURL     string `json:"endpoint_url,omitempty"`
	EC2URL          string `json:"ec2_url,omitempty"`
	CAFile          string `json:"ca_file,omitempty"`
	Region          string `json:"region,omitempty"`
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
}

// homeLock is a serve's hold on its state directory.
type homeLock struct {
	f *os.File
}

// errServeRunning is returned by lockHome when another serve holds home.
type errServeRunning struct {
	home string
	pid  int
}

func (e *errServeRunning) Error() string {
	who := "another s3vpce serve"
	if e.pid > 0 {
		who = fmt.Sprintf("another s3vpce serve (PID %d)", e.pid)
	}
	return fmt.Sprintf("%s is running with state directory %s: stop it first, or give this one its own --home DIR", who, e.home)
}

// lockHome creates home (0700) if needed and takes its serve lock, or
// returns *errServeRunning naming the serve that holds it.
func lockHome(home string) (*homeLock, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(home, serveStateFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			st, _ := readServeState(home)
			return nil, &errServeRunning{home: home, pid: st.PID}
		}
		return nil, fmt.Errorf("state directory: lock %s: %w", path, err)
	}
	l := &homeLock{f: f}
	if err := l.update(serveState{PID: os.Getpid()}); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// update replaces the state file's content.
func (l *homeLock) update(st serveState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if _, err := l.f.WriteAt(append(b, '\n'), 0); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	return nil
}

// Close empties the state file and releases the lock.
func (l *homeLock) Close() error {
	l.f.Truncate(0)
	return l.f.Close()
}

// readServeState reads the state file of the serve running with home;
// ok is false when none runs (no file, or nobody holds it locked).
func readServeState(home string) (st serveState, ok bool) {
	f, err := os.Open(filepath.Join(home, serveStateFile))
	if err != nil {
		return st, false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return st, false
	}
	if err := json.NewDecoder(f).Decode(&st); err != nil {
		return serveState{}, true
	}
	return st, true
}
