// Package jsonspan finds the members of a JSON object and the elements of
// a JSON array as byte spans of the document, without decoding them.
//
// It is the fast path for pages of API objects: a page is validated once
// (Valid, which answers as json.Valid does, faster), then split and read
// field by field from the same bytes, with no intermediate maps or copies.
// On invalid input it returns an error or stops early; it never panics and
// never reads out of bounds.
package jsonspan

import (
	"bytes"
	"encoding/json"
	"errors"
)

// ErrSyntax is returned for input that is not the JSON value expected.
var ErrSyntax = errors.New("jsonspan: malformed JSON")

// Object calls fn for each member of the JSON object in data, in document
// order, with the member's key (unquoted when it has no escapes, decoded
// otherwise) and its raw value. It stops when fn returns false.
func Object(data []byte, fn func(key []byte, value []byte) bool) error {
	var err error
	merr := Members(data, func(key []byte, escaped bool, value []byte) bool {
		if escaped {
			var s string
			if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s) != nil {
				err = ErrSyntax
				return false
			}
			key = []byte(s)
		}
		return fn(key, value)
	})
	if merr != nil {
		return merr
	}
	return err
}

// Members calls fn for each member of the JSON object in data, in document
// order, with the member's key as written between its quotes (escaped
// reports whether it holds a backslash escape) and its raw value. It stops
// when fn returns false.
func Members(data []byte, fn func(key []byte, escaped bool, value []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ErrSyntax
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return ErrSyntax
		}
		end, escaped := stringEnd(data, i)
		if end < 0 {
			return ErrSyntax
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return ErrSyntax
		}
		i = skipSpace(data, i+1)
		vend := valueEnd(data, i)
		if vend < 0 {
			return ErrSyntax
		}
		if !fn(key, escaped, data[i:vend]) {
			return nil
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return ErrSyntax
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil
		default:
			return ErrSyntax
		}
	}
}

// Array returns the raw elements of the JSON array in data. The elements
// share data's memory.
func Array(data []byte) ([][]byte, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, ErrSyntax
	}
	var elems [][]byte
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return elems, nil
	}
	for {
		end := valueEnd(data, i)
		if end < 0 {
			return nil, ErrSyntax
		}
		elems = append(elems, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, ErrSyntax
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return elems, nil
		default:
			return nil, ErrSyntax
		}
	}
}

// String returns the text of a JSON string value, or ok false when raw is
// not a string.
func String(raw []byte) (s string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// Compact returns raw as compact JSON text: as is when it holds no
// insignificant space, compacted otherwise.
func Compact(raw []byte) string {
	if !bytes.ContainsAny(raw, " \t\r\n") {
		return string(raw)
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the offset after the string starting at data[i] (a
// quote), and whether it holds escapes; -1 when it is not terminated.
func stringEnd(data []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// valueEnd returns the offset after the JSON value starting at data[i],
// or -1 when it is cut off or not a value.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch c := data[i]; c {
	case '"':
		end, _ := stringEnd(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := stringEnd(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(data) {
			switch data[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				if j == i {
					return -1
				}
				return j
			}
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}
