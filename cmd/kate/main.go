// Command kate trains and uses KATE (k-competitive autoencoder for text)
// models from the command line.
//
// Usage:
//
//	kate train   --data FILE -o MODEL [training flags]
//	kate encode  --model MODEL --data FILE -o OUT(.tsv|.f32|-)
//	kate topics  --model MODEL [-n 10] [--by documents|weight|learned]
//	kate similar --model MODEL --data FILE [-n 5] "query text"
//	kate eval    --data FILE [--label-field label] [training flags]
//	kate index   -o search.kidx [--model MODEL | training flags] PATH...
//	kate help [COMMAND]
//	kate version          (also names the kernels in use: "go", or "avx2" in a
//	                       build with GOEXPERIMENT=simd on a CPU with AVX2,
//	                       "avx512" on one with AVX-512)
//
// Input FILE is JSON Lines (optionally gzip-compressed), a plain text file
// with one document per line, or a directory of .txt files (see package
// dataset). Errors are one line on stderr with exit status 2; an
// interrupted run (Ctrl-C) exits with status 130 and writes nothing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"os/signal"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
)

// command is one subcommand. Each subcommand's file registers itself in
// commands from an init function.
type command struct {
	// summary is the one-line description shown by "kate help".
	summary string
	// usage is the synopsis without the flags, e.g.
	// "kate train --data FILE -o MODEL [flags]".
	usage string
	// run executes the command with the arguments after its name. A
	// returned error is printed as one line; see exitCode for the status.
	run func(ctx context.Context, e *env, args []string) error
}

// commands maps a subcommand's name to its implementation.
var commands = map[string]*command{}

// env holds a command's standard streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1 // an operational failure (e.g. writing the output)
	exitUsage       = 2 // bad input: flags, data or model
	exitInterrupted = 130
)

// usageError is bad command-line usage; its message is followed by a hint
// to read the command's help.
type usageError struct {
	cmd string
	msg string
}

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError for command cmd.
func usagef(cmd, format string, a ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, a...)}
}

// failure marks an error as operational (exit status 1) rather than bad
// input.
type failure struct{ err error }

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// errHelpShown is returned after -h printed a command's help.
var errHelpShown = errors.New("help shown")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default behaviour so that a
		// second Ctrl-C ends the program at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args (without the program name) and
// returns the exit status. It is the whole program except signal handling,
// so tests call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				return report(stderr, "kate", &usageError{msg: fmt.Sprintf("unknown command %q", args[1])})
			}
			return report(stderr, "kate "+args[1], c.run(ctx, e, []string{"-h"}))
		}
		printUsage(stdout)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "kate %s (%s %s/%s, kernels %s)\n", kate.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, kernels.Name())
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		return report(stderr, "kate", &usageError{msg: fmt.Sprintf("unknown command %q", name)})
	}
	return report(stderr, "kate "+name, c.run(ctx, e, args[1:]))
}

// report prints err as one line prefixed by prog and returns the exit
// status for it.
func report(stderr io.Writer, prog string, err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	code := exitUsage
	msg := err.Error()
	var ue *usageError
	var fe *failure
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = exitInterrupted
		for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
			msg = strings.TrimSuffix(msg, ": "+cause.Error())
			if msg == cause.Error() {
				msg = "interrupted"
			}
		}
	case errors.As(err, &ue):
		hint := "kate help"
		if ue.cmd != "" {
			hint += " " + ue.cmd
		}
		msg += " (see '" + hint + "')"
	case errors.As(err, &fe):
		code = exitFailure
	}
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
	fmt.Fprintf(stderr, "%s: %s\n", prog, msg)
	return code
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "kate %s: k-competitive autoencoder for text (KATE)\n\nUsage:\n", kate.Version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "show help for a command: kate help COMMAND")
	fmt.Fprintf(w, "  %-8s %s\n", "version", "print the version")
	fmt.Fprint(w, `
Input data (--data) is JSON Lines (optionally .gz; fields "text", optional
"id", "split", "label"), a plain text file with one document per line, or a
directory of .txt files (a sub-directory's name is the label of its files).
`)
}

// newFlagSet returns a flag set for command name whose -h prints the
// command's usage and flags to e.stdout.
func newFlagSet(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := commands[name]
	fs.Usage = func() {
		if c != nil {
			fmt.Fprintf(e.stdout, "%s\n\nUsage: %s\n\nFlags:\n", c.summary, c.usage)
		}
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args with fs, allowing flags and positional arguments
// in any order ("--" ends the flags), and returns the positional arguments.
// -h prints the help and returns errHelpShown; a bad flag is a usageError.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	// The flag package calls Usage on every error; print the help only when
	// it was asked for.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, errHelpShown
			}
			msg := err.Error()
			if s, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown flag " + s
			}
			return nil, usagef(fs.Name(), "%s", msg)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// fs.Parse stops at the first non-flag argument or after "--".
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs errors when a command that takes no positional argument got some.
func noArgs(cmd string, pos []string) error {
	if len(pos) > 0 {
		return usagef(cmd, "unexpected argument %q", pos[0])
	}
	return nil
}
