package bench

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, which
// Linux fixes at 100 for user space on every architecture it reports to.
const userHZ = 100

// parseProcStat returns the CPU time (user + system, every thread of the
// process) that a /proc/<pid>/stat line reports. The command name, in
// parentheses, may hold spaces and parentheses itself: the fields are
// counted from the last ')'.
func parseProcStat(line []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(line, ')')
	if end < 0 {
		return 0, fmt.Errorf("bench: /proc stat: no command name in %q", truncate(line))
	}
	// After the name: state (field 3), ..., utime (14), stime (15).
	fields := bytes.Fields(line[end+1:])
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("bench: /proc stat: %d fields after the command name, want more than %d", len(fields), stime)
	}
	const tick = time.Second / userHZ
	var ticks uint64
	for _, i := range []int{utime, stime} {
		n, err := strconv.ParseUint(string(fields[i]), 10, 63)
		if err != nil {
			return 0, fmt.Errorf("bench: /proc stat: field %d: %w", i+3, err)
		}
		if ticks += n; ticks > math.MaxInt64/uint64(tick) {
			return 0, fmt.Errorf("bench: /proc stat: CPU time out of range")
		}
	}
	return time.Duration(ticks) * tick, nil
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
