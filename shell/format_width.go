package shell

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// escapeControls makes s safe to print on one terminal line: newline, carriage
// return and tab become \n, \r and \t; other control characters and invalid
// UTF-8 bytes become \xNN or \uNNNN; bidirectional-override characters, which
// could make a cell read backwards, become \uNNNN. extra maps further runes
// to their replacement (markdown's "|").
func escapeControls(s string, extra func(r rune) (string, bool)) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || (extra != nil && c == '|') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		i += size
		if extra != nil {
			if rep, ok := extra(r); ok {
				b.WriteString(rep)
				continue
			}
		}
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0, isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TerminalText returns s safe to print on a terminal as a message: control
// characters (ESC included), invalid UTF-8 and bidirectional overrides
// escaped as in the table format, while newlines and tabs stay, so that
// an error that quotes an API's answer keeps its layout but cannot drive
// the terminal.
func TerminalText(s string) string {
	return escapeControls(s, func(r rune) (string, bool) {
		if r == '\n' || r == '\t' {
			return string(r), true
		}
		return "", false
	})
}

// isBidiControl reports the invisible characters that reorder text.
func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// tableCell is a cell's text as the table format prints it, NULL as null:
// backslash is escaped too (escapeTSV), so that the four characters \x1b
// in a value (\\x1b) never look like an escaped ESC (\x1b).
func tableCell(v value, null string) string {
	if v.kind == kindNull {
		return escapeControls(null, nil) // the marker as it was set
	}
	return escapeTSV(unlikeNull(v.text, null))
}

// markdownCell is a cell's text as the markdown format prints it.
func markdownCell(v value, null string) string {
	if v.kind == kindNull {
		return markdownText(null)
	}
	return markdownText(unlikeNull(v.text, null))
}

// unlikeNull returns s, or s in one more pair of single quotes when s is
// the NULL marker (in as many pairs of quotes as it may be): the string
// 'null' prints as 'null' in quotes, NULL as null.
func unlikeNull(s, null string) string {
	t := s
	for len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' && t != null {
		t = t[1 : len(t)-1]
	}
	if t == null {
		return "'" + s + "'"
	}
	return s
}

// markdownText escapes s for a markdown cell: backslash first (as in the
// table format, so an escaped control character is unambiguous), then |,
// newlines and the other control characters.
func markdownText(s string) string {
	if strings.Contains(s, `\`) {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return escapeControls(s, func(r rune) (string, bool) {
		switch r {
		case '|':
			return `\|`, true
		case '\n':
			return "<br>", true
		case '\r':
			return "", true
		}
		return "", false
	})
}

// textField is a cell's text as the text (tab-separated) format prints it.
func textField(v value, null string) string {
	if v.kind == kindNull {
		return null
	}
	return escapeTSV(v.text)
}

// escapeTSV escapes backslash as \\, then tab, newline, carriage return
// and every other control character as escapeControls does, so that a
// field is one line, nothing reaches the terminal as a control sequence,
// and no value prints as \N.
func escapeTSV(s string) string {
	if strings.Contains(s, `\`) {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return escapeControls(s, nil)
}

// displayWidth is the number of terminal columns s takes: East Asian wide and
// fullwidth characters take two, combining marks and zero-width characters
// none, everything else one. It assumes s has been through escapeControls.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me), r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return 0
	}
	for _, w := range wideRanges {
		if r < w.lo {
			return 1
		}
		if r <= w.hi {
			return 2
		}
	}
	return 1
}

// wideRanges are the common East Asian wide and fullwidth blocks and emoji,
// in order: a simplification of Unicode's EastAsianWidth W and F classes.
var wideRanges = [...]struct{ lo, hi rune }{
	{0x1100, 0x115f},   // Hangul Jamo initials
	{0x231a, 0x231b},   // watch, hourglass
	{0x2e80, 0x303e},   // CJK radicals, punctuation
	{0x3041, 0x33ff},   // kana, CJK compatibility
	{0x3400, 0x4dbf},   // CJK extension A
	{0x4e00, 0x9fff},   // CJK unified ideographs
	{0xa000, 0xa4cf},   // Yi
	{0xa960, 0xa97f},   // Hangul Jamo extended A
	{0xac00, 0xd7a3},   // Hangul syllables
	{0xf900, 0xfaff},   // CJK compatibility ideographs
	{0xfe10, 0xfe19},   // vertical forms
	{0xfe30, 0xfe6f},   // CJK compatibility forms, small forms
	{0xff00, 0xff60},   // fullwidth forms
	{0xffe0, 0xffe6},   // fullwidth signs
	{0x1f300, 0x1f64f}, // pictographs, emoticons
	{0x1f680, 0x1f6ff}, // transport and map symbols
	{0x1f900, 0x1f9ff}, // supplemental pictographs
	{0x1fa70, 0x1faff}, // pictographs extended A
	{0x20000, 0x2fffd}, // CJK extensions B-F
	{0x30000, 0x3fffd}, // CJK extension G
}

// pad fills s with spaces to width columns, on the left when right-aligned.
func pad(s string, width int, right bool) string {
	n := width - displayWidth(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}
