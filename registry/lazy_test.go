package registry

import (
	"io/fs"
	"path"
	"strings"
	"testing"
)

// Every embedded service file's header is read without the YAML parser
// (TestDefaultCheck compares what it reads with the parser's reading).
func TestQuickHeaderReadsEveryEmbeddedFile(t *testing.T) {
	sub, err := fs.Sub(embedded, "providers")
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(sub, "*/services/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("Glob()=%v, %v", files, err)
	}
	for _, f := range files {
		head, ok := serviceHead(sub, f)
		if !ok {
			t.Errorf("%s: no resources: line", f)
			continue
		}
		base := strings.TrimSuffix(path.Base(f), ".yaml")
		if s := quickHeader(head, f, base, &Provider{}); s == nil {
			t.Errorf("%s: header not read without the YAML parser:\n%s", f, head)
		}
	}
}

// Anything but the generator's plain form is left to the YAML parser.
func TestQuickHeaderDeclines(t *testing.T) {
	for _, head := range []string{
		"name: things\ntitle: 'Quoted'\n",
		"name: things\ntitle: \"Quoted\"\n",
		"name: things\ndescription: >-\n  folded\n",
		"name: things\ndescription: first line\n  continued\n",
		"name: things\ntitle: a # comment\n",
		"name: things\ncolour: red\n",
		"name: things\nname: things\n",
		"name: other\n",
		"name: things\ndescription: |\n  keep\n",
		"name: things\ntitle: &a anchored\n",
		"{name: things}\n",
	} {
		if s := quickHeader([]byte(head), "things.yaml", "things", &Provider{}); s != nil {
			t.Errorf("quickHeader(%q) = %+v, want nil", head, s)
		}
	}
	s := quickHeader([]byte("# c\nname: things\ntitle: The Things\ndescription: |-\n  one\n\n  two\n"), "f.yaml", "things", &Provider{})
	if s == nil || s.Title != "The Things" || s.Description != "one\n\ntwo" || s.Pos.Line != 2 || s.Pos.Column != 7 {
		t.Errorf("quickHeader()=%+v", s)
	}
}
