package registry_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apiql/apiql/registry"
)

func TestLoadGood(t *testing.T) {
	reg, err := registry.Load("../testdata/registry/good")
	if err != nil {
		t.Fatalf("Load()=%v", err)
	}
	var names []string
	for _, p := range reg.Providers {
		names = append(names, p.Name)
	}
	if got, want := strings.Join(names, ","), "acme,digitalocean"; got != want {
		t.Fatalf("providers=%q, want %q", got, want)
	}
	p := reg.Provider("acme")
	if got, want := p.Source, filepath.Join("../testdata/registry/good", "acme"); got != want {
		t.Errorf("Source=%q, want %q", got, want)
	}
	if got, want := p.BaseURL, "https://api.acme.example"; got != want {
		t.Errorf("BaseURL=%q, want %q", got, want)
	}
	if got, want := p.BaseURLEnv, "ACME_API_URL"; got != want {
		t.Errorf("BaseURLEnv=%q, want %q", got, want)
	}
	if got, want := p.Auth.Type+" "+strings.Join(p.Auth.TokenEnv, ","), "bearer ACME_TOKEN"; got != want {
		t.Errorf("Auth=%q, want %q", got, want)
	}
	if got, want := *p.Pagination, (registry.Pagination{Style: "links", Next: "paging.next_url", Total: "paging.total",
		PageParam: "p", SizeParam: "limit", MaxPageSize: 50}); got != want {
		t.Errorf("Pagination=%+v, want %+v", got, want)
	}

	r, err := reg.Resource("acme.widgets.widgets")
	if err != nil {
		t.Fatalf("Resource()=%v", err)
	}
	var fields []string
	for _, f := range r.Fields {
		fields = append(fields, f.Name+":"+f.Type)
	}
	if got, want := strings.Join(fields, " "), "id:integer name:string color:string tags:array active:boolean"; got != want {
		t.Errorf("fields=%q, want %q", got, want)
	}
	tests := []struct {
		method, verb, http, responseKey string
		paginated                       bool
		required, requiredBody          string
	}{
		{"get", "select", "GET /api/widgets/{widget_id}", "widget", false, "widget_id", ""},
		{"list", "select", "GET /api/widgets", "items", true, "", ""},
		{"create", "insert", "POST /api/widgets", "widget", false, "", "name,color"},
		{"delete", "delete", "DELETE /api/widgets/{widget_id}", "", false, "widget_id", ""},
	}
	if got, want := len(r.Methods), len(tests); got != want {
		t.Fatalf("len(Methods)=%d, want %d", got, want)
	}
	for i, tt := range tests {
		m := r.Methods[i]
		if got, want := m.Name, tt.method; got != want {
			t.Fatalf("Methods[%d].Name=%q, want %q", i, got, want)
		}
		if got, want := m.Verb, tt.verb; got != want {
			t.Errorf("%s: Verb=%q, want %q", m.Name, got, want)
		}
		if got, want := m.HTTPMethod+" "+m.Path, tt.http; got != want {
			t.Errorf("%s: http=%q, want %q", m.Name, got, want)
		}
		if got, want := m.ResponseKey, tt.responseKey; got != want {
			t.Errorf("%s: ResponseKey=%q, want %q", m.Name, got, want)
		}
		if got, want := m.Paginated, tt.paginated; got != want {
			t.Errorf("%s: Paginated=%v, want %v", m.Name, got, want)
		}
		if got, want := strings.Join(m.RequiredParams(), ","), tt.required; got != want {
			t.Errorf("%s: RequiredParams()=%q, want %q", m.Name, got, want)
		}
		if got, want := strings.Join(m.RequiredBody(), ","), tt.requiredBody; got != want {
			t.Errorf("%s: RequiredBody()=%q, want %q", m.Name, got, want)
		}
	}
	color := r.Method("list").Param("color")
	if got, want := color.Field, "color"; got != want {
		t.Errorf("list color: Field=%q, want %q", got, want)
	}
	if got, want := color.Enum, []string{"red", "green", "blue"}; !slices.Equal(got, want) {
		t.Errorf("list color: Enum=%q, want %q", got, want)
	}
	if got, want := color.Pos.String(), "../testdata/registry/good/acme/services/widgets.yaml:28:11"; got != want {
		t.Errorf("list color: Pos=%q, want %q", got, want)
	}
	// A path parameter's parent: where its values come from.
	parts, err := reg.Resource("acme.parts.parts")
	if err != nil {
		t.Fatalf("Resource()=%v", err)
	}
	if got, want := parts.Method("list").Param("widget_id").Parent, (&registry.Parent{Provider: "acme", Service: "widgets", Resource: "widgets", Field: "id"}); got == nil || *got != *want {
		t.Errorf("parts list widget_id: Parent=%+v, want %+v", got, want)
	} else if got, want := got.ID(), "acme.widgets.widgets"; got != want {
		t.Errorf("Parent.ID()=%q, want %q", got, want)
	}
	if got := r.Method("get").Param("widget_id").Parent; got != nil {
		t.Errorf("widgets get widget_id: Parent=%+v, want nil (its own id)", got)
	}
	// The embedded provider is still there.
	if _, err := reg.Resource("digitalocean.images.images"); err != nil {
		t.Errorf("Resource(digitalocean.images.images)=%v", err)
	}
}

func TestLoadOverride(t *testing.T) {
	reg, err := registry.Load("../testdata/registry/override")
	if err != nil {
		t.Fatalf("Load()=%v", err)
	}
	p := reg.Provider("digitalocean")
	if got, want := p.BaseURL, "http://127.0.0.1:8080"; got != want {
		t.Errorf("BaseURL=%q, want %q", got, want)
	}
	if got, want := p.Auth.Type, registry.AuthNone; got != want {
		t.Errorf("Auth.Type=%q, want %q", got, want)
	}
	if p.Pagination != nil {
		t.Errorf("Pagination=%+v, want nil", p.Pagination)
	}
	// It says what it replaces, and keeps the built-in's URL variable, so
	// that the user's DIGITALOCEAN_API_URL still wins.
	if got, want := p.Replaces, "embedded:providers/digitalocean"; got != want {
		t.Errorf("Replaces=%q, want %q", got, want)
	}
	if got, want := p.BaseURLEnv, "DIGITALOCEAN_API_URL"; got != want {
		t.Errorf("BaseURLEnv=%q, want %q (the built-in's)", got, want)
	}
	if got, want := len(p.Services), 1; got != want {
		t.Fatalf("len(Services)=%d, want %d: the on-disk provider replaces the embedded one whole", got, want)
	}
	r, err := reg.Resource("digitalocean.images.images")
	if err != nil {
		t.Fatalf("Resource()=%v", err)
	}
	if got, want := len(r.Fields), 2; got != want {
		t.Errorf("len(Fields)=%d, want %d", got, want)
	}
	if got, want := r.Fields[1].Type, registry.TypeString; got != want {
		t.Errorf("Fields[1].Type=%q, want %q (the default)", got, want)
	}
	if _, err := reg.Resource("digitalocean.regions.regions"); err == nil {
		t.Errorf("Resource(digitalocean.regions.regions): want an error, the override has no regions service")
	}

	// Later folders replace earlier ones.
	reg, err = registry.Load("../testdata/registry/override", "../testdata/registry/good")
	if err != nil {
		t.Fatalf("Load()=%v", err)
	}
	if got, want := len(reg.Provider("digitalocean").Services), 1; got != want {
		t.Errorf("len(Services)=%d, want %d", got, want)
	}
	if got, want := len(reg.Providers), 2; got != want {
		t.Errorf("len(Providers)=%d, want %d", got, want)
	}
	if got := reg.Provider("acme").Replaces; got != "" {
		t.Errorf("acme Replaces=%q; it replaces no built-in provider", got)
	}
}

// TestLoadTokenVariablesBelong: a registry folder's provider may not read
// the token or URL variable of a built-in provider it does not replace.
func TestLoadTokenVariablesBelong(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"name: evil\nbase_url: http://127.0.0.1:1\nauth: {type: bearer, token_env: [DIGITALOCEAN_ACCESS_TOKEN]}\n", "token variable of the built-in provider"},
		{"name: evil\nbase_url: http://127.0.0.1:1\nbase_url_env: DIGITALOCEAN_API_URL\n", "URL variable of the built-in provider"},
		{"name: digitalocean\nbase_url: http://127.0.0.1:1\nbase_url_env: MY_URL\n", "not DIGITALOCEAN_API_URL"},
	} {
		dir := t.TempDir()
		name := strings.TrimPrefix(strings.SplitN(tc.yaml, "\n", 2)[0], "name: ")
		if err := os.MkdirAll(filepath.Join(dir, name, "services"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name, "provider.yaml"), []byte(tc.yaml), 0o644)
		_, err := registry.Load(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "provider.yaml:1") {
			t.Errorf("%s: err = %v, want %q at provider.yaml:1", name, err, tc.want)
		}
	}
}

func TestLoadFolderErrors(t *testing.T) {
	tests := []struct{ dir, want string }{
		{"../testdata/registry/nope", "../testdata/registry/nope: cannot read registry folder: no such file or directory"},
		{"../testdata/registry/good/acme", "../testdata/registry/good/acme: folder is a provider folder, not a folder of providers; give the folder that holds it, ../testdata/registry/good"},
	}
	for _, tt := range tests {
		_, err := registry.Load(tt.dir)
		if err == nil {
			t.Fatalf("Load(%q)=nil, want an error", tt.dir)
		}
		if got, want := err.Error(), tt.want; got != want {
			t.Errorf("Load(%q)=%q, want %q", tt.dir, got, want)
		}
	}
	if _, err := registry.Load("../testdata/registry/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(nope)=%v, want an fs.ErrNotExist", err)
	}
}

// Each folder of testdata/registry/broken holds one provider with one
// mistake; loading it must report exactly that mistake, where it is.
func TestLoadBroken(t *testing.T) {
	tests := []struct {
		dir  string
		file string // under the case folder
		line int    // 0: the whole file or folder
		msg  string // what follows "file:line: "
	}{
		{"bad-base-url", "acme/provider.yaml", 2, "provider \"acme\": base_url \"api.acme.example\" is not an absolute http or https URL"},
		{"bad-bool", "acme/services/things.yaml", 21, "param \"thing_id\" of method \"get\": required must be true or false, got \"maybe\""},
		{"bad-max-page-size", "acme/provider.yaml", 4, "pagination: max_page_size must be an integer, got \"lots\""},
		{"bearer-without-token-env", "acme/provider.yaml", 3, "auth: bearer auth needs token_env"},
		{"body-in-params", "acme/services/things.yaml", 15, "param \"name\" of method \"list\": in: body under params:"},
		{"duplicate-body-field", "acme/services/things.yaml", 27, "duplicate body field \"name\" in body of method \"create\" (first at line 26)"},
		{"duplicate-field", "acme/services/things.yaml", 7, "duplicate field \"name\" in resource \"things\" (first at line 6)"},
		{"duplicate-key", "acme/services/things.yaml", 20, "duplicate key \"verb\" in method \"get\" (first at line 17)"},
		{"duplicate-method", "acme/services/things.yaml", 22, "duplicate method \"get\" in methods of resource \"things\" (first at line 16)"},
		{"duplicate-param", "acme/services/things.yaml", 16, "duplicate param \"name\" in params of method \"list\" (first at line 15)"},
		{"duplicate-resource", "acme/services/things.yaml", 28, "duplicate resource \"things\" in resources of service \"things\" (first at line 3)"},
		{"duplicate-service", "acme/services/things.yml", 1, "duplicate service \"things\" in provider \"acme\" (also in things.yaml)"},
		{"empty-file", "acme/services/things.yaml", 0, "file is empty"},
		{"enum-not-integer", "acme/services/things.yaml", 21, "param \"thing_id\" of method \"get\": enum value \"two\" is not of type integer"},
		{"enum-on-boolean", "acme/services/things.yaml", 27, "body field \"active\" of method \"create\": enum on a boolean param"},
		{"fields-not-list", "acme/services/things.yaml", 4, "resource \"things\": fields must be a list, got 3"},
		{"invalid-name", "acme/services/things.yaml", 22, "invalid method name \"create-thing\""},
		{"invalid-yaml", "acme/services/things.yaml", 6, "invalid YAML: did not find expected ',' or '}'"},
		{"malformed-http", "acme/services/things.yaml", 11, "method \"list\": malformed http \"/things\""},
		{"malformed-placeholder", "acme/services/things.yaml", 18, "method \"get\": malformed placeholder in path \"/things/{thing_id\""},
		{"method-not-mapping", "acme/services/things.yaml", 22, "method \"create\" must be a mapping, got \"POST /things\""},
		{"methods-not-mapping", "acme/services/things.yaml", 8, "methods of resource \"things\" must be a mapping, got a list"},
		{"missing-base-url", "acme/provider.yaml", 1, "missing key \"base_url\" in provider \"acme\""},
		{"missing-field-name", "acme/services/things.yaml", 7, "missing key \"name\" in field"},
		{"missing-fields", "acme/services/things.yaml", 3, "missing key \"fields\" in resource \"things\""},
		{"missing-http", "acme/services/things.yaml", 22, "missing key \"http\" in method \"create\""},
		{"missing-in", "acme/services/things.yaml", 15, "missing key \"in\" in param \"name\" of method \"list\""},
		{"missing-provider-name", "acme/provider.yaml", 1, "missing key \"name\" in provider"},
		{"missing-service-name", "acme/services/things.yaml", 1, "missing key \"name\" in service"},
		{"missing-verb", "acme/services/things.yaml", 22, "missing key \"verb\" in method \"create\""},
		{"no-provider-yaml", "acme", 0, "provider folder has no provider.yaml"},
		{"no-resources", "acme/services/things.yaml", 1, "service \"things\" declares no resources"},
		{"no-services-folder", "acme", 0, "provider folder has no services folder"},
		{"optional-path-param", "acme/services/things.yaml", 21, "param \"thing_id\" of method \"get\": a path param is always required"},
		{"paginated-without-pagination", "acme/services/things.yaml", 13, "method \"list\" is paginated, but provider \"acme\" declares no pagination"},
		{"pagination-without-next", "acme/provider.yaml", 4, "missing key \"next\" in pagination"},
		{"param-and-body-field", "acme/services/things.yaml", 29, "body field \"active\" of method \"create\" is also declared in params (line 26)"},
		{"path-param-not-in-path", "acme/services/things.yaml", 15, "path param \"name\" of method \"list\" does not appear in its path /things"},
		{"placeholder-query-param", "acme/services/things.yaml", 21, "param \"thing_id\" of method \"get\" is in the path as {thing_id}, but declared in: query"},
		{"placeholder-without-param", "acme/services/things.yaml", 18, "path placeholder {thing_id} of method \"get\" has no path param"},
		{"provider-name-mismatch", "acme/provider.yaml", 1, "provider name \"acme2\" does not match its folder \"acme\""},
		{"query-in-path", "acme/services/things.yaml", 11, "method \"list\": path \"/things?sort=name\" has a query string"},
		{"required-body-on-select", "acme/services/things.yaml", 15, "body field \"name\" of method \"list\" is required, but a SELECT statement cannot set body fields"},
		{"service-name-mismatch", "acme/services/things.yaml", 1, "service name \"thing\" does not match its file name things.yaml"},
		{"too-many-aliases", "acme/services/things.yaml", 15, "too many alias references (more than 1000)"},
		{"unknown-auth-type", "acme/provider.yaml", 3, "unknown auth type \"basic\" in auth"},
		{"unknown-field-ref", "acme/services/things.yaml", 15, "param \"name\" of method \"list\": field \"nmae\" names no field of resource \"things\"; did you mean \"name\"?"},
		{"unknown-field-format", "acme/services/things.yaml", 6, "unknown format \"datetime\" in field \"created_at\"; did you mean \"date-time\"?"},
		{"format-not-string", "acme/services/things.yaml", 6, "field \"created_at\": format date-time applies to string fields, this one is integer"},
		{"enum-not-scalar", "acme/services/things.yaml", 6, "field \"created_at\": enum on a boolean field"},
		{"keys-not-object", "acme/services/things.yaml", 6, "field \"created_at\": keys on a string field"},
		{"unknown-field-type", "acme/services/things.yaml", 6, "unknown type \"strng\" in field \"name\"; did you mean \"string\"?"},
		{"unknown-http-method", "acme/services/things.yaml", 24, "unknown HTTP method \"POSTT\" in method \"create\"; did you mean \"POST\"?"},
		{"unknown-in", "acme/services/things.yaml", 15, "unknown location \"header\" in param \"name\" of method \"list\""},
		{"excludes-unknown-param", "acme/services/things.yaml", 15, "param \"name\" of method \"list\": excludes \"colour\", which is not another param of the method"},
		{"parent-unknown-resource", "acme/services/parts.yaml", 12, "param \"thing_id\" of method \"list\": parent things.thing: no resource \"thing\" in service \"things\""},
		{"parent-unknown-field", "acme/services/parts.yaml", 12, "param \"thing_id\" of method \"list\": parent acme.things.things has no field \"uuid\""},
		{"parent-on-query", "acme/services/things.yaml", 15, "param \"name\" of method \"list\": parent on a query param"},
		{"parent-not-qualified", "acme/services/parts.yaml", 12, "param \"thing_id\" of method \"list\": parent: resource \"things\" is not service.resource"},
		{"unknown-key", "acme/services/things.yaml", 12, "unknown key \"respone_key\" in method \"list\"; did you mean \"response_key\"?"},
		{"header-reserved", "acme/services/things.yaml", 25, "header \"Authorization\" of method \"create\" is set by apiql itself and cannot be declared"},
		{"header-bad-name", "acme/services/things.yaml", 25, "header \"X Dangerous\" of method \"create\" is not a valid HTTP header name"},
		{"header-not-text", "acme/services/things.yaml", 25, "header \"X-Dangerous\" of method \"create\" must have a text value, got a list"},
		{"raw-on-insert", "acme/services/things.yaml", 25, "method \"create\": raw on verb insert (POST); only a select method's GET answers a raw body"},
		{"unknown-verb", "acme/services/things.yaml", 23, "unknown verb \"insrt\" in method \"create\"; did you mean \"insert\"?"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.dir] = true
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("../testdata/registry/broken", tt.dir)
			reg, err := registry.Load(dir)
			if err == nil {
				t.Fatalf("Load()=%v, want an error", reg)
			}
			where := filepath.Join(dir, tt.file)
			if tt.line > 0 {
				where += ":" + strconv.Itoa(tt.line)
			}
			if got, want := err.Error(), where+": "+tt.msg; !strings.HasPrefix(got, want) {
				t.Fatalf("Load()=%q, want it to start with %q", got, want)
			}
			var errs []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			}
			if got, want := len(errs), 1; got != want {
				t.Errorf("Load() returned %d errors, want %d:\n%v", got, want, err)
			}
			var le *registry.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load()=%T, want a *registry.LoadError", err)
			}
			if got, want := le.Line, tt.line; got != want {
				t.Errorf("Line=%d, want %d", got, want)
			}
			if le.Line > 0 && le.Hint == "" && le.Err == nil {
				t.Errorf("Hint is empty: %v", le)
			}
		})
	}
	entries, err := filepath.Glob("../testdata/registry/broken/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[filepath.Base(e)] {
			t.Errorf("broken case %s has no test", filepath.Base(e))
		}
	}
}

func TestLoadErrorFormat(t *testing.T) {
	_, err := registry.Load("../testdata/registry/broken/unknown-key")
	want := `../testdata/registry/broken/unknown-key/acme/services/things.yaml:12: unknown key "respone_key" in method "list"; did you mean "response_key"?`
	if got := err.Error(); got != want {
		t.Fatalf("Load()=%q, want %q", got, want)
	}
	var le *registry.LoadError
	errors.As(err, &le)
	if got, want := le.Pos().String(), "../testdata/registry/broken/unknown-key/acme/services/things.yaml:12:9"; got != want {
		t.Errorf("Pos()=%q, want %q", got, want)
	}
}

// All the problems of a load come back at once.
func TestLoadAllErrors(t *testing.T) {
	_, err := registry.Load("../testdata/registry/broken/unknown-key", "../testdata/registry/broken/unknown-verb")
	if err == nil {
		t.Fatal("Load()=nil, want errors")
	}
	for _, want := range []string{`unknown key "respone_key"`, `unknown verb "insrt"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load()=%q, want it to contain %q", err, want)
		}
	}
}

// Anchors and aliases share declarations, e.g. the params of list and _list.
func TestLoadFSAliases(t *testing.T) {
	fsys := fstest.MapFS{
		"acme/provider.yaml": {Data: []byte("name: acme\nbase_url: https://api.acme.example\n" +
			"pagination: {style: links, next: paging.next_url}\n")},
		"acme/services/widgets.yaml": {Data: []byte(`name: widgets
resources:
  widgets:
    fields: [{name: id, type: integer}, {name: color}]
    methods:
      list:
        verb: select
        http: GET /api/widgets
        paginated: true
        params: &filters
          color: {in: query, enum: [red, blue], field: color}
          limit: {in: query, type: integer}
      _list: {verb: exec, http: GET /api/widgets, paginated: true, params: *filters}
`)},
	}
	reg, err := registry.LoadFS(fsys, "mem")
	if err != nil {
		t.Fatalf("LoadFS()=%v", err)
	}
	if got, want := len(reg.Providers), 1; got != want {
		t.Fatalf("len(Providers)=%d, want %d (no embedded providers)", got, want)
	}
	r, err := reg.Resource("acme.widgets.widgets")
	if err != nil {
		t.Fatalf("Resource()=%v", err)
	}
	for _, name := range []string{"list", "_list"} {
		m := r.Method(name)
		if got, want := len(m.Params), 2; got != want {
			t.Fatalf("%s: len(Params)=%d, want %d", name, got, want)
		}
		if got, want := m.Params[0].Name+" "+m.Params[0].Field+" "+m.Params[1].Name+" "+m.Params[1].Type, "color color limit integer"; got != want {
			t.Errorf("%s: params=%q, want %q", name, got, want)
		}
		if got, want := m.Params[0].Pos.String(), "mem/acme/services/widgets.yaml:11:11"; got != want {
			t.Errorf("%s: Pos=%q, want %q", name, got, want)
		}
	}
	if got, want := r.Fields[1].Type, registry.TypeString; got != want {
		t.Errorf("Fields[1].Type=%q, want %q", got, want)
	}
}
