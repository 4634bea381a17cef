package jsonspan

import (
	"encoding/binary"
	"math/bits"
)

// MaxDepth is the deepest nesting of objects and arrays Valid accepts: the
// limit encoding/json's scanner keeps (a document nested deeper is not
// valid to it either).
const MaxDepth = 10000

// Valid reports whether data is one JSON value, with optional white space
// around it, exactly as encoding/json's Valid does: the same grammar
// (RFC 8259), the same white space (space, tab, CR, LF), strings that may
// hold any byte from 0x20 up, invalid UTF-8 included, but no control
// character, and nesting at most MaxDepth deep. It gives json.Valid's
// answer for every input (FuzzValid holds it to that), several times
// faster: one pass over the bytes, no allocation, and no recursion, so
// hostile nesting cannot exhaust the stack.
func Valid(data []byte) bool {
	// kinds holds one bit per open container, set for an object.
	var kinds [(MaxDepth + 63) / 64]uint64
	depth := 0
	n := len(data)
	i := 0

value: // a value is expected at data[i] (after white space)
	if i < n && data[i] <= ' ' {
		i = skipSpace(data, i)
	}
	if i >= n {
		return false
	}
	switch data[i] {
	case '"':
		if i = stringValid(data, i+1); i < 0 {
			return false
		}
	case '{':
		if depth == MaxDepth {
			return false
		}
		kinds[depth>>6] |= 1 << (depth & 63)
		depth++
		i++
		if i < n && data[i] <= ' ' {
			i = skipSpace(data, i)
		}
		if i < n && data[i] == '}' {
			depth--
			i++
			goto after
		}
		goto key
	case '[':
		if depth == MaxDepth {
			return false
		}
		kinds[depth>>6] &^= 1 << (depth & 63)
		depth++
		i++
		if i < n && data[i] <= ' ' {
			i = skipSpace(data, i)
		}
		if i < n && data[i] == ']' {
			depth--
			i++
			goto after
		}
		goto value
	case 't':
		if n-i < 4 || data[i+1] != 'r' || data[i+2] != 'u' || data[i+3] != 'e' {
			return false
		}
		i += 4
	case 'f':
		if n-i < 5 || data[i+1] != 'a' || data[i+2] != 'l' || data[i+3] != 's' || data[i+4] != 'e' {
			return false
		}
		i += 5
	case 'n':
		if n-i < 4 || data[i+1] != 'u' || data[i+2] != 'l' || data[i+3] != 'l' {
			return false
		}
		i += 4
	default:
		if i = numberValid(data, i); i < 0 {
			return false
		}
	}

after: // a value ends before data[i]
	if i < n && data[i] <= ' ' {
		i = skipSpace(data, i)
	}
	if depth == 0 {
		return i == n
	}
	if i >= n {
		return false
	}
	if kinds[(depth-1)>>6]&(1<<((depth-1)&63)) != 0 {
		switch data[i] {
		case ',':
			i++
			goto key
		case '}':
			depth--
			i++
			goto after
		}
		return false
	}
	switch data[i] {
	case ',':
		i++
		goto value
	case ']':
		depth--
		i++
		goto after
	}
	return false

key: // an object member's key is expected at data[i] (after white space)
	if i < n && data[i] <= ' ' {
		i = skipSpace(data, i)
	}
	if i >= n || data[i] != '"' {
		return false
	}
	if i = stringValid(data, i+1); i < 0 {
		return false
	}
	if i < n && data[i] <= ' ' {
		i = skipSpace(data, i)
	}
	if i >= n || data[i] != ':' {
		return false
	}
	i++
	goto value
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringValid checks the rest of a string whose opening quote is just
// before data[i], and returns the offset after its closing quote, or -1.
// Eight bytes at a time, it looks for the first quote, backslash or
// control character; any other byte, invalid UTF-8 included, is text.
func stringValid(data []byte, i int) int {
	for {
		var c byte
		for {
			if i+8 <= len(data) {
				x := binary.LittleEndian.Uint64(data[i:])
				// A byte below 0x20 or a quote (0x22) is below 0x21 once
				// its bit 1 is flipped (y); a backslash is 0 in z. The
				// high bit of a byte of m is set where either holds;
				// borrows can mark bytes above the first match but never
				// below it, so the lowest mark is the first match.
				y := x ^ (ones * 0x02)
				z := x ^ (ones * '\\')
				if m := (((y - ones*0x21) &^ y) | ((z - ones) &^ z)) & highs; m != 0 {
					at := bits.TrailingZeros64(m) &^ 7
					i += at >> 3
					c = byte(x >> at)
					break
				}
				i += 8
				continue
			}
			if i >= len(data) {
				return -1
			}
			if c = data[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			}
			i++
		}
		if c == '"' {
			return i + 1
		}
		if c != '\\' { // a control character
			return -1
		}
		i++
		if i >= len(data) {
			return -1
		}
		switch data[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if len(data)-i < 5 || !isHex[data[i+1]] || !isHex[data[i+2]] || !isHex[data[i+3]] || !isHex[data[i+4]] {
				return -1
			}
			i += 5
		default:
			return -1
		}
	}
}

// numberValid checks the number starting at data[i] and returns the
// offset after it, or -1: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberValid(data []byte, i int) int {
	n := len(data)
	if data[i] == '-' {
		i++
		if i >= n {
			return -1
		}
	}
	switch c := data[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i++
		for i < n && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	default:
		return -1
	}
	if i < n && data[i] == '.' {
		i++
		start := i
		for i < n && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == start {
			return -1
		}
	}
	if i < n && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < n && (data[i] == '+' || data[i] == '-') {
			i++
		}
		start := i
		for i < n && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == start {
			return -1
		}
	}
	return i
}

var isHex = [256]bool{
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true,
}
