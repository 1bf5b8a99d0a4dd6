// Package proctree reads the process tree from /proc (Linux): which
// processes run below a PID and whether each is still alive. Tests use it
// to prove that nothing outlives the command that started it.
package proctree

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Descendants returns every live process below pid, by PID with its start
// time (clock ticks since boot), so that a later check can tell the same
// process from a new one that reused its PID.
func Descendants(pid int) (map[int]uint64, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("proctree: %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f, ok := stat(p); ok && len(f) > 1 {
			if pp, err := strconv.Atoi(f[1]); err == nil {
				children[pp] = append(children[pp], p)
			}
		}
	}
	out := map[int]uint64{}
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		for _, c := range children[queue[0]] {
			if s, ok := StartTime(c); ok {
				out[c] = s
			}
			queue = append(queue, c)
		}
	}
	return out, nil
}

// StartTime is the start time of pid when it is alive (not a zombie).
func StartTime(pid int) (uint64, bool) {
	f, ok := stat(pid)
	if !ok || len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return 0, false
	}
	s, err := strconv.ParseUint(f[19], 10, 64)
	return s, err == nil
}

// Alive returns the processes of procs that still run as the same
// process (same PID and start time).
func Alive(procs map[int]uint64) map[int]uint64 {
	out := map[int]uint64{}
	for pid, start := range procs {
		if s, ok := StartTime(pid); ok && s == start {
			out[pid] = start
		}
	}
	return out
}

// Describe lists procs as "PID comm", sorted, for test failure messages.
func Describe(procs map[int]uint64) string {
	pids := make([]int, 0, len(procs))
	for pid := range procs {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	s := make([]string, 0, len(pids))
	for _, pid := range pids {
		s = append(s, fmt.Sprintf("%d %s", pid, Comm(pid)))
	}
	return strings.Join(s, ", ")
}

// Comm is the command name of pid ("" once it is gone).
func Comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// stat returns the fields of /proc/PID/stat after the command name (which
// may itself hold spaces and parentheses).
func stat(pid int) ([]string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, false
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(string(b[i+1:])), true
}
