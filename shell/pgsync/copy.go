package pgsync

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/shell/pgvalue"
)

// copySource feeds COPY from a statement's rows: each row's fields
// converted to their columns' types, then the run, the time and the
// connection.
type copySource struct {
	cols     []column
	run      int64
	syncedAt time.Time
	resource string

	idField string // the resource's identity field, named in errors

	rows    *engine.Rows
	index   []int // result column of each table column, -1 if absent
	connIdx int
	idIdx   int // result column of idField, -1 if absent
	vals    []any
	rowsErr error // the error that ended the rows early
	valErr  error // a value that does not fit its column
}

// bind maps the result's columns to the table's.
func (s *copySource) bind(rows *engine.Rows) error {
	s.rows = rows
	pos := map[string]int{}
	for i, c := range rows.Columns {
		if _, dup := pos[c.Name]; !dup {
			pos[c.Name] = i
		}
	}
	s.idIdx = -1
	if j, ok := pos[s.idField]; ok && s.idField != "" {
		s.idIdx = j
	}
	s.index = make([]int, len(s.cols))
	for i, c := range s.cols {
		j, ok := pos[c.name]
		if !ok {
			j = -1
		}
		s.index[i] = j
	}
	// The connection column is the last one asked for.
	s.connIdx = len(rows.Columns) - 1
	if s.connIdx < 0 {
		return fmt.Errorf("%s returned no columns", s.resource)
	}
	s.vals = make([]any, len(s.cols)+3)
	return nil
}

func (s *copySource) Next() bool {
	if s.rows.Next() {
		return true
	}
	s.rowsErr = s.rows.Err()
	return false
}

func (s *copySource) Values() ([]any, error) {
	row := s.rows.Row()
	for i, c := range s.cols {
		var v any
		if j := s.index[i]; j >= 0 && j < len(row) {
			v = row[j]
		}
		cv, err := convert(c.typ, v)
		if err != nil {
			s.valErr = s.valueError(row, c, err)
			return nil, s.valErr
		}
		s.vals[i] = cv
	}
	n := len(s.cols)
	s.vals[n] = s.run
	s.vals[n+1] = s.syncedAt
	conn := "default"
	if s.connIdx < len(row) {
		if c, ok := row[s.connIdx].(string); ok && c != "" {
			conn = c
		}
	}
	s.vals[n+2] = conn
	return s.vals, nil
}

func (s *copySource) Err() error { return s.rowsErr }

// valueError words a value that does not fit its column: the resource,
// the row (its number, and its id when it has one), the column, and what
// to do.
func (s *copySource) valueError(row []any, c column, err error) error {
	where := fmt.Sprintf("row %d", s.rows.Count())
	if s.idIdx >= 0 && s.idIdx < len(row) && row[s.idIdx] != nil {
		where += fmt.Sprintf(" (%s %s)", s.idField, pgvalue.AsText(row[s.idIdx]))
	}
	return &engine.Error{
		Msg: fmt.Sprintf("%s, %s, column %s (%s): %v", s.resource, where, c.name, c.typ, err),
		Hint: fmt.Sprintf("the API sent a value the registry's type for %s does not allow; nothing of %s was written this run: sync the other resources without it, and report the field's type",
			c.name, s.resource),
	}
}

// convert makes an engine value fit its column's PostgreSQL type. A value
// that does not fit (an integer field the API sent as "n/a") is an error:
// the transaction is rolled back rather than a wrong value stored.
// PostgreSQL's text and jsonb cannot hold NUL: each NUL character of text
// (and each \u0000 of JSON text) becomes U+FFFD, as does each run of bytes
// that is not UTF-8.
func convert(typ string, v any) (any, error) {
	cv, err := pgvalue.Convert(valueType(typ), pgvalue.Exact, v)
	if s, ok := cv.(string); ok && err == nil && (typ == "text" || typ == "jsonb") {
		t := pgText(s)
		if typ == "jsonb" {
			t = jsonNoNUL(t)
		}
		// Boxed again only when changed: one allocation per value saved.
		if len(t) != len(s) || t != s {
			cv = t
		}
	}
	return cv, err
}

// pgText is s as PostgreSQL text can hold it: NUL and bytes that are not
// UTF-8 replaced by U+FFFD.
func pgText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// jsonNoNUL replaces each \u0000 escape of JSON text (which jsonb refuses)
// by \ufffd; an escaped backslash followed by u0000 is left alone.
func jsonNoNUL(s string) string {
	if !strings.Contains(s, `\u0000`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if strings.HasPrefix(s[i:], `\u0000`) {
			b.WriteString(`\ufffd`)
			i += 5
			continue
		}
		b.WriteString(s[i : i+2])
		i++
	}
	return b.String()
}

// valueType is the converter's type for a PostgreSQL type TypeFor gives.
func valueType(typ string) pgvalue.Type {
	switch typ {
	case "bigint":
		return pgvalue.Int8
	case "double precision":
		return pgvalue.Float8
	case "boolean":
		return pgvalue.Bool
	case "timestamptz":
		return pgvalue.Timestamptz
	case "jsonb":
		return pgvalue.JSON
	}
	return pgvalue.Text
}

// MaskURL returns a PostgreSQL connection string fit to print: its
// password replaced by ***.
func MaskURL(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxx")
			u.RawQuery = q.Encode()
		}
		return strings.ReplaceAll(u.String(), "xxx", "***")
	}
	if rawURL.MatchString(dsn) {
		// A URL that does not parse (a bad port, a space or a bad escape
		// in the password): whatever stands where a password would.
		dsn = rawUserinfo.ReplaceAllString(dsn, "${1}***@")
		return rawQueryPassword.ReplaceAllString(dsn, "${1}***")
	}
	return kvPassword.ReplaceAllString(dsn, "${1}***")
}

var (
	kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
	// rawURL is a postgres:// URL, whether it parses or not; rawUserinfo
	// its user: and the password after it, to the last @ (a password may
	// hold an unescaped @; masking too much is the safe side);
	// rawQueryPassword a password= in its query.
	rawURL           = regexp.MustCompile(`(?i)^\s*postgres(?:ql)?://`)
	rawUserinfo      = regexp.MustCompile(`(?i)^(\s*postgres(?:ql)?://[^:@/?#]*:)(.*)@`)
	rawQueryPassword = regexp.MustCompile(`(?i)([?&]password=)([^&#]*)`)
)

// rawPasswords are the passwords a postgres:// URL that does not parse
// may hold, as rawUserinfo and rawQueryPassword find them.
func rawPasswords(dsn string) []string {
	var ps []string
	if m := rawUserinfo.FindStringSubmatch(dsn); m != nil {
		ps = append(ps, m[2])
	}
	for _, m := range rawQueryPassword.FindAllStringSubmatch(dsn, -1) {
		ps = append(ps, m[2])
	}
	return ps
}

// scrubError words err for the user with no trace of the password: any
// occurrence of it (plain or URL-encoded) becomes ***.
func scrubError(dsn, doing string, err error, passwords ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if doing != "" {
		msg = doing + ": " + msg
	}
	secrets := passwords
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	} else if perr != nil {
		secrets = append(secrets, rawPasswords(dsn)...)
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		secrets = append(secrets, strings.Trim(m[2], "'"))
	}
	changed := false
	for _, p := range secrets {
		if p == "" {
			continue
		}
		for _, form := range []string{p, url.QueryEscape(p), url.PathEscape(p), url.UserPassword("", p).String()[1:]} {
			if form != "" && strings.Contains(msg, form) {
				msg = strings.ReplaceAll(msg, form, "***")
				changed = true
			}
		}
	}
	if !changed && doing == "" {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

// scrubbed is an error whose message has been cleaned; Unwrap keeps the
// cause for errors.Is/As (its own message is not shown).
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
