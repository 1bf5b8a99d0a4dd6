//go:build !linux

package bench

import (
	"errors"
	"syscall"
	"time"
)

// procAttr puts a real-path process in a process group of its own.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// processCPU is not known here: the report leaves the server's CPU out.
func processCPU(int) (time.Duration, error) {
	return 0, errors.New("bench: a process's CPU time is read from /proc, on Linux only")
}
