package bench

import "syscall"

// procAttr puts a real-path process in a process group of its own and has
// the kernel kill it when the bench's thread that started it dies.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
