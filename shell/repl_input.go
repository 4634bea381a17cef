package shell

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
)

// StatementComplete reports whether text, the lines of input read so far
// joined with "\n", is ready to run: its last token is a semicolon outside
// strings, quoted identifiers and comments, or it holds nothing but space and
// comments. Text that ends inside a string, a quoted identifier or a /* */
// comment, or whose last token is anything but a semicolon, needs more lines.
//
// A lexical error other than an unterminated construct (a stray character)
// cannot be cured by more lines; such text is complete when it ends with a
// semicolon, so that running it reports the error.
func StatementComplete(text string) bool {
	toks, err := sqltext.Lex(text)
	if err != nil {
		var le *sqltext.Error
		if errors.As(err, &le) && unterminatedAt(text, le.Pos) {
			return false
		}
		return strings.HasSuffix(strings.TrimSpace(text), ";")
	}
	return len(toks) == 0 || toks[len(toks)-1].IsOp(";")
}

// unterminatedAt reports whether a lexical error at byte pos of text is a
// construct left open (a string, quoted identifier, blob or block comment),
// judged by what starts there rather than by the error's wording.
func unterminatedAt(text string, pos int) bool {
	if pos < 0 || pos >= len(text) {
		return false
	}
	rest := text[pos:]
	switch {
	case rest[0] == '\'', rest[0] == '"', rest[0] == '`', rest[0] == '[':
		return true
	case strings.HasPrefix(rest, "/*"):
		return true
	case len(rest) > 1 && (rest[0] == 'x' || rest[0] == 'X') && rest[1] == '\'':
		return true
	}
	return false
}

// historyEntry turns the text of one statement, possibly typed over several
// lines, into one line for the history: line breaks become single spaces, and
// a -- comment becomes a /* */ comment so that it does not swallow the lines
// joined after it. Text on one line is returned trimmed. (A line break inside
// a string literal becomes a space too: history lines cannot hold one.)
func historyEntry(text string) string {
	text = strings.TrimSpace(text)
	if !strings.ContainsAny(text, "\r\n") {
		return text
	}
	var b strings.Builder
	const (
		normal = iota
		quoted
		lineComment
		blockComment
	)
	state, quote := normal, byte(0)
	space := func() {
		s := strings.TrimRight(b.String(), " \t")
		b.Reset()
		b.WriteString(s)
		if s != "" {
			b.WriteByte(' ')
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch state {
		case normal:
			switch {
			case c == '\r' || c == '\n':
				space()
				for i+1 < len(text) && strings.IndexByte(" \t\r\n", text[i+1]) >= 0 {
					i++
				}
				continue
			case c == '-' && strings.HasPrefix(text[i:], "--"):
				state = lineComment
				b.WriteString("/*")
				i++
				continue
			case c == '/' && strings.HasPrefix(text[i:], "/*"):
				state = blockComment
				b.WriteString("/*")
				i++
				continue
			case c == '\'' || c == '"' || c == '`':
				state, quote = quoted, c
			case c == '[':
				state, quote = quoted, ']'
			}
			b.WriteByte(c)
		case quoted:
			if c == quote {
				state = normal // a doubled quote reopens at once
			}
			if c == '\r' || c == '\n' {
				c = ' '
			}
			b.WriteByte(c)
		case lineComment:
			if c == '\r' || c == '\n' {
				s := strings.TrimRight(b.String(), " \t")
				b.Reset()
				b.WriteString(s)
				b.WriteString(" */")
				state = normal
				i-- // let normal turn the line break into a space
				continue
			}
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				b.WriteString("* ")
				continue
			}
			b.WriteByte(c)
		case blockComment:
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				b.WriteString("*/")
				i++
				state = normal
				continue
			}
			if c == '\r' || c == '\n' {
				c = ' '
			}
			b.WriteByte(c)
		}
	}
	if state == lineComment {
		s := strings.TrimRight(b.String(), " \t")
		b.Reset()
		b.WriteString(s)
		b.WriteString(" */")
	}
	return strings.TrimSpace(b.String())
}

// HistoryPath returns where the shell keeps its history:
// $XDG_STATE_HOME/apiql/history, or ~/.local/state/apiql/history when
// XDG_STATE_HOME is unset or not an absolute path. getenv reads the
// environment (os.Getenv).
func HistoryPath(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "apiql", "history"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder for the shell history: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "apiql", "history"), nil
}

// history is the shell's list of past entries, one per statement or
// meta-command, kept in a file with one entry per line.
type history struct {
	path    string
	limit   int
	entries []string
}

// openHistory reads the history file at path, creating its folder (private to
// the user) when missing. A missing file is an empty history.
func openHistory(path string, limit int) (*history, error) {
	h := &history{path: path, limit: limit}
	if path == "" {
		return h, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return h, fmt.Errorf("history: %w", err)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			h.entries = append(h.entries, line)
		}
	}
	if err := sc.Err(); err != nil {
		return h, fmt.Errorf("history %s: %w", path, err)
	}
	if len(h.entries) > limit {
		h.entries = h.entries[len(h.entries)-limit:]
		if err := h.rewrite(); err != nil {
			return h, err
		}
	}
	return h, nil
}

// add appends entry, unless it repeats the last one, and saves it. It
// reports whether the entry was added.
func (h *history) add(entry string) (bool, error) {
	entry = strings.TrimSpace(entry)
	if entry == "" || len(h.entries) > 0 && h.entries[len(h.entries)-1] == entry {
		return false, nil
	}
	h.entries = append(h.entries, entry)
	if len(h.entries) > h.limit {
		h.entries = h.entries[len(h.entries)-h.limit:]
	}
	if h.path == "" {
		return true, nil
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	_, err = f.WriteString(entry + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	return true, nil
}

// rewrite replaces the file with the entries kept.
func (h *history) rewrite() error {
	tmp := h.path + ".tmp"
	data := strings.Join(h.entries, "\n")
	if data != "" {
		data += "\n"
	}
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := os.Rename(tmp, h.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("history: %w", err)
	}
	return nil
}
