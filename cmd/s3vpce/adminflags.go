package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// adminCommand is the command line of a command that talks to a running
// serve through its admin socket (endpoint-policy, explain, env,
// policy-mode): --home, the command's usage text, flags anywhere among
// the arguments. Commands add their own flags to fs.
type adminCommand struct {
	fs   *flag.FlagSet
	home *string
}

func newAdminCommand(name, usage string, stderr io.Writer) adminCommand {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminCommand{fs: fs, home: fs.String("home", "", "state directory of the running serve")}
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return c
}

// parse parses args. When ok is false the command ends with code: 0 after
// -h (the usage was printed), 2 after a bad flag (flag said why).
func (c adminCommand) parse(args []string) (rest []string, code int, ok bool) {
	rest, err := parseInterspersed(c.fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0, false
		}
		return nil, 2, false
	}
	return rest, 0, true
}
