package bench

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// procAttr puts a real-path process in a process group of its own and has
// the kernel kill it when the bench's thread that started it dies.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// processCPU is the CPU time process pid has used so far, every thread.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: CPU time of process %d: %w", pid, err)
	}
	return parseProcStat(b)
}
