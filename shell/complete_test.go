package shell_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell"
)

// fixtureRegistry is a small made-up registry, so that these tests do not
// follow the default registry's changes:
//
//	acme.compute.servers  (get, list, create, update, delete, reboot)
//	acme.compute.images   (list)
//	acme.billing.invoices (list)
//	ajax.things.things    (list)
func fixtureRegistry() *registry.Registry {
	param := func(name, in string, required bool) *registry.Param {
		return &registry.Param{Name: name, In: in, Type: registry.TypeString, Required: required}
	}
	fields := func(names ...string) []*registry.Field {
		var fs []*registry.Field
		for _, n := range names {
			fs = append(fs, &registry.Field{Name: n, Type: registry.TypeString})
		}
		return fs
	}
	list := &registry.Method{Name: "list", Verb: registry.VerbSelect, HTTPMethod: "GET", Path: "/servers",
		Params: []*registry.Param{param("region", registry.InQuery, false), param("tag", registry.InQuery, false)}}
	list.Params[0].Field = "region"
	servers := &registry.Resource{Name: "servers", Fields: fields("id", "name", "region", "tags"), Methods: []*registry.Method{
		{Name: "get", Verb: registry.VerbSelect, HTTPMethod: "GET", Path: "/servers/{server_id}",
			Params: []*registry.Param{param("server_id", registry.InPath, true)}},
		list,
		{Name: "create", Verb: registry.VerbInsert, HTTPMethod: "POST", Path: "/servers",
			Body: []*registry.Param{param("name", registry.InBody, true), param("region", registry.InBody, true), param("size", registry.InBody, false)}},
		{Name: "update", Verb: registry.VerbUpdate, HTTPMethod: "PUT", Path: "/servers/{server_id}",
			Params: []*registry.Param{param("server_id", registry.InPath, true)},
			Body:   []*registry.Param{param("name", registry.InBody, false)}},
		{Name: "delete", Verb: registry.VerbDelete, HTTPMethod: "DELETE", Path: "/servers/{server_id}",
			Params: []*registry.Param{param("server_id", registry.InPath, true)}},
		{Name: "reboot", Verb: registry.VerbExec, HTTPMethod: "POST", Path: "/servers/{server_id}/actions",
			Params: []*registry.Param{param("server_id", registry.InPath, true)},
			Body:   []*registry.Param{param("type", registry.InBody, false)}},
	}}
	images := &registry.Resource{Name: "images", Fields: fields("id", "slug"), Methods: []*registry.Method{
		{Name: "list", Verb: registry.VerbSelect, HTTPMethod: "GET", Path: "/images"}}}
	invoices := &registry.Resource{Name: "invoices", Fields: fields("id", "amount"), Methods: []*registry.Method{
		{Name: "list", Verb: registry.VerbSelect, HTTPMethod: "GET", Path: "/invoices"}}}
	things := &registry.Resource{Name: "things", Fields: fields("id"), Methods: []*registry.Method{
		{Name: "list", Verb: registry.VerbSelect, HTTPMethod: "GET", Path: "/things"}}}

	acme := &registry.Provider{Name: "acme", Services: []*registry.Service{
		registry.NewService("billing", invoices),
		registry.NewService("compute", images, servers),
	}}
	ajax := &registry.Provider{Name: "ajax", Services: []*registry.Service{
		registry.NewService("things", things),
	}}
	reg := &registry.Registry{Providers: []*registry.Provider{acme, ajax}}
	for _, p := range reg.Providers {
		for _, s := range p.Services {
			s.Provider = p
			for _, r := range s.Resources() {
				r.Service = s
				for _, m := range r.Methods {
					m.Resource = r
				}
			}
		}
	}
	return reg
}

func TestComplete(t *testing.T) {
	reg := fixtureRegistry()
	const cursorMark = "|" // where the cursor is, when not at the end
	for _, tc := range []struct {
		name    string
		pending string // earlier lines of the statement
		line    string // a | marks the cursor; none means the end
		typed   string
		want    []string
	}{
		// Statement keywords, cased like what is typed.
		{name: "start lower", line: "sel", typed: "sel", want: []string{"select "}},
		{name: "start upper", line: "S", typed: "S", want: []string{"SELECT ", "SHOW "}},
		{name: "start after semicolon", line: "SELECT 1; upd", typed: "upd", want: []string{"update "}},
		{name: "leading space", line: "   DESC", typed: "DESC", want: []string{"DESCRIBE "}},

		// Names at each dot.
		{name: "from providers", line: "SELECT * FROM ", want: []string{"acme.", "ajax."}},
		{name: "from provider prefix", line: "SELECT * FROM ac", typed: "ac", want: []string{"acme."}},
		{name: "services", line: "SELECT * FROM acme.", want: []string{"billing.", "compute."}},
		{name: "services prefix", line: "select * from acme.co", typed: "co", want: []string{"compute."}},
		{name: "resources", line: "SELECT * FROM acme.compute.", want: []string{"images ", "servers "}},
		{name: "resource prefix", line: "SELECT * FROM acme.compute.se", typed: "se", want: []string{"servers "}},
		{name: "unknown provider", line: "SELECT * FROM nope.", want: nil},
		{name: "join", line: "SELECT * FROM acme.compute.servers s JOIN acme.b", typed: "b", want: []string{"billing."}},
		{name: "from list comma", line: "SELECT * FROM acme.compute.servers s, aj", typed: "aj", want: []string{"ajax."}},
		{name: "insert into", line: "INSERT INTO acme.compute.s", typed: "s", want: []string{"servers "}},
		{name: "delete from", line: "DELETE FROM a", typed: "a", want: []string{"acme.", "ajax."}},
		{name: "exec resources", line: "EXEC acme.compute.", want: []string{"images.", "servers."}},
		{name: "exec methods", line: "EXEC acme.compute.servers.", want: []string{"get ", "list ", "create ", "update ", "delete ", "reboot "}},
		{name: "exec method prefix", line: "EXEC acme.compute.servers.re", typed: "re", want: []string{"reboot "}},

		// Columns once a resource appears in the statement.
		{name: "column before from", line: "SELECT na| FROM acme.compute.servers", typed: "na", want: []string{"name"}},
		{name: "select param column", line: "SELECT * FROM acme.compute.servers WHERE server", typed: "server", want: []string{"server_id"}},
		{name: "column from earlier line", pending: "SELECT *\nFROM acme.compute.servers\n", line: "WHERE reg", typed: "reg", want: []string{"region"}},
		{name: "columns and functions after =", line: "SELECT * FROM acme.billing.invoices WHERE id = ",
			want: append([]string{"id", "amount"}, functionsLower()...)},
		{name: "keywords after a value", line: "select * from acme.billing.invoices where id = 1 o", typed: "o",
			want: []string{"offset ", "on ", "or ", "order ", "outer "}},
		{name: "alias cursor", line: "SELECT s.na| FROM acme.compute.servers AS s", typed: "na", want: []string{"name"}},
		{name: "alias all", line: "SELECT i.| FROM acme.compute.servers s JOIN acme.billing.invoices i ON 1", want: []string{"id", "amount"}},
		{name: "only this statement", line: "SELECT am| FROM acme.billing.invoices; SELECT * FROM acme.compute.servers", typed: "am", want: []string{"amount"}},
		{name: "not the other statement", line: "SELECT * FROM acme.billing.invoices; SELECT * FROM acme.compute.servers WHERE am", typed: "am", want: nil},
		{name: "insert columns", line: "INSERT INTO acme.compute.servers (", want: []string{"data__name", "data__region", "data__size"}},
		{name: "insert columns prefix", line: "INSERT INTO acme.compute.servers (data__name, data__r", typed: "data__r", want: []string{"data__region"}},
		{name: "update set", line: "UPDATE acme.compute.servers SET ", want: []string{"data__name"}},
		{name: "update where", line: "UPDATE acme.compute.servers SET data__name = 'x' WHERE ser", typed: "ser", want: []string{"server_id", "services "}},
		{name: "delete where", line: "DELETE FROM acme.compute.servers WHERE server_", typed: "server_", want: []string{"server_id"}},
		{name: "exec params", line: "EXEC acme.compute.servers.reboot @", typed: "@", want: []string{"@server_id", "@type", "@@json"}},
		{name: "exec params without @", line: "EXEC acme.compute.servers.reboot ", want: []string{"@server_id", "@type", "@@json"}},
		{name: "exec params left", line: "EXEC acme.compute.servers.reboot @server_id = 1, @", typed: "@", want: []string{"@type", "@@json"}},
		{name: "exec value", line: "EXEC acme.compute.servers.reboot @server_id = ", want: nil},

		// apiql's statements.
		{name: "show", line: "SHOW ", want: []string{"EXTENDED ", "INSERT ", "METHODS ", "PROVIDERS ", "RESOURCES ", "SERVICES "}},
		{name: "show lower", line: "show r", typed: "r", want: []string{"resources "}},
		{name: "show extended", line: "SHOW EXTENDED M", typed: "M", want: []string{"METHODS "}},
		{name: "show in", line: "SHOW RESOURCES ", want: []string{"IN ", "LIKE "}},
		{name: "show services in", line: "SHOW SERVICES IN ", want: []string{"acme", "ajax"}},
		{name: "show resources in", line: "SHOW RESOURCES IN acme.", want: []string{"billing", "compute"}},
		{name: "show methods in", line: "SHOW METHODS IN acme.compute.", want: []string{"images", "servers"}},
		{name: "show insert", line: "SHOW INSERT ", want: []string{"INTO "}},
		{name: "show insert into", line: "SHOW INSERT INTO acme.", want: []string{"billing.", "compute."}},
		{name: "describe", line: "DESCRIBE ", want: []string{"acme.", "ajax.", "EXTENDED "}},
		{name: "describe extended", line: "DESCRIBE EXTENDED acme.compute.s", typed: "s", want: []string{"servers"}},

		// Nothing inside strings and comments.
		{name: "in string", line: "SELECT * FROM acme.compute.servers WHERE name = 'ac", typed: "ac", want: nil},
		{name: "in line comment", line: "SELECT 1 -- FROM acme.", want: nil},
		{name: "in block comment", line: "SELECT /* acme.", want: nil},
		{name: "in string from earlier line", pending: "SELECT 'abc\n", line: "sel", typed: "sel", want: nil},
		{name: "after closed comment", line: "SELECT /* x */ * FROM acme.", want: []string{"billing.", "compute."}},
		{name: "number", line: "SELECT 12", typed: "12", want: nil},

		// Template variables, even inside strings.
		{name: "variable", line: "SELECT * FROM acme.compute.servers WHERE region = '{{ .re", typed: "re", want: []string{"region }}"}},
		{name: "variables", line: "SELECT {{.", want: []string{"project }}", "region }}"}},

		// Meta-commands, only at the start of a statement.
		{name: "meta", line: ".o", typed: ".o", want: []string{".output "}},
		{name: "meta h", line: ".h", typed: ".h", want: []string{".help", ".headers "}},
		{name: "meta q", line: "  .q", typed: ".q", want: []string{".quit"}},
		{name: "meta output", line: ".output j", typed: "j", want: []string{"json", "jsonl"}},
		{name: "meta mode", line: ".mode ", want: []string{"table", "json", "jsonl", "csv", "markdown", "text"}},
		{name: "meta headers", line: ".headers ", want: []string{"on", "off"}},
		{name: "meta timing", line: ".timing of", typed: "of", want: []string{"off"}},
		{name: "meta cache", line: ".cache ", want: []string{"clear"}},
		{name: "meta second arg", line: ".output json ", want: nil},
		{name: "meta set", line: ".set re", typed: "re", want: []string{"region "}},
		{name: "meta unset", line: ".unset ", want: []string{"project", "region"}},
		{name: "dot in statement", pending: "SELECT *\n", line: ".o", typed: "o", want: []string{"offset ", "on ", "or ", "order ", "outer "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line, cursor := tc.line, len(tc.line)
			if i := strings.Index(line, cursorMark); i >= 0 {
				line, cursor = line[:i]+line[i+1:], i
			}
			c := &shell.Completer{
				Registry: reg,
				Pending:  func() string { return tc.pending },
				Vars:     func() []string { return []string{"project", "region"} },
			}
			typed, got := c.Complete(line, cursor)
			if typed != tc.typed || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Complete(%q, %d) = %q, %q; want %q, %q", line, cursor, typed, got, tc.typed, tc.want)
			}
			for _, cand := range got {
				if !strings.HasPrefix(cand, typed) {
					t.Errorf("candidate %q does not start with what is typed, %q", cand, typed)
				}
			}
		})
	}
}

func functionsLower() []string {
	return []string{"abs(", "avg(", "coalesce(", "count(", "date(", "datetime(", "group_concat(", "ifnull(", "instr(",
		"json_array_length(", "json_each(", "json_extract(", "json_group_array(", "json_object(", "length(",
		"lower(", "max(", "min(", "printf(", "replace(", "round(", "strftime(", "substr(", "sum(", "total(",
		"trim(", "upper("}
}

// TestCompleterDo checks what the line editor gets: the rest of each
// candidate, and the number of runes typed.
func TestCompleterDo(t *testing.T) {
	c := &shell.Completer{Registry: fixtureRegistry()}
	line := []rune("SELECT 'é' FROM acme.comp")
	got, n := c.Do(line, len(line))
	if n != 4 || len(got) != 1 || string(got[0]) != "ute." {
		t.Errorf("Do(%q) = %q, %d; want [\"ute.\"], 4", string(line), got, n)
	}
	// The cursor is a rune offset.
	line = []rune("SELECT 'é', na FROM acme.compute.servers")
	got, n = c.Do(line, len("SELECT 'é', na")-1)
	if n != 2 || len(got) != 1 || string(got[0]) != "me" {
		t.Errorf("Do(%q) mid-line = %q, %d; want [\"me\"], 2", string(line), got, n)
	}
}

func TestCompleteReadPath(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"audit.iql", "another.sql", ".hidden.iql"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "queries"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &shell.Completer{Registry: fixtureRegistry()}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{".read " + dir + "/a", []string{dir + "/another.sql", dir + "/audit.iql"}},
		{".read " + dir + "/au", []string{dir + "/audit.iql"}},
		{".read " + dir + "/q", []string{dir + "/queries/"}},
		{".read " + dir + "/.h", []string{dir + "/.hidden.iql"}},
		{".read " + dir + "/nothing", nil},
	} {
		_, got := c.Complete(tc.line, len(tc.line))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Complete(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// TestCompleteDefaultRegistry checks completion against the built-in
// registry's DigitalOcean images.
func TestCompleteDefaultRegistry(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := &shell.Completer{Registry: reg}
	has := func(line string, want ...string) {
		t.Helper()
		_, got := c.Complete(line, len(line))
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("Complete(%q) = %q, want it to hold %q", line, got, w)
			}
		}
	}
	has("SELECT * FROM digitalocean.", "images.")
	has("SELECT * FROM digitalocean.images.", "images ")
	has("SELECT id FROM digitalocean.images.images WHERE image_", "image_id")
	has("SELECT * FROM digitalocean.images.images WHERE ", "slug", "type", "image_id", "tag_name")
	has("INSERT INTO digitalocean.images.images (data__", "data__name", "data__region", "data__url")
	has("EXEC digitalocean.images.images.", "get ", "list ")
}

// TestCompleteAnyCursor completes at every cursor position of tricky lines:
// it must not panic, and every candidate must start with what is typed.
func TestCompleteAnyCursor(t *testing.T) {
	c := &shell.Completer{Registry: fixtureRegistry(), Vars: func() []string { return []string{"v"} }}
	lines := []string{
		`SELECT s.name, "q".x, [b].y, 'it''s', x'00' FROM acme.compute.servers s JOIN acme.billing.invoices AS i ON s.id = i.id;`,
		`EXEC acme.compute.servers.reboot @server_id = 1, @@json = '{"type": "hard"}'; SHOW EXTENDED METHODS IN acme.compute.servers LIKE 'r%'`,
		`INSERT INTO acme.compute.servers (data__name, data__region) VALUES ('a', 'b') RETURNING *; UPDATE acme.compute.servers SET data__name = 'x' WHERE server_id IN (1, 2)`,
		`/* open`, `-- comment`, `'open`, `"open`, `[open`, "`open", `@`, `@@`, `.`, `..`, `. .`, `.read `, `.set`, `{{ .`, `{{`, `é.ü.ï.`, `1.2.3.`,
		`SELECT * FROM acme..servers`, `DESC`, `DESCRIBE EXTENDED`, `SHOW INSERT INTO acme.compute.servers`, `WITH x AS (SELECT 1) SELECT * FROM x`,
	}
	for _, line := range lines {
		for cursor := 0; cursor <= len(line); cursor++ {
			typed, got := c.Complete(line, cursor)
			for _, cand := range got {
				if !strings.HasPrefix(cand, typed) {
					t.Errorf("Complete(%q, %d): candidate %q does not start with %q", line, cursor, cand, typed)
				}
			}
		}
		rs := []rune(line)
		for pos := 0; pos <= len(rs); pos++ {
			c.Do(rs, pos)
		}
	}
}
