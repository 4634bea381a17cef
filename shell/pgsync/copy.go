package pgsync

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

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

	rows    *engine.Rows
	index   []int // result column of each table column, -1 if absent
	connIdx int
	vals    []any
	rowsErr error // the error that ended the rows early
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
			return nil, fmt.Errorf("%s, row %d, column %s (%s): %v", s.resource, s.rows.Count(), c.name, c.typ, err)
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

// convert makes an engine value fit its column's PostgreSQL type. A value
// that does not fit (an integer field the API sent as "n/a") is an error:
// the transaction is rolled back rather than a wrong value stored.
func convert(typ string, v any) (any, error) {
	return pgvalue.Convert(valueType(typ), pgvalue.Exact, v)
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
