package provider

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// shortToken is the length under which a token is masked only where it
// stands as a word of its own: a token of one letter must not turn every
// word that holds the letter into ***. Real tokens are far longer.
const shortToken = 8

// Mask replaces the token in s with ***. A token shorter than 8 characters
// is replaced only where it is not part of a longer word (letters, digits
// and _ on either side).
func Mask(s, token string) string {
	if token == "" || !strings.Contains(s, token) {
		return s
	}
	if len(token) >= shortToken {
		return strings.ReplaceAll(s, token, "***")
	}
	return string(maskWords([]byte(s), []byte(token)))
}

// MaskBytes is Mask over bytes; it returns b itself when the token is not
// in it.
func MaskBytes(b []byte, token string) []byte {
	if token == "" || !bytes.Contains(b, []byte(token)) {
		return b
	}
	if len(token) >= shortToken {
		return bytes.ReplaceAll(b, []byte(token), []byte("***"))
	}
	return maskWords(b, []byte(token))
}

// maskWords replaces the occurrences of tok in b that no word character
// touches.
func maskWords(b, tok []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i+len(tok) <= len(b); {
		j := bytes.Index(b[i:], tok)
		if j < 0 {
			break
		}
		j += i
		end := j + len(tok)
		before, _ := utf8.DecodeLastRune(b[:j])
		after, _ := utf8.DecodeRune(b[end:])
		if (j == 0 || !wordRune(before)) && (end == len(b) || !wordRune(after)) {
			out = append(out, b[last:j]...)
			out = append(out, "***"...)
			last = end
			i = end
			continue
		}
		i = j + 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func wordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// mayEscape reports whether a string of the JSON text b may spell token
// with an escape: b holds a \u escape (any character), or another escape
// (\" \\ \/ \b \f \n \r \t) and the token holds a character it stands for.
// A page without either is masked by the plain search alone.
func mayEscape(b []byte, token string) bool {
	if bytes.Contains(b, []byte(`\u`)) {
		return true
	}
	return bytes.IndexByte(b, '\\') >= 0 && strings.ContainsAny(token, "\"\\/\b\f\n\r\t")
}

// MaskJSON masks the token inside the string values of a JSON text (an API
// may echo the token back in its data), leaving keys, numbers and the
// JSON's validity alone. A token shorter than 8 characters (the sandbox's
// "sandbox", a test token) is no secret worth changing data for: it is
// left alone. It returns b itself when the token is not in it.
func MaskJSON(b []byte, token string) []byte {
	if len(token) < shortToken || !bytes.Contains(b, []byte(token)) && !mayEscape(b, token) {
		return b
	}
	var out []byte
	last := 0
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(b) {
			break
		}
		k := j + 1
		for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r') {
			k++
		}
		if k < len(b) && b[k] == ':' {
			i = j // a key
			continue
		}
		seg := b[i+1 : j]
		switch {
		case bytes.Contains(seg, []byte(token)):
			if m := MaskBytes(seg, token); len(m) != len(seg) || !bytes.Equal(m, seg) {
				out = append(out, b[last:i+1]...)
				out = append(out, m...)
				last = j
			}
		case bytes.IndexByte(seg, '\\') >= 0:
			// An escape may spell the token (\u0064op_v1_...): the value
			// is what the token must not be in.
			var v string
			if json.Unmarshal(b[i:j+1], &v) == nil && strings.Contains(v, token) {
				if enc, err := json.Marshal(Mask(v, token)); err == nil {
					out = append(out, b[last:i]...)
					out = append(out, enc...)
					last = j + 1
				}
			}
		}
		i = j
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}
