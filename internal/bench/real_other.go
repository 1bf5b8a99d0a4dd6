//go:build !linux

package bench

import "syscall"

// procAttr puts a real-path process in a process group of its own.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
