package netns

import (
	"os"
	"runtime"
)

// init keeps the main goroutine of a re-executed child (InitArg) on the
// process's main thread from the start. Init's LockOSThread alone comes too
// late: by the time main runs, the main goroutine may have moved to
// another thread, and the main thread, idle, may then run the goroutine
// that enters the instance's namespace (newNetNS, startCommand) and stay
// there. /proc/PID/ns/net (Cmd.RouterNS) shows the main thread's
// namespace, so the instance's packet filter would be loaded into the
// instance's namespace, where it filters nothing. Locking in a package
// init, which the runtime runs on the main thread, keeps main there.
func init() {
	if len(os.Args) > 1 && os.Args[1] == InitArg {
		runtime.LockOSThread()
	}
}
