package jsonspan_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/provider/jsonspan"
)

// imagesPage is the body the emulator answers for GET /v2/images?query
// over a dataset of n images: a page exactly as the API sends it.
func imagesPage(tb testing.TB, n int, query string) []byte {
	tb.Helper()
	emu := emulator.New(emulator.Options{Images: n})
	req := httptest.NewRequest("GET", "/v2/images?"+query, nil)
	req.Header.Set("Authorization", "Bearer sandbox")
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("GET /v2/images?%s: %d %s", query, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func nested(open, close string, depth int) string {
	return strings.Repeat(open, depth) + strings.Repeat(close, depth)
}

// validCases are inputs with the answer encoding/json gives them.
var validCases = []struct {
	in   string
	want bool
}{
	// Top level: one value, white space around it.
	{``, false},
	{` `, false},
	{`null`, true},
	{" \t\r\nnull \t\r\n", true},
	{"\fnull", false},
	{"\vnull", false},
	{"null\x00", false},
	{"\u00a0null", false},
	{`1 2`, false},
	{`{}{}`, false},
	{`{} x`, false},
	{`"a" "b"`, false},
	{"\xef\xbb\xbfnull", false}, // a byte order mark is not white space
	// Literals.
	{`true`, true},
	{`false`, true},
	{`tru`, false},
	{`truee`, false},
	{`True`, false},
	{`nul`, false},
	{`nulll`, false},
	{`fals`, false},
	{`NaN`, false},
	{`Infinity`, false},
	{`undefined`, false},
	// Numbers.
	{`0`, true},
	{`-0`, true},
	{`-`, false},
	{`--1`, false},
	{`+1`, false},
	{`01`, false},
	{`-01`, false},
	{`00`, false},
	{`1.`, false},
	{`.1`, false},
	{`1.5`, true},
	{`0.0`, true},
	{`1.e5`, false},
	{`1e`, false},
	{`1e+`, false},
	{`1e-`, false},
	{`1e5`, true},
	{`1E+05`, true},
	{`1e-0`, true},
	{`-1.25e-300`, true},
	{`1e400`, true}, // out of float64's range is still the grammar
	{`123456789012345678901234567890`, true},
	{`0x10`, false},
	{`1_000`, false},
	{`1.5.5`, false},
	{`1ee5`, false},
	{`[1,-]`, false},
	{`[-1e-1]`, true},
	{`{"a":-}`, false},
	// Strings.
	{`""`, true},
	{`"`, false},
	{`"abc`, false},
	{`"a"b"`, false},
	{`'a'`, false},
	{`"\""`, true},
	{`"\\"`, true},
	{`"\/"`, true},
	{`"\b\f\n\r\t"`, true},
	{`"\a"`, false},
	{`"\'"`, false},
	{`"\x41"`, false},
	{`"\0"`, false},
	{`"\`, false},
	{`"\"`, false},
	{`"\u0041"`, true},
	{`"\uD800"`, true}, // a lone surrogate escape is grammatical
	{`"\uDEAD\uBEEF"`, true},
	{`"\uabcD"`, true},
	{`"\u004"`, false},
	{`"\u00G1"`, false},
	{`"\u"`, false},
	{`"\U0041"`, false},
	{"\"\\u004", false},
	{"\"a\x00b\"", false},
	{"\"a\x1fb\"", false},
	{"\"a\tb\"", false},
	{"\"a\nb\"", false},
	{"\"a\x7fb\"", true},
	{"\"a\x20b\"", true},
	{"\"\xff\xfe\"", true},     // invalid UTF-8 in a string is accepted
	{"\"\xc3\"", true},         // a cut-off sequence too
	{"\"\xed\xa0\x80\"", true}, // an encoded surrogate too
	{"\"h\xc3\xa9llo w\xc3\xb6rld\"", true},
	{"\xff", false},          // but not outside a string
	{"[1,\xc3\xa9]", false},  // nor as a value
	{"{\"a\":1}\xff", false}, // nor after the value
	{`"a long string with no escapes, more than eight bytes at a time, ending here"`, true},
	{`"a long string with an escape at the end of a word\"still going"`, true},
	{"\"a long string with a control char here\x01 and more text after it\"", false},
	{`"a long string with a bad escape here \q and more text after it"`, false},
	{`"a long string that is not terminated at all, only more and more text`, false},
	// Arrays.
	{`[]`, true},
	{`[ ]`, true},
	{`[`, false},
	{`]`, false},
	{`[1,]`, false},
	{`[,1]`, false},
	{`[,]`, false},
	{`[1 2]`, false},
	{`[1,,2]`, false},
	{`[1}`, false},
	{`[[]]`, true},
	{`[[],[[]],{}]`, true},
	{"[\n1 ,\t2 ]", true},
	// Objects.
	{`{}`, true},
	{`{ }`, true},
	{`{`, false},
	{`}`, false},
	{`{"a"}`, false},
	{`{"a":}`, false},
	{`{"a" 1}`, false},
	{`{"a"::1}`, false},
	{`{"a":1,}`, false},
	{`{,"a":1}`, false},
	{`{"a":1 "b":2}`, false},
	{`{"a":1,"a":2}`, true}, // duplicate keys are grammatical
	{`{a:1}`, false},
	{`{1:1}`, false},
	{`{'a':1}`, false},
	{`{null:1}`, false},
	{`{"a":1]`, false},
	{`{"a":[1}`, false},
	{` { "a" : [ 1 , { "b" : null } ] , "c" : "d" } `, true},
	{`{"\u0000":"\u0000"}`, true},
	{"{\"a\x01\":1}", false},
	{`{"a":1}}`, false},
	{`[{"a":1}]]`, false},
	// Nesting: encoding/json refuses more than 10,000 open containers.
	{nested("[", "]", 10000), true},
	{nested("[", "]", 10001), false},
	{strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), true},
	{strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001), false},
	{strings.Repeat(`[{"a":`, 5000) + "1" + strings.Repeat("}]", 5000), true},
	{strings.Repeat(`[{"a":`, 5000) + "1" + strings.Repeat("}]", 5000) + "]", false},
	{"[" + strings.Repeat(`{"a":`, 9999) + "1" + strings.Repeat("}", 9999) + "]", true},
	{"[" + strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000) + "]", false},
	{strings.Repeat(`{"a":`, 10000) + "{}" + strings.Repeat("}", 10000), false},
	{strings.Repeat("[", 10000) + "1" + strings.Repeat("]", 10000), true},
	{strings.Repeat("[", 10000), false},
	{strings.Repeat("[", 1000000), false},
	{strings.Repeat("[", 9999) + "]", false},
	{nested("[", "]", 100) + "]", false},
	{"[" + strings.Repeat("[[],{}],", 20000) + "1]", true}, // long, shallow
}

func TestValid(t *testing.T) {
	for _, tc := range validCases {
		if got := jsonspan.Valid([]byte(tc.in)); got != tc.want {
			t.Errorf("Valid(%.60q) = %v, want %v", tc.in, got, tc.want)
		}
		if std := json.Valid([]byte(tc.in)); std != tc.want {
			t.Errorf("the table is wrong: json.Valid(%.60q) = %v", tc.in, std)
		}
	}
}

// TestValidEmulatorPages checks real pages, whole and cut at every byte,
// and a small document with every byte replaced by every other byte.
func TestValidEmulatorPages(t *testing.T) {
	page := imagesPage(t, 10, "per_page=3&page=2")
	indented := indent(t, page)
	for _, doc := range [][]byte{page, indented} {
		if !jsonspan.Valid(doc) {
			t.Fatalf("Valid(page) = false: %s", doc)
		}
		for n := range len(doc) {
			agree(t, doc[:n])
		}
	}
	small := []byte(`{"a":[1,-2.5e+3,true,false,null,"x\u00e9\n\"y",{},[]],"b":{"c":"\xff"}}`)
	mutated := make([]byte, len(small))
	for i := range small {
		for c := range 256 {
			copy(mutated, small)
			mutated[i] = byte(c)
			agree(t, mutated)
		}
	}
}

// TestValidStringBytes puts every pair of bytes at several offsets of a
// string, across the boundaries of the eight-byte words Valid reads.
func TestValidStringBytes(t *testing.T) {
	for _, at := range []int{0, 3, 6, 7, 8, 15} {
		for _, size := range []int{at + 2, 17, 24} {
			doc := []byte(`["` + strings.Repeat("a", size) + `"]`)
			for c1 := range 256 {
				for c2 := range 256 {
					doc[2+at], doc[3+at] = byte(c1), byte(c2)
					if jsonspan.Valid(doc) != json.Valid(doc) {
						agree(t, doc)
					}
				}
			}
		}
	}
}

func agree(t *testing.T, data []byte) {
	t.Helper()
	if got, want := jsonspan.Valid(data), json.Valid(data); got != want {
		t.Errorf("Valid(%q) = %v, json.Valid says %v", data, got, want)
	}
}

func indent(tb testing.TB, doc []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, doc, "", "\t"); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestValidDoesNotAllocate(t *testing.T) {
	page := imagesPage(t, 10, "per_page=10")
	deep := []byte(nested("[", "]", 10000))
	if n := testing.AllocsPerRun(10, func() { jsonspan.Valid(page); jsonspan.Valid(deep) }); n != 0 {
		t.Errorf("Valid allocates %v times per call, want 0", n)
	}
}

// FuzzValid holds Valid to json.Valid's answer on any input.
func FuzzValid(f *testing.F) {
	page := imagesPage(f, 10, "per_page=3&page=2")
	f.Add(page)
	f.Add(indent(f, page))
	f.Add(imagesPage(f, 10, "per_page=1&page=1"))
	for _, tc := range validCases {
		if len(tc.in) < 1000 {
			f.Add([]byte(tc.in))
		}
	}
	// Bodies from the hostile-server tests (provider/hostile_test.go).
	for _, s := range []string{
		`{"items":[{"id":99}],"paging":{},"widget":{"id":99}}`,
		`{"items":[{"id":1}],"paging":{"next_url":"/\\127.0.0.1:1/api/widgets?p=2"}}`,
		`{"next_url":"/api/widgets?p=2","total":1000000000000}`,
		`{"next_url":"/api/widgets?p=2","total":1e300}`,
		`{"next_url":"/api/widgets?p=2","total":-5}`,
		`{"images":[{"id":1}],"links":{"pages":{"next":"http://h/v2/images?page=2","last":"http://h/v2/images?page=1000000000"}},"meta":{"total":1}}`,
		`{"items":[{"id":2},"oops"],"paging":{"next_url":"/api/widgets?p=3","total":5}}`,
		`{"items":[` + strings.Repeat(`{"id":1,"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},`, 20),
		`{"widget":{"id":`,
		`{"id":"too_many_requests","message":"slow down"}`,
		`{"id":"bad","message":"token tok-0123456789 is wrong"}`,
		`{"items":[{"id":1,"name":"made with ***","tags":["***"]}],"paging":{}}`,
		`{"a":"q\"tok-0123456789"}`,
		`{"parts":[{"sku":"a"},42,{"sku":"b"}]}`,
	} {
		f.Add([]byte(s))
	}
	small := `{"a":[1,-2.5e+3,true,null,"x\u00e9\n\"y",{}],"b":"\xff"}`
	for n := range len(small) {
		f.Add([]byte(small[:n]))
	}
	for i := range len(small) {
		for _, c := range []byte("\x00\x1f \t\n\"\\/:,[]{}-+.0189eEtfnu\x7f\x80\xc3\xff") {
			b := []byte(small)
			b[i] = c
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := jsonspan.Valid(data), json.Valid(data); got != want {
			t.Errorf("Valid(%q) = %v, json.Valid says %v", data, got, want)
		}
	})
}

// BenchmarkValid validates a page of 200 images as the API sends it (and
// the same page indented), with Valid and with encoding/json.
func BenchmarkValid(b *testing.B) {
	page := imagesPage(b, 1000, "per_page=200&page=3")
	docs := []struct {
		name string
		doc  []byte
	}{{"page", page}, {"indented", indent(b, page)}}
	validators := []struct {
		name  string
		valid func([]byte) bool
	}{{"jsonspan", jsonspan.Valid}, {"encoding-json", json.Valid}}
	for _, d := range docs {
		for _, v := range validators {
			b.Run(d.name+"/"+v.name, func(b *testing.B) {
				b.SetBytes(int64(len(d.doc)))
				b.ReportAllocs()
				for b.Loop() {
					if !v.valid(d.doc) {
						b.Fatal("page not valid")
					}
				}
			})
		}
	}
}
