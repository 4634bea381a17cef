package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/chzyer/readline"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
)

// The shell's prompts: the first line of a statement, and the lines that
// continue it.
const (
	Prompt             = "apiql> "
	ContinuationPrompt = "   ...> "
)

// historyLimit is how many entries the history keeps.
const historyLimit = 1000

// ErrStatementsFailed is returned by REPL.Run when input that did not come
// from a terminal had a statement or meta-command that failed; the shell
// carried on past it, but a script's caller should know.
var ErrStatementsFailed = errors.New("some statements failed")

// ErrInterrupted is returned by REPL.Run when input that did not come from a
// terminal was interrupted (Ctrl-C): the running statement was cancelled
// and the rest of the input was not read.
var ErrInterrupted = errors.New("interrupted")

// REPL is apiql's interactive shell. It reads lines, gathers them into
// statements (a statement runs once a line ends it with a semicolon outside
// strings and comments), runs them in its Session and prints the results.
// A line that starts with "." when no statement is pending is a
// meta-command (.help lists them).
//
// When Stdin is a terminal, lines are edited with a line editor (history,
// Tab completion of keywords, resource names, columns and meta-commands),
// Ctrl-C clears the line being typed, Ctrl-C while a statement runs cancels
// it, and Ctrl-D on an empty line ends the shell. Otherwise lines are read
// plainly, with no banner, prompt or echo, so a script can be piped in; a
// statement left without its semicolon at the end of the input runs then.
//
// Errors (bad SQL, failed API calls, bad meta-commands) are printed on Stderr
// and the shell goes on. A REPL runs once; its fields must not change while
// Run runs, except through the meta-commands.
type REPL struct {
	// Session runs the statements.
	Session *engine.Session
	// Stdin is read line by line.
	Stdin io.Reader
	// Stdout receives results; Stderr errors, messages and timings. On a
	// terminal the prompt and the line being edited go to Stdout, or to
	// Stderr when Stdout is not a terminal.
	Stdout, Stderr io.Writer
	// Format and Headers are the output settings (.output and .headers
	// change them).
	Format  Format
	Headers bool
	// Null, when set, is what NULL prints as (see Printer.Null; .null
	// changes it).
	Null *string
	// Timing prints each statement's rows, time, requests, pages and bytes
	// on Stderr (.timing changes it).
	Timing bool
	// Vars are the template variables: a statement that holds "{{" is
	// rendered with them first (see Render). .set and .unset change the map;
	// nil starts with none.
	Vars map[string]any
	// HistoryFile is where the history is kept, one entry per line (see
	// HistoryPath); its folder is created when missing. Empty keeps no
	// history on disk. Only a terminal session reads or writes it.
	HistoryFile string
	// Secrets are values no history entry may hold (the environment's API
	// tokens): a statement that holds one is run, but not remembered, and
	// its errors print them masked (***).
	Secrets []string
	// MoreSecrets, when set, gives more such values, asked each time they
	// are needed: tokens known only once something has run (the token
	// commands' outputs; asking may run them).
	MoreSecrets func() []string
	// Banner is printed when a terminal session starts.
	Banner string
	// Interrupts delivers interrupts (SIGINT): one that arrives while a
	// statement runs cancels that statement's context, so its HTTP calls
	// stop, and the shell prompts again. Interrupts that arrive while the
	// shell waits for input are ignored on a terminal (where Ctrl-C is read
	// as a key) and end the input otherwise. Nil: nothing is interrupted.
	Interrupts <-chan os.Signal
	// Stop delivers signals that end the shell (SIGTERM, SIGHUP): a
	// running statement is cancelled as by an interrupt and what it did is
	// reported, nothing more is read, and Run returns a *StoppedError.
	// Nil: nothing stops the shell but its input.
	Stop <-chan os.Signal
	// ClearStatus, when set, is called before each statement runs and before
	// anything is printed about it, so that a status line drawn on the
	// terminal (fetch progress) can be erased.
	ClearStatus func()

	mu       sync.Mutex // guards pending, read by the completer
	pending  []string   // lines of the statement being typed
	lineNo   int        // lines read so far
	stmtLine int        // the line the pending statement starts on
	terminal bool
	failures int
	hist     *history
	rl       *readline.Instance
	stopped  atomic.Value // the os.Signal that came on Stop
	jsonOut  *Printer     // json of input that is not a terminal: one document
	// stmtBase counts the statements of the texts run before: the json
	// document numbers statements in the order of the input, failed ones
	// included, as exec does.
	stmtBase int
}

// StoppedError is what Run returns when a signal on Stop ended the shell.
type StoppedError struct{ Signal os.Signal }

func (e *StoppedError) Error() string { return "stopped by " + signalName(e.Signal) }

// signalName is SIGTERM, SIGHUP or SIGINT, or what the signal says.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return sig.String()
}

// stopSignal returns the signal that came on Stop, or nil.
func (r *REPL) stopSignal() os.Signal {
	s, _ := r.stopped.Load().(os.Signal)
	return s
}

// Run runs the shell until the input ends, .quit, or ctx is done. It returns
// nil then; ErrStatementsFailed or ErrInterrupted for input that is not a
// terminal (see their docs); or an error when the terminal could not be set
// up.
func (r *REPL) Run(ctx context.Context) error {
	if r.Session == nil {
		return errors.New("shell: no session")
	}
	if r.Stdout == nil {
		r.Stdout = io.Discard
	}
	if r.Stderr == nil {
		r.Stderr = io.Discard
	}
	if r.Vars == nil {
		r.Vars = map[string]any{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rlMu sync.Mutex // guards r.rl against the stop watcher
	if r.Stop != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case sig := <-r.Stop:
				r.stopped.Store(sig)
				cancel()
				rlMu.Lock()
				if r.rl != nil {
					r.rl.Close() // unblock a Readline waiting for a key
				}
				rlMu.Unlock()
			case <-done:
			}
		}()
	}
	var err error
	if f, ok := r.Stdin.(*os.File); ok && readline.IsTerminal(int(f.Fd())) {
		r.terminal = true
		err = r.runTerminal(ctx, f, &rlMu)
	} else {
		err = r.runPiped(ctx)
	}
	if r.jsonOut != nil {
		if cerr := r.jsonOut.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if sig := r.stopSignal(); sig != nil {
		return &StoppedError{Signal: sig}
	}
	return err
}

// runTerminal reads lines with the line editor.
func (r *REPL) runTerminal(ctx context.Context, in *os.File, rlMu *sync.Mutex) error {
	fd := int(in.Fd())
	editorOut := r.Stdout
	if !isTerminalWriter(r.Stdout) {
		editorOut = r.Stderr
	}
	hist, err := openHistory(r.HistoryFile, historyLimit)
	if err != nil {
		fmt.Fprintf(r.Stderr, "warning: %v; history is not saved\n", err)
		hist.path = ""
	}
	r.hist = hist

	var (
		rawMu sync.Mutex
		raw   *readline.State
	)
	cfg := &readline.Config{
		Prompt:                 Prompt,
		HistoryLimit:           historyLimit,
		DisableAutoSaveHistory: true,
		AutoComplete:           &Completer{Registry: r.Session.Registry(), Pending: r.pendingText, Vars: r.varNames},
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n", // readline's way of saying: print nothing but the line break
		Stdin:                  readline.NewCancelableStdin(in),
		Stdout:                 editorOut,
		Stderr:                 r.Stderr,
		FuncIsTerminal:         func() bool { return true },
		FuncMakeRaw: func() error {
			rawMu.Lock()
			defer rawMu.Unlock()
			st, err := readline.MakeRaw(fd)
			if err == nil {
				raw = st
			}
			return err
		},
		FuncExitRaw: func() error {
			rawMu.Lock()
			defer rawMu.Unlock()
			if raw == nil {
				return nil
			}
			err := readline.Restore(fd, raw)
			raw = nil
			return err
		},
		FuncGetWidth: func() int {
			if w, _, err := readline.GetSize(fd); err == nil && w > 0 {
				return w
			}
			return 80
		},
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return fmt.Errorf("shell: starting the line editor: %w", err)
	}
	rlMu.Lock()
	r.rl = rl
	rlMu.Unlock()
	defer rl.Close()
	r.loadHistory()

	if r.Banner != "" {
		fmt.Fprintln(editorOut, strings.TrimRight(r.Banner, "\n"))
	}
	for ctx.Err() == nil {
		if r.pendingText() == "" {
			rl.SetPrompt(Prompt)
		} else {
			rl.SetPrompt(ContinuationPrompt)
		}
		line, err := rl.Readline()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, readline.ErrInterrupt):
			r.setPending(nil) // Ctrl-C: forget the line and the statement it continued
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("shell: reading input: %w", err)
		}
		if quit, _ := r.handleLine(ctx, line); quit {
			return nil
		}
	}
	return nil
}

// loadHistory hands the history entries to the line editor.
func (r *REPL) loadHistory() {
	r.rl.ResetHistory()
	for _, e := range r.hist.entries {
		r.rl.SaveHistory(e)
	}
}

// remember adds an entry to the history.
func (r *REPL) remember(entry string) {
	if r.hist == nil {
		return
	}
	for _, sec := range r.secrets() {
		if sec != "" && provider.Mask(entry, sec) != entry {
			fmt.Fprintln(r.Stderr, "note: this statement holds an API token; it is not saved in the history")
			return
		}
	}
	added, err := r.hist.add(entry)
	if err != nil {
		fmt.Fprintf(r.Stderr, "warning: %v; history is not saved\n", err)
		r.hist.path = ""
	}
	if added {
		// Rebuilt rather than appended: readline would store the last
		// line typed, not the whole statement, after a history recall.
		r.loadHistory()
	}
}

// runPiped reads lines plainly: input that is not a terminal.
func (r *REPL) runPiped(ctx context.Context) error {
	type read struct {
		line string
		err  error
	}
	lines := make(chan read)
	done := make(chan struct{})
	defer close(done)
	go func() {
		br := bufio.NewReader(r.Stdin)
		for {
			line, err := br.ReadString('\n')
			if line != "" || err != nil {
				select {
				case lines <- read{strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), err}:
				case <-done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		var in read
		select {
		case in = <-lines:
		case <-r.Interrupts:
			return ErrInterrupted
		case <-ctx.Done():
			return ctx.Err()
		}
		if in.line != "" || in.err == nil {
			quit, cancelled := r.handleLine(ctx, in.line)
			if cancelled {
				return ErrInterrupted
			}
			if quit {
				break
			}
		}
		if in.err != nil {
			if !errors.Is(in.err, io.EOF) {
				fmt.Fprintf(r.Stderr, "error: reading input: %v\n", in.err)
				r.failures++
			}
			// The end of the input ends a statement left open.
			if text := r.pendingText(); strings.TrimSpace(text) != "" {
				r.setPending(nil)
				if r.runInput(ctx, text) {
					return ErrInterrupted
				}
			}
			break
		}
	}
	if r.failures > 0 {
		return ErrStatementsFailed
	}
	return nil
}

// handleLine takes one line of input: a meta-command, or part of a
// statement, which runs once complete. It reports whether the shell should
// end, and whether a statement was cancelled.
func (r *REPL) handleLine(ctx context.Context, line string) (quit, cancelled bool) {
	r.lineNo++
	if r.pendingText() == "" {
		r.stmtLine = r.lineNo
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			return false, false
		}
		if isMeta(trimmed) {
			r.remember(trimmed)
			return r.meta(ctx, trimmed)
		}
	}
	r.mu.Lock()
	r.pending = append(r.pending, line)
	text := strings.Join(r.pending, "\n")
	r.mu.Unlock()
	if !StatementComplete(text) {
		return false, false
	}
	r.setPending(nil)
	if toks, err := sqltext.Lex(text); err == nil && len(toks) == 0 {
		return false, false // nothing but comments
	}
	r.remember(historyEntry(text))
	return false, r.runInput(ctx, text)
}

func (r *REPL) pendingText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return ""
	}
	return strings.Join(r.pending, "\n") + "\n"
}

func (r *REPL) setPending(lines []string) {
	r.mu.Lock()
	r.pending = lines
	r.mu.Unlock()
}

// runInput runs a statement typed or piped in. Errors of piped input
// give the line of the input they come from.
func (r *REPL) runInput(ctx context.Context, text string) (cancelled bool) {
	if r.terminal {
		return r.runText(ctx, "", text, 0)
	}
	return r.runText(ctx, "stdin", text, r.stmtLine)
}

// runText renders text with the variables when it holds "{{", runs its
// statements and prints each outcome. The first failing statement stops the
// rest. name names the text in template errors. firstLine, when positive,
// is the line of the input text starts on: errors then give lines of the
// input rather than of text. It reports whether a statement was cancelled
// by an interrupt.
func (r *REPL) runText(ctx context.Context, name, text string, firstLine int) (cancelled bool) {
	if line, cmd, ok := metaLine(text); ok && name != "" && firstLine == 0 {
		// A query file (.read) holds statements only.
		r.fail(metaInFileError(name, line, cmd))
		return false
	}
	if strings.Contains(text, "{{") {
		rendered, err := Render(name, text, r.Vars)
		if err != nil {
			var te *TemplateError
			if errors.As(err, &te) {
				if firstLine > 0 && te.Line > 0 {
					te.Line += firstLine - 1
				}
				r.stmtBase += countStatements(text)
				if te.Variable != "" && !strings.Contains(te.Variable, ".") {
					te.Message = fmt.Sprintf("undefined variable %q; set it with .set %s VALUE", te.Variable, te.Variable)
				}
			}
			r.fail(err)
			return false
		}
		text = rendered
	}
	total := 0
	if stmts, err := sqltext.Split(text); err == nil {
		total = len(stmts)
	}
	base := r.stmtBase
	r.stmtBase += countStatements(text)

	// Drop interrupts that came while the shell was idle; then let the
	// next one cancel this text.
	for drained := false; !drained; {
		select {
		case <-r.Interrupts:
		default:
			drained = true
		}
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var interrupted atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if r.Interrupts != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-r.Interrupts:
				interrupted.Store(true)
				cancel()
			case <-stop:
			case <-ctx.Done():
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()

	printer := &Printer{Out: r.Stdout, Info: r.Stderr, Format: r.Format, Headers: r.Headers, Null: r.Null}
	switch {
	case r.terminal:
	case r.format() == FormatJSON:
		// Input that is not a terminal is one run: its json is one
		// document (see Printer.Several), closed when the input ends or
		// the format changes.
		if r.jsonOut == nil {
			r.jsonOut = &Printer{Out: r.Stdout, Info: r.Stderr, Format: FormatJSON, Several: true}
		}
		printer = r.jsonOut
	case r.jsonOut != nil:
		if err := r.jsonOut.Close(); err != nil {
			r.fail(fmt.Errorf("writing output: %w", err))
		}
		r.jsonOut = nil
	}
	r.clearStatus()
	err := r.Session.RunStream(qctx, text, func(o engine.Outcome, rows *engine.Rows) error {
		r.clearStatus()
		if err := printer.PrintStatement(base+o.N, rows); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
		return nil
	}, func(o engine.Outcome) bool {
		r.clearStatus()
		rest := ""
		if more := total - o.N; more > 0 {
			rest = "; " + count(int64(more), "more statement") + " not run"
		}
		if o.Err != nil && (interrupted.Load() || r.stopSignal() != nil || errors.Is(o.Err, context.Canceled) && ctx.Err() == nil) {
			if isWrite(o.Statement.Kind) && !errors.Is(o.Err, context.Canceled) {
				// What a write had done when it was stopped.
				rest += "\n" + o.Err.Error()
			}
			if sig := r.stopSignal(); sig != nil {
				rest = " by " + signalName(sig) + rest
			}
			r.cancelled(rest)
			cancelled = true
			return false
		}
		if o.Err != nil {
			var e *engine.Error
			if firstLine > 0 && errors.As(o.Err, &e) {
				// The line of the input, not of the statement's text.
				if e.Line == 0 {
					e.Line = o.Statement.Line
				}
				e.Line += firstLine - 1
				e.Stmt = 0
			}
			r.fail(o.Err)
			if rest != "" {
				fmt.Fprintf(r.Stderr, "  (%s)\n", strings.TrimPrefix(rest, "; "))
			}
			return false
		}
		if r.Timing {
			fmt.Fprintln(r.Stderr, TimingLine(o))
		}
		if interrupted.Load() {
			r.cancelled(rest)
			cancelled = true
			return false
		}
		r.clearStatus()
		return true
	})
	if err != nil {
		r.fail(err)
	}
	return cancelled
}

// countStatements is how many statements text holds (one when it cannot
// be split: it fails as one).
func countStatements(text string) int {
	if stmts, err := sqltext.Split(text); err == nil && len(stmts) > 0 {
		return len(stmts)
	}
	return 1
}

func (r *REPL) clearStatus() {
	if r.ClearStatus != nil {
		r.ClearStatus()
	}
}

// cancelled says that a statement was cancelled.
func (r *REPL) cancelled(rest string) {
	r.failures++
	if r.terminal {
		// Overwrite the ^C the terminal echoed.
		fmt.Fprintf(r.Stderr, "\rcancelled%s\n", TerminalText(rest))
		return
	}
	fmt.Fprintf(r.Stderr, "cancelled%s\n", TerminalText(rest))
}

// isWrite reports whether a statement kind changes resources.
func isWrite(k sqltext.StmtKind) bool {
	return k == sqltext.Insert || k == sqltext.Update || k == sqltext.Delete || k == sqltext.Exec
}

// fail prints an error and counts it.
func (r *REPL) fail(err error) {
	r.failures++
	fmt.Fprintf(r.Stderr, "error: %s\n", TerminalText(MaskSecrets(err.Error(), r.secrets())))
}

// secrets returns Secrets and MoreSecrets' values.
func (r *REPL) secrets() []string {
	if r.MoreSecrets == nil {
		return r.Secrets
	}
	return append(r.Secrets[:len(r.Secrets):len(r.Secrets)], r.MoreSecrets()...)
}

// MaskSecrets replaces each of secrets in s with *** (provider.Mask): an
// error that quotes a statement's text or value never shows a token the
// user typed.
func MaskSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		s = provider.Mask(s, sec)
	}
	return s
}

// isTerminalWriter reports whether w is a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}
