package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

const completionUsage = `usage: s3vpce completion bash|zsh|fish

Print a shell completion script for s3vpce's commands and flags:

  bash:  source <(s3vpce completion bash)      (in ~/.bashrc)
  zsh:   source <(s3vpce completion zsh)       (in ~/.zshrc, after compinit)
  fish:  s3vpce completion fish | source       (or > ~/.config/fish/completions/s3vpce.fish)
`

// compCommand is what the completion scripts know of one subcommand.
type compCommand struct {
	name   string
	verbs  []string // its own subcommands (get, set, ...), if any
	flags  []string // flag names without dashes
	valued []string // those of flags that take a value
}

func runCompletion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, completionUsage)
		if len(args) == 1 {
			return 0
		}
		return 2
	}
	cmds := completionCommands(ctx)
	var script string
	switch args[0] {
	case "bash":
		script = bashCompletion(cmds)
	case "zsh":
		script = zshCompletion(cmds)
	case "fish":
		script = fishCompletion(cmds)
	default:
		fmt.Fprintf(stderr, "s3vpce completion: unknown shell %q\n%s", args[0], completionUsage)
		return 2
	}
	io.WriteString(stdout, script)
	return 0
}

// commandVerbs lists the subcommands of a command.
func commandVerbs(name string) []string {
	switch name {
	case "endpoint-policy":
		return []string{"get", "set", "reset"}
	case "policy":
		return []string{"validate", "simulate"}
	case "policy-mode":
		return []string{"enforce", "audit"}
	case "dns":
		return []string{"records"}
	case "completion":
		return []string{"bash", "zsh", "fish"}
	case "ca":
		return []string{"install", "uninstall", "path"}
	case "topology":
		return []string{"import", "export", "validate"}
	}
	return nil
}

var (
	usageCommandRE = regexp.MustCompile(`(?m)^  s3vpce ([a-z][a-z-]*)`)
	helpFlagRE     = regexp.MustCompile(`(?m)^ {2,4}--?([a-zA-Z][\w-]*)( \S)?`)
)

// completionCommands reads the commands from the usage text and each
// command's flags from its own -h output (the flag sets' PrintDefaults, or
// the usage text of commands that write theirs), so that the scripts stay
// true to the program. The -h runs get a cancelled context: none of them
// may do anything but print.
func completionCommands(ctx context.Context) []compCommand {
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	global := compCommand{flags: []string{"home", "version", "help"}, valued: []string{"home"}}
	out := []compCommand{global}
	seen := map[string]bool{}
	for _, m := range usageCommandRE.FindAllStringSubmatch(usage, -1) {
		name := m[1]
		if seen[name] {
			continue
		}
		seen[name] = true
		c := compCommand{name: name, verbs: commandVerbs(name)}
		var help bytes.Buffer
		if name != "help" {
			run(ctx, []string{name, "-h"}, strings.NewReader(""), &help, &help)
		}
		for _, f := range helpFlagRE.FindAllStringSubmatch(help.String(), -1) {
			if f[1] == "h" || f[1] == "help" || slices.Contains(c.flags, f[1]) {
				continue
			}
			c.flags = append(c.flags, f[1])
			if f[2] != "" {
				c.valued = append(c.valued, f[1])
			}
		}
		out = append(out, c)
	}
	return out
}

// dashed is how a flag is typed: -v for one letter, --name otherwise.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func dashedAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = dashed(n)
	}
	return out
}

// valuedPatterns is the case patterns "CMD:-flag|CMD:--flag|..." matching a
// flag that takes a value, for the shell functions below.
func valuedPatterns(cmds []compCommand) string {
	var pats []string
	for _, c := range cmds {
		prefix := c.name + ":"
		if c.name == "" {
			prefix = "*:" // global flags, before or after the command
		}
		for _, v := range c.valued {
			pats = append(pats, prefix+"-"+v, prefix+"--"+v)
		}
	}
	return strings.Join(pats, "|")
}

func bashCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`# bash completion for s3vpce; load it with: source <(s3vpce completion bash)

_s3vpce_valued() {
    case "$1:$2" in
        ` + valuedPatterns(cmds) + `) return 0 ;;
    esac
    return 1
}

_s3vpce() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local cmd="" npos=0 i w flags="" verbs=""
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
            --) [[ "$cmd" == exec ]] && return 0 ;;
            -*=*) ;;
            -*) if _s3vpce_valued "$cmd" "$w"; then ((i++)); fi ;;
            *) if [[ -z "$cmd" ]]; then cmd="$w"; else ((npos++)); fi ;;
        esac
    done
    if ((COMP_CWORD > 1)) && _s3vpce_valued "$cmd" "$prev"; then
        return 0
    fi
    case "$cmd" in
`)
	for _, c := range cmds {
		words := dashedAll(c.flags)
		verbs := c.verbs
		pattern := c.name
		if c.name == "" {
			pattern = `""`
			verbs = commandNames(cmds)
		}
		fmt.Fprintf(&b, "        %s) flags=%q; verbs=%q ;;\n", pattern, strings.Join(words, " "), strings.Join(verbs, " "))
	}
	b.WriteString(`    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif ((npos == 0)) && [[ -n "$verbs" ]]; then
        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
    fi
}

complete -o default -F _s3vpce s3vpce
`)
	return b.String()
}

func zshCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`#compdef s3vpce
# zsh completion for s3vpce; load it with: source <(s3vpce completion zsh)

_s3vpce_valued() {
    case "$1:$2" in
        (` + valuedPatterns(cmds) + `) return 0 ;;
    esac
    return 1
}

_s3vpce() {
    local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd="" w
    local -i i npos=0
    local -a flags verbs
    for ((i = 2; i < CURRENT; i++)); do
        w=${words[i]}
        case $w in
            (--) if [[ $cmd == exec ]]; then
                    shift $i words
                    (( CURRENT -= i ))
                    _normal
                    return
                fi ;;
            (-*=*) ;;
            (-*) if _s3vpce_valued "$cmd" "$w"; then (( i++ )); fi ;;
            (*) if [[ -z $cmd ]]; then cmd=$w; else (( npos++ )); fi ;;
        esac
    done
    if (( CURRENT > 2 )) && _s3vpce_valued "$cmd" "$prev"; then
        _files
        return
    fi
    case $cmd in
`)
	for _, c := range cmds {
		pattern := c.name
		verbs := c.verbs
		if c.name == "" {
			pattern = "''"
			verbs = commandNames(cmds)
		}
		fmt.Fprintf(&b, "        (%s) flags=(%s); verbs=(%s) ;;\n", pattern, strings.Join(dashedAll(c.flags), " "), strings.Join(verbs, " "))
	}
	b.WriteString(`    esac
    if [[ $cur == -* ]]; then
        compadd -a flags
    elif (( npos == 0 && ${#verbs} > 0 )); then
        compadd -a verbs
    else
        _files
    fi
}

if [[ ${funcstack[1]} == _s3vpce ]]; then
    _s3vpce "$@"
else
    compdef _s3vpce s3vpce
fi
`)
	return b.String()
}

func fishCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString("# fish completion for s3vpce; load it with: s3vpce completion fish | source\n\n")
	names := commandNames(cmds)
	fmt.Fprintf(&b, "complete -c s3vpce -n __fish_use_subcommand -f -a '%s'\n", strings.Join(names, " "))
	for _, c := range cmds {
		cond := "__fish_use_subcommand"
		if c.name != "" {
			cond = "__fish_seen_subcommand_from " + c.name
		}
		for _, f := range c.flags {
			opt := "-l " + f
			if len(f) == 1 {
				opt = "-s " + f
			}
			if slices.Contains(c.valued, f) {
				opt += " -r"
			}
			fmt.Fprintf(&b, "complete -c s3vpce -n '%s' %s\n", cond, opt)
		}
		if len(c.verbs) > 0 {
			v := strings.Join(c.verbs, " ")
			fmt.Fprintf(&b, "complete -c s3vpce -n '%s; and not __fish_seen_subcommand_from %s' -f -a '%s'\n", cond, v, v)
		}
	}
	return b.String()
}

func commandNames(cmds []compCommand) []string {
	var out []string
	for _, c := range cmds {
		if c.name != "" {
			out = append(out, c.name)
		}
	}
	return out
}
