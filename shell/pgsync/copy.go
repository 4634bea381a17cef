package pgsync

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apiql/apiql/engine"
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
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch typ {
	case "bigint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("%s is not an integer", show(v))
	case "double precision":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%s is not a number", show(v))
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("%s is not a boolean", show(v))
	case "timestamptz":
		// A date-time field: an RFC 3339 string from the API. An empty one
		// (no time yet) is NULL; anything else that does not parse is an
		// error, as for the other types.
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			if strings.TrimSpace(x) == "" {
				return nil, nil
			}
			if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x)); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("%s is not an RFC 3339 date-time (2006-01-02T15:04:05Z)", show(v))
	case "jsonb":
		if s, ok := v.(string); ok {
			return s, nil // JSON text, as the engine gives arrays and objects
		}
		return nil, fmt.Errorf("%s is not JSON text", show(v))
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return fmt.Sprint(v), nil
}

func show(v any) string {
	if s, ok := v.(string); ok {
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
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
	return kvPassword.ReplaceAllString(dsn, "${1}***")
}

var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

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
