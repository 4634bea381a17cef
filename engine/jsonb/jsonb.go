// Package jsonb encodes JSON text as SQLite's binary JSON (JSONB,
// https://sqlite.org/jsonb.html), so that a page of API objects reaches
// SQLite already parsed: SQLite's JSON functions read JSONB without a parse,
// and the materializer's INSERT ... FROM jsonb_each(?) then costs SQLite only
// the field lookups and the row writes.
//
// The encoding is a re-framing, not a conversion: JSONB keeps numbers and
// strings as their JSON text, so payloads are copied byte for byte and only
// the element headers are new.
package jsonb

import (
	"bytes"
	"errors"
)

// Element types of JSONB (the low four bits of a header's first byte).
const (
	typeNull   = 0
	typeTrue   = 1
	typeFalse  = 2
	typeInt    = 3
	typeFloat  = 5
	typeText   = 7  // a string with nothing escaped
	typeTextJ  = 8  // a string with JSON escapes, kept as written
	typeArray  = 11 // elements, one after another
	typeObject = 12 // key, value, key, value ...
)

// ErrSyntax is returned for input that is not valid JSON.
var ErrSyntax = errors.New("jsonb: malformed JSON")

// AppendArray appends to dst the JSONB of a JSON array whose elements are
// the JSON texts elems, and returns the extended buffer.
func AppendArray(dst []byte, elems [][]byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, maxHeader)...)
	for _, e := range elems {
		var err error
		var n int
		dst, n, err = appendValue(dst, e, skip(e, 0))
		if err != nil {
			return dst[:start], err
		}
		if skip(e, n) != len(e) {
			return dst[:start], ErrSyntax
		}
	}
	return closeContainer(dst, start, typeArray), nil
}

// Append appends the JSONB of the JSON text src to dst.
func Append(dst, src []byte) ([]byte, error) {
	start := len(dst)
	out, n, err := appendValue(dst, src, skip(src, 0))
	if err != nil {
		return dst[:start], err
	}
	if skip(src, n) != len(src) {
		return dst[:start], ErrSyntax
	}
	return out, nil
}

// maxHeader is the largest header: one byte and an 8-byte size.
const maxHeader = 9

// appendValue encodes the JSON value at src[i]; it returns the offset after it.
func appendValue(dst, src []byte, i int) ([]byte, int, error) {
	if i >= len(src) {
		return dst, i, ErrSyntax
	}
	switch c := src[i]; {
	case c == '{' || c == '[':
		return appendContainer(dst, src, i)
	case c == '"':
		end, escaped := stringEnd(src, i)
		if end < 0 {
			return dst, i, ErrSyntax
		}
		t := byte(typeText)
		if escaped {
			t = typeTextJ
		}
		return appendElement(dst, t, src[i+1:end-1]), end, nil
	case c == 't' && bytes.HasPrefix(src[i:], []byte("true")):
		return append(dst, typeTrue), i + 4, nil
	case c == 'f' && bytes.HasPrefix(src[i:], []byte("false")):
		return append(dst, typeFalse), i + 5, nil
	case c == 'n' && bytes.HasPrefix(src[i:], []byte("null")):
		return append(dst, typeNull), i + 4, nil
	case c == '-' || c >= '0' && c <= '9':
		j, float := number(src, i)
		if j < 0 {
			return dst, i, ErrSyntax
		}
		t := byte(typeInt)
		if float {
			t = typeFloat
		}
		return appendElement(dst, t, src[i:j]), j, nil
	}
	return dst, i, ErrSyntax
}

// appendContainer encodes the object or array at src[i].
func appendContainer(dst, src []byte, i int) ([]byte, int, error) {
	obj := src[i] == '{'
	closer := byte(']')
	t := byte(typeArray)
	if obj {
		closer, t = '}', typeObject
	}
	start := len(dst)
	dst = append(dst, make([]byte, maxHeader)...)
	i = skip(src, i+1)
	if i < len(src) && src[i] == closer {
		return closeContainer(dst, start, t), i + 1, nil
	}
	for {
		var err error
		if obj {
			if i >= len(src) || src[i] != '"' {
				return dst, i, ErrSyntax
			}
			if dst, i, err = appendValue(dst, src, i); err != nil {
				return dst, i, err
			}
			i = skip(src, i)
			if i >= len(src) || src[i] != ':' {
				return dst, i, ErrSyntax
			}
			i = skip(src, i+1)
		}
		if dst, i, err = appendValue(dst, src, i); err != nil {
			return dst, i, err
		}
		i = skip(src, i)
		if i >= len(src) {
			return dst, i, ErrSyntax
		}
		switch src[i] {
		case ',':
			i = skip(src, i+1)
		case closer:
			return closeContainer(dst, start, t), i + 1, nil
		default:
			return dst, i, ErrSyntax
		}
	}
}

// closeContainer writes the header of the container whose payload follows
// the maxHeader bytes reserved at dst[start:], moving the payload up to
// the smallest header, as SQLite writes it.
func closeContainer(dst []byte, start int, t byte) []byte {
	payload := len(dst) - start - maxHeader
	var h [maxHeader]byte
	hn := header(h[:0], t, payload)
	copy(dst[start+len(hn):], dst[start+maxHeader:])
	copy(dst[start:], hn)
	return dst[:start+len(hn)+payload]
}

// appendElement appends a header and payload.
func appendElement(dst []byte, t byte, payload []byte) []byte {
	dst = header(dst, t, len(payload))
	return append(dst, payload...)
}

// header appends the smallest header for a payload of n bytes.
func header(dst []byte, t byte, n int) []byte {
	switch {
	case n <= 11:
		return append(dst, byte(n)<<4|t)
	case n <= 0xff:
		return append(dst, 12<<4|t, byte(n))
	case n <= 0xffff:
		return append(dst, 13<<4|t, byte(n>>8), byte(n))
	case uint64(n) <= 0xffffffff:
		return append(dst, 14<<4|t, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	u := uint64(n)
	return append(dst, 15<<4|t, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32), byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// number scans an RFC 8259 number at src[i]: it returns the offset after
// it, or -1, and whether it has a fraction or an exponent.
func number(src []byte, i int) (int, bool) {
	j := i
	if j < len(src) && src[j] == '-' {
		j++
	}
	digits := func() int {
		k := j
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(src) && src[j] == '0' {
		j++
	} else if digits() == 0 {
		return -1, false
	}
	float := false
	if j < len(src) && src[j] == '.' {
		j++
		if digits() == 0 {
			return -1, false
		}
		float = true
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		j++
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if digits() == 0 {
			return -1, false
		}
		float = true
	}
	return j, float
}

// stringEnd returns the offset after the string at src[i] and whether it
// holds escapes; -1 when it is not terminated or holds a control character.
func stringEnd(src []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			return j + 1, escaped
		case c < 0x20:
			return -1, escaped
		}
	}
	return -1, escaped
}

func skip(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}
