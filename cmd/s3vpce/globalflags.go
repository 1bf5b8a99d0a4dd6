package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
)

// globalFlags are the flags accepted before the subcommand:
//
//	s3vpce --home DIR endpoint-policy set FILE
//	s3vpce --version
type globalFlags struct {
	home    string
	version bool
	help    bool
}

// isStateCommand reports whether a subcommand finds the state directory
// with its own --home flag, parsed before its arguments: a global --home
// is handed to it as its first flag.
func isStateCommand(name string) bool {
	switch name {
	case "serve", "exec", "env", "endpoint-policy", "explain", "topology":
		return true
	}
	return false
}

// parseGlobalFlags reads the global flags at the start of args and returns
// the rest, which starts with the subcommand (or is empty).
func parseGlobalFlags(args []string) (globalFlags, []string, error) {
	var g globalFlags
	for len(args) > 0 {
		a := args[0]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "home":
			if !hasValue {
				if len(args) < 2 {
					return g, nil, errors.New("flag needs an argument: --home")
				}
				value, args = args[1], args[1:]
			}
			if value == "" {
				return g, nil, errors.New("--home: empty directory name")
			}
			g.home = value
		case "version":
			g.version = true
		case "h", "help":
			g.help = true
		default:
			return g, nil, fmt.Errorf("unknown global flag %s (a subcommand's flags go after it)", a)
		}
		args = args[1:]
	}
	return g, args, nil
}

// apply hands the global flags to the subcommand: args[0] is the
// subcommand, and a global --home becomes its own first flag (a --home
// given after the subcommand still wins, being parsed later).
func (g globalFlags) apply(args []string) ([]string, error) {
	if g.home == "" {
		return args, nil
	}
	if !isStateCommand(args[0]) {
		return nil, fmt.Errorf("--home does not apply to %q", args[0])
	}
	return slices.Concat([]string{args[0], "--home", g.home}, args[1:]), nil
}

// parseInterspersed parses fs's flags anywhere among the positional
// arguments, as in "endpoint-policy set --home DIR FILE", and returns the
// positional arguments. "--" ends the flags; "-" is a positional argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at the first non-flag, "-" or after "--": which one is
		// told by what precedes rest in args.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
