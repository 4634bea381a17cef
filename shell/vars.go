package shell

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ParseVars gathers the variables for query-file templates.
//
// files are JSON files from --vars, each holding one object whose members are
// variables; values keep their JSON types (integers that fit become int64,
// other numbers float64, objects map[string]any, arrays []any, null nil).
// pairs are KEY=VALUE strings from --var; their values are strings. Later
// sources override earlier ones, key by key (no deep merge), and every --var
// overrides every file. The result is never nil.
//
// Errors name the --var pair or the file (with line and column for a JSON
// syntax error).
func ParseVars(pairs []string, files []string) (map[string]any, error) {
	vars := map[string]any{}
	for _, name := range files {
		fileVars, err := readVarsFile(name)
		if err != nil {
			return nil, err
		}
		for k, v := range fileVars {
			vars[k] = v
		}
	}
	for _, pair := range pairs {
		key, val, ok := strings.Cut(pair, "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("--var %q: no '=': want --var KEY=VALUE", pair)
		case key == "":
			return nil, fmt.Errorf("--var %q: empty variable name: want --var KEY=VALUE", pair)
		}
		vars[key] = val
	}
	return vars, nil
}

// readVarsFile reads one --vars file.
func readVarsFile(name string) (map[string]any, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--vars file %s: %w", name, err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("--vars file %s: %s", name, fmt.Sprintf(format, args...))
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark, as Windows editors write
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			return nil, fail("empty file: want a JSON object of variables")
		case errors.As(err, &syntax):
			line, col := lineColumn(data, syntax.Offset)
			return nil, fail("line %d, column %d: %v", line, col, err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fail("unexpected end of file: the JSON is incomplete")
		}
		return nil, fail("%v", err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fail("want a JSON object of variables, got %s", jsonTypeName(doc))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := lineColumn(data, dec.InputOffset())
		return nil, fail("line %d, column %d: unexpected data after the JSON object", line, col)
	}
	return convertJSONNumbers(obj).(map[string]any), nil
}

// convertJSONNumbers replaces json.Number values: int64 when the number is an
// integer that fits, else float64 (the literal text when even that overflows).
func convertJSONNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	case map[string]any:
		for k, e := range x {
			x[k] = convertJSONNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = convertJSONNumbers(e)
		}
	}
	return v
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// lineColumn turns a byte offset in data into a 1-based line and column.
func lineColumn(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, max(col, 1)
}
