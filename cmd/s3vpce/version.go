package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// versionInfo is what "s3vpce version" prints.
type versionInfo struct {
	Version    string // module version, "(devel)" when built from a checkout
	Revision   string // VCS commit, if the build recorded it
	Time       string // commit time
	Modified   bool   // the work tree had uncommitted changes
	GoVersion  string
	OS, Arch   string
	hasVCSInfo bool
}

// readVersion reads the build information the Go toolchain embedded.
func readVersion(bi *debug.BuildInfo, ok bool) versionInfo {
	v := versionInfo{Version: "(devel)", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision, v.hasVCSInfo = s.Value, true
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		case "GOOS":
			v.OS = s.Value
		case "GOARCH":
			v.Arch = s.Value
		}
	}
	return v
}

func (v versionInfo) write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "s3vpce %s\n", v.Version)
	if err == nil && v.hasVCSInfo {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		_, err = fmt.Fprintf(w, "commit   %s%s\n", v.Revision, mod)
		if err == nil && v.Time != "" {
			_, err = fmt.Fprintf(w, "date     %s\n", v.Time)
		}
	}
	if err == nil {
		_, err = fmt.Fprintf(w, "go       %s %s/%s\n", v.GoVersion, v.OS, v.Arch)
	}
	return err
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(stderr, "usage: s3vpce version (or s3vpce --version)\n\nPrint the module version, the commit it was built from, the Go version\nand the platform.")
			return 0
		}
		fmt.Fprintf(stderr, "s3vpce version: unexpected argument %q\n", args[0])
		return 2
	}
	if err := readVersion(debug.ReadBuildInfo()).write(stdout); err != nil {
		fmt.Fprintf(stderr, "s3vpce version: %v\n", err)
		return 1
	}
	return 0
}
