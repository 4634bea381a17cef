package registry

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	fieldTypes   = []string{TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeArray, TypeObject}
	fieldFormats = []string{FormatDateTime}
	verbs        = []string{VerbSelect, VerbInsert, VerbUpdate, VerbDelete, VerbExec}
	httpMethods  = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
)

// named returns kind, or kind "name" when n declares a name.
func (d *decoder) named(kind string, n *yaml.Node) string {
	if name := d.peek(n, "name"); name != "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return kind
}

// name reads the required name: key of the provider, service or field
// declared at n.
func (d *decoder) name(m map[string]*yaml.Node, n *yaml.Node, kind, ctx, example string) string {
	if v := d.deref(m["name"]); v == nil || isNull(v) {
		d.missing(n, "name", ctx, "add name: "+example)
		return ""
	}
	name := d.str(m, "name", ctx)
	if name == "" || !d.ident(d.deref(m["name"]), kind) {
		return ""
	}
	return name
}

// provider decodes provider.yaml, found in folder.
func (d *decoder) provider(n *yaml.Node, folder string) *Provider {
	ctx := d.named("provider", n)
	m := d.object(n, ctx, "name", "description", "base_url", "base_url_env", "auth", "pagination")
	if m == nil {
		return nil
	}
	p := &Provider{Pos: d.pos(n)}
	p.Name = d.name(m, n, "provider", ctx, folder)
	if p.Name != "" && p.Name != folder {
		d.errorf(d.deref(m["name"]), "provider name %q does not match its folder %q", p.Name, folder).
			withHint("set name: %s, or rename the folder to %s", folder, p.Name)
	}
	p.Description = d.str(m, "description", ctx)
	if m["base_url"] == nil {
		d.missing(n, "base_url", ctx, "add base_url: https://api.example.com")
	} else if s := d.str(m, "base_url", ctx); s != "" {
		if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.errorf(d.deref(m["base_url"]), "%s: base_url %q is not an absolute http or https URL", ctx, s).
				withHint("write it like https://api.example.com")
		}
		p.BaseURL = strings.TrimRight(s, "/")
	}
	p.BaseURLEnv = d.str(m, "base_url_env", ctx)
	if p.BaseURLEnv != "" && !identRE.MatchString(p.BaseURLEnv) {
		d.errorf(d.deref(m["base_url_env"]), "%s: base_url_env %q is not an environment variable name", ctx, p.BaseURLEnv).
			withHint("write a name like ACME_API_URL")
	}
	p.Auth = d.auth(m["auth"])
	if m["pagination"] != nil {
		p.Pagination = d.pagination(m["pagination"])
	}
	return p
}

func (d *decoder) auth(n *yaml.Node) Auth {
	a := Auth{Type: AuthNone}
	if n == nil {
		return a
	}
	const ctx = "auth"
	m := d.object(n, ctx, "type", "token_env")
	if m == nil {
		return a
	}
	if m["type"] == nil {
		d.missing(d.deref(n), "type", ctx, "add type: bearer or type: none")
	}
	a.Type = d.choice(m, "type", "auth type", ctx, []string{AuthBearer, AuthNone}, AuthNone)
	if t := d.deref(m["token_env"]); t != nil && t.Kind == yaml.ScalarNode && !isNull(t) {
		a.TokenEnv = []string{t.Value} // a single variable needs no list
	} else {
		a.TokenEnv = d.strs(m, "token_env", ctx)
	}
	for _, v := range a.TokenEnv {
		if !identRE.MatchString(v) {
			d.errorf(d.deref(m["token_env"]), "auth: token_env %q is not an environment variable name", v).
				withHint("write names like ACME_TOKEN")
		}
	}
	if a.Type == AuthBearer && len(a.TokenEnv) == 0 && m["type"] != nil {
		d.errorf(d.deref(n), "auth: bearer auth needs token_env").
			withHint("list the environment variables holding the token, e.g. token_env: [ACME_TOKEN]")
	}
	return a
}

func (d *decoder) pagination(n *yaml.Node) *Pagination {
	const ctx = "pagination"
	pg := &Pagination{}
	m := d.object(n, ctx, "style", "next", "last", "total", "page_param", "size_param", "max_page_size")
	if m == nil {
		return pg
	}
	at := d.deref(n)
	if m["style"] == nil {
		d.missing(at, "style", ctx, "add style: links")
	}
	pg.Style = d.choice(m, "style", "pagination style", ctx, []string{PaginationLinks}, "")
	pg.Next = d.str(m, "next", ctx)
	pg.Last = d.str(m, "last", ctx)
	pg.Total = d.str(m, "total", ctx)
	pg.PageParam = d.str(m, "page_param", ctx)
	pg.SizeParam = d.str(m, "size_param", ctx)
	pg.MaxPageSize = d.integer(m, "max_page_size", ctx)
	if pg.Style == PaginationLinks && pg.Next == "" {
		d.missing(at, "next", ctx, "name the response field holding the next page's URL, e.g. next: links.pages.next")
	}
	if n := d.deref(m["max_page_size"]); n != nil && n.ShortTag() == "!!int" && pg.MaxPageSize < 1 {
		d.errorf(n, "pagination: max_page_size must be positive, got %d", pg.MaxPageSize).
			withHint("write the largest page size the API serves, e.g. max_page_size: 100")
	}
	if pg.SizeParam != "" && pg.MaxPageSize == 0 && m["max_page_size"] == nil {
		d.errorf(d.deref(m["size_param"]), "pagination: size_param needs max_page_size").
			withHint("add max_page_size: the largest page the API serves")
	}
	return pg
}

// serviceKeys are the keys of a service file.
var serviceKeys = []string{"name", "title", "description", "resources"}

// serviceHeader decodes the name, title and description of the service
// file base.yaml (or .yml) of provider p: all of it but its resources.
func (d *decoder) serviceHeader(n *yaml.Node, p *Provider, base string) *Service {
	m := d.object(n, d.named("service", n), serviceKeys...)
	if m == nil {
		return nil
	}
	return d.serviceHead(m, n, p, base)
}

func (d *decoder) serviceHead(m map[string]*yaml.Node, n *yaml.Node, p *Provider, base string) *Service {
	ctx := d.named("service", n)
	s := &Service{Provider: p, Source: d.file, Pos: d.pos(n)}
	s.Name = d.name(m, n, "service", ctx, base)
	if s.Name != "" && s.Name != base {
		d.errorf(d.deref(m["name"]), "service name %q does not match its file name %s", s.Name, filepath.Base(d.file)).
			withHint("set name: %s, or rename the file to %s.yaml", base, s.Name)
	}
	if m["name"] != nil {
		s.Pos = d.pos(d.deref(m["name"]))
	}
	s.Title = d.str(m, "title", ctx)
	s.Description = d.str(m, "description", ctx)
	return s
}

// service decodes the service file base.yaml (or .yml) of provider p.
func (d *decoder) service(n *yaml.Node, p *Provider, base string) *Service {
	ctx := d.named("service", n)
	m := d.object(n, ctx, serviceKeys...)
	if m == nil {
		return nil
	}
	s := d.serviceHead(m, n, p, base)
	ps, ok := d.pairs(m["resources"], "resources of "+ctx, "resource")
	if ok && len(ps) == 0 {
		d.errorf(n, "%s declares no resources", ctx).withHint("add resources: {<name>: {fields: [...], methods: {...}}}")
	}
	for _, kv := range ps {
		if r := d.resource(kv.key, kv.val, s); r != nil {
			s.resources = append(s.resources, r)
		}
	}
	sort.SliceStable(s.resources, func(i, j int) bool { return s.resources[i].Name < s.resources[j].Name })
	return s
}

func (d *decoder) resource(key, val *yaml.Node, s *Service) *Resource {
	ctx := fmt.Sprintf("resource %q", key.Value)
	d.ident(key, "resource")
	m := d.object(val, ctx, "description", "identity", "fields", "methods")
	if m == nil {
		return nil
	}
	r := &Resource{Name: key.Value, Description: d.str(m, "description", ctx), Service: s, Pos: d.pos(key)}
	r.Identity = d.str(m, "identity", ctx)

	first := map[string]*Field{}
	for _, item := range d.list(m, "fields", ctx) {
		f := d.field(item)
		if f == nil {
			continue
		}
		if g := first[f.Name]; g != nil {
			d.errorf(item, "duplicate field %q in %s (first at line %d)", f.Name, ctx, g.Pos.Line).
				withHint("remove or rename one of them")
			continue
		}
		first[f.Name] = f
		r.Fields = append(r.Fields, f)
	}
	if len(first) == 0 && m["fields"] == nil {
		d.missing(key, "fields", ctx, "list the resource's fields, e.g. fields: [{name: id, type: integer}]")
	}
	if r.Identity != "" && first[r.Identity] == nil {
		var names []string
		for _, f := range r.Fields {
			names = append(names, f.Name)
		}
		e := d.errorf(d.deref(m["identity"]), "%s: identity %q names no field", ctx, r.Identity)
		if near := Nearest(r.Identity, names); near != "" {
			e.withHint("did you mean %q?", near)
		} else {
			e.withHint("identity: names the field that identifies an object, e.g. identity: id")
		}
	}

	ps, _ := d.pairs(m["methods"], "methods of "+ctx, "method")
	for _, kv := range ps {
		if mt := d.method(kv.key, kv.val, r); mt != nil {
			r.Methods = append(r.Methods, mt)
		}
	}
	return r
}

func (d *decoder) field(n *yaml.Node) *Field {
	ctx := d.named("field", n)
	m := d.object(n, ctx, "name", "type", "format", "enum", "keys", "description")
	if m == nil {
		return nil
	}
	n = d.deref(n)
	f := &Field{Pos: d.pos(n)}
	f.Name = d.name(m, n, "field", ctx, "id")
	f.Type = d.choice(m, "type", "type", ctx, fieldTypes, TypeString)
	if m["enum"] != nil {
		at := d.deref(m["enum"])
		f.Enum = d.strs(m, "enum", ctx)
		switch {
		case f.Type != TypeString && f.Type != TypeInteger && f.Type != TypeNumber:
			d.errorf(at, "%s: enum on a %s field", ctx, f.Type).
				withHint("remove enum:; only string, integer and number fields take one")
			f.Enum = nil
		case len(f.Enum) == 0:
			d.errorf(at, "%s: enum is empty", ctx).withHint("list the values the API gives, or remove enum:")
		}
	}
	if m["keys"] != nil {
		at := d.deref(m["keys"])
		f.Keys = d.strs(m, "keys", ctx)
		switch {
		case f.Type != TypeObject:
			d.errorf(at, "%s: keys on a %s field", ctx, f.Type).
				withHint("remove keys:; only object fields take them")
			f.Keys = nil
		case len(f.Keys) == 0:
			d.errorf(at, "%s: keys is empty", ctx).withHint("list the object's keys, or remove keys:")
		}
	}
	if m["format"] != nil {
		f.Format = d.choice(m, "format", "format", ctx, fieldFormats, "")
		if f.Format != "" && f.Type != TypeString {
			d.errorf(d.deref(m["format"]), "%s: format %s applies to string fields, this one is %s", ctx, f.Format, f.Type).
				withHint("remove format, or make the field type: string")
		}
	}
	f.Description = d.str(m, "description", ctx)
	if f.Name == "" {
		return nil
	}
	return f
}

func (d *decoder) method(key, val *yaml.Node, r *Resource) *Method {
	ctx := fmt.Sprintf("method %q", key.Value)
	d.ident(key, "method")
	m := d.object(val, ctx, "description", "verb", "http", "response_key", "paginated", "params", "body", "headers", "raw")
	if m == nil {
		return nil
	}
	mt := &Method{Name: key.Value, Resource: r, Pos: d.pos(key)}
	mt.Description = d.str(m, "description", ctx)
	mt.ResponseKey = d.str(m, "response_key", ctx)
	if m["verb"] == nil {
		d.missing(key, "verb", ctx, "add verb: select, insert, update, delete or exec")
	}
	mt.Verb = d.choice(m, "verb", "verb", ctx, verbs, "")
	if m["http"] == nil {
		d.missing(key, "http", ctx, "add http: METHOD /path, e.g. http: GET /v2/images")
	}
	placeholders := d.http(m, mt, ctx)

	mt.Paginated = d.boolean(m, "paginated", ctx)
	if p := r.Service.Provider; mt.Paginated && p.Pagination == nil {
		d.errorf(d.deref(m["paginated"]), "%s is paginated, but provider %q declares no pagination", ctx, p.Name).
			withHint("add pagination: to provider.yaml, or remove paginated: true")
	}

	mt.Headers = d.headers(m["headers"], ctx)
	mt.Raw = d.choice(m, "raw", "raw kind", ctx, []string{RawText, RawBase64}, "")
	if mt.Raw != "" {
		at := d.deref(m["raw"])
		switch {
		case mt.Verb != VerbSelect || mt.HTTPMethod != "GET":
			d.errorf(at, "%s: raw on verb %s (%s); only a select method's GET answers a raw body", ctx, mt.Verb, mt.HTTPMethod).
				withHint("remove raw:, or make the method verb: select, http: GET ...")
		case mt.Paginated || mt.ResponseKey != "":
			d.errorf(at, "%s: raw with paginated or response_key; a raw body is not JSON", ctx).
				withHint("remove paginated: and response_key:")
		case r.Field("content") == nil:
			d.errorf(at, "%s: raw, but resource %q has no content field to hold the body", ctx, r.Name).
				withHint("add {name: content, type: string} (and content_type) to its fields")
		}
	}

	keys := map[*Param]*yaml.Node{}
	ps, _ := d.pairs(m["params"], "params of "+ctx, "param")
	for _, kv := range ps {
		if p := d.param(kv.key, kv.val, mt, false); p != nil {
			mt.Params = append(mt.Params, p)
			keys[p] = kv.key
		}
	}
	for _, p := range mt.Params {
		for _, x := range p.Excludes {
			if mt.Param(x) == nil || x == p.Name {
				d.errorf(d.deref(keys[p]), "param %q of %s: excludes %q, which is not another param of the method", p.Name, ctx, x).
					withHint("list the names of params the API refuses together with this one")
			}
		}
	}
	ps, _ = d.pairs(m["body"], "body of "+ctx, "body field")
	for _, kv := range ps {
		p := d.param(kv.key, kv.val, mt, true)
		if p == nil {
			continue
		}
		if q := mt.Param(p.Name); q != nil {
			d.errorf(kv.key, "body field %q of %s is also declared in params (line %d)", p.Name, ctx, q.Pos.Line).
				withHint("rename one of them: a statement could not tell which one a value is for")
			continue
		}
		if p.Required && (mt.Verb == VerbSelect || mt.Verb == VerbDelete) {
			d.errorf(kv.key, "body field %q of %s is required, but a %s statement cannot set body fields", p.Name, ctx, strings.ToUpper(mt.Verb)).
				withHint("make it a query param, or reach the method with verb: exec")
		}
		mt.Body = append(mt.Body, p)
	}

	// Every placeholder of the path is bound by a path param, and the other
	// way round.
	for _, ph := range placeholders {
		p := mt.Param(ph)
		switch {
		case p == nil:
			d.errorf(d.deref(m["http"]), "path placeholder {%s} of %s has no path param", ph, ctx).
				withHint("add params: {%s: {in: path, required: true}}", ph)
		case p.In != InPath && p.In != "":
			d.errorf(keys[p], "param %q of %s is in the path as {%s}, but declared in: %s", ph, ctx, ph, p.In).
				withHint("declare it with in: path")
		}
	}
	for _, p := range mt.Params {
		if p.In == InPath && mt.Path != "" && !slices.Contains(placeholders, p.Name) {
			d.errorf(keys[p], "path param %q of %s does not appear in its path %s", p.Name, ctx, mt.Path).
				withHint("add {%s} to the http: path, or declare it in: query", p.Name)
		}
	}
	return mt
}

// reserved are the headers the client sets itself; a method may not declare them.
var reserved = []string{"accept", "authorization", "content-type", "content-length", "host", "user-agent"}

// headers decodes a method's `headers: {Name: value}`.
func (d *decoder) headers(n *yaml.Node, ctx string) []Header {
	ps, _ := d.pairs(n, "headers of "+ctx, "header")
	var hs []Header
	for _, kv := range ps {
		name := kv.key.Value
		v := d.deref(kv.val)
		switch {
		case !validHeaderName(name):
			d.errorf(kv.key, "header %q of %s is not a valid HTTP header name", name, ctx).
				withHint("use letters, digits and dashes, e.g. X-Dangerous")
		case slices.Contains(reserved, strings.ToLower(name)):
			d.errorf(kv.key, "header %q of %s is set by apiql itself and cannot be declared", name, ctx).
				withHint("remove it; authentication comes from the provider's auth:")
		case v.Kind != yaml.ScalarNode || isNull(v):
			d.errorf(kv.key, "header %q of %s must have a text value, got %s", name, ctx, describe(v)).
				withHint("write it as %s: \"value\"", name)
		case strings.ContainsAny(v.Value, "\r\n"):
			d.errorf(v, "header %q of %s has a line break in its value", name, ctx).
				withHint("write the value on one line")
		default:
			hs = append(hs, Header{Name: name, Value: v.Value})
		}
	}
	return hs
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// http decodes `http: METHOD /path` into mt and returns the path's
// placeholders.
func (d *decoder) http(m map[string]*yaml.Node, mt *Method, ctx string) []string {
	s := d.str(m, "http", ctx)
	if s == "" {
		if m["http"] != nil {
			d.errorf(d.deref(m["http"]), "%s: http is empty", ctx).withHint("write http: METHOD /path, e.g. http: GET /v2/images")
		}
		return nil
	}
	at := d.deref(m["http"])
	parts := strings.Fields(s)
	if len(parts) != 2 || !strings.HasPrefix(parts[1], "/") {
		d.errorf(at, "%s: malformed http %q", ctx, s).withHint("write http: METHOD /path, e.g. http: GET /v2/images/{image_id}")
		return nil
	}
	verb, path := parts[0], parts[1]
	if !slices.Contains(httpMethods, verb) {
		e := d.errorf(at, "unknown HTTP method %q in %s", verb, ctx)
		if near := Nearest(verb, httpMethods); near != "" {
			e.withHint("did you mean %q?", near)
		} else {
			e.withHint("use one of %s", strings.Join(httpMethods, ", "))
		}
	}
	if strings.ContainsAny(path, "?#") {
		d.errorf(at, "%s: path %q has a query string", ctx, path).withHint("declare query parameters under params: with in: query")
		return nil
	}
	var names []string
	for rest := path; ; {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if rest[i] == '}' || j < 0 || !identRE.MatchString(rest[i+1:i+j]) {
			d.errorf(at, "%s: malformed placeholder in path %q", ctx, path).withHint("placeholders are {name}, e.g. /v2/images/{image_id}")
			return nil
		}
		name := rest[i+1 : i+j]
		if slices.Contains(names, name) {
			d.errorf(at, "%s: placeholder {%s} appears twice in path %q", ctx, name, path)
		}
		names = append(names, name)
		rest = rest[i+j+1:]
	}
	mt.HTTPMethod, mt.Path = verb, path
	return names
}

// param decodes a path or query parameter (body false) or a body field.
func (d *decoder) param(key, val *yaml.Node, mt *Method, body bool) *Param {
	kind, known := "param", []string{"in", "required", "type", "enum", "default", "field", "excludes", "parent", "description"}
	if body {
		kind, known = "body field", []string{"in", "required", "type", "enum", "default", "description"}
	}
	ctx := fmt.Sprintf("%s %q of method %q", kind, key.Value, mt.Name)
	d.ident(key, kind)
	m := d.object(val, ctx, known...)
	if m == nil {
		return nil
	}
	p := &Param{Name: key.Value, Pos: d.pos(key)}
	p.Description = d.str(m, "description", ctx)
	p.Default = d.str(m, "default", ctx)
	p.Required = d.boolean(m, "required", ctx)
	p.Type = d.choice(m, "type", "type", ctx, fieldTypes, TypeString)

	in, inNode := d.str(m, "in", ctx), d.deref(m["in"])
	switch {
	case body && (in == "" || in == InBody):
		p.In = InBody
	case body:
		d.errorf(inNode, "%s: in: %s under body:", ctx, in).
			withHint("body fields are in: body; declare path and query parameters under params:")
	case inNode == nil || isNull(inNode):
		d.missing(key, "in", ctx, "add in: path or in: query")
	case in == "":
		// not a string: reported
	case in == InPath || in == InQuery:
		p.In = in
	case in == InBody:
		d.errorf(inNode, "%s: in: body under params:", ctx).
			withHint("declare body fields under body:, not params:")
	default:
		e := d.errorf(inNode, "unknown location %q in %s", in, ctx)
		if near := Nearest(in, []string{InPath, InQuery}); near != "" {
			e.withHint("did you mean %q?", near)
		} else {
			e.withHint("in must be path or query")
		}
	}
	if p.In == InPath {
		if m["required"] == nil {
			p.Required = true
		} else if n := d.deref(m["required"]); n.ShortTag() == "!!bool" && !p.Required {
			d.errorf(n, "%s: a path param is always required", ctx).withHint("remove required: false")
		}
	}

	if m["enum"] != nil {
		at := d.deref(m["enum"])
		p.Enum = d.strs(m, "enum", ctx)
		switch {
		case p.Type == TypeBoolean || p.Type == TypeArray || p.Type == TypeObject:
			d.errorf(at, "%s: enum on a %s param", ctx, p.Type).
				withHint("remove enum:; only string, integer and number params take one")
			p.Enum = nil
		case at.Kind == yaml.SequenceNode && len(at.Content) == 0:
			d.errorf(at, "%s: enum is empty", ctx).withHint("list the accepted values, or remove enum:")
		case p.Type == TypeInteger || p.Type == TypeNumber:
			for _, v := range p.Enum {
				_, errI := strconv.ParseInt(v, 10, 64)
				_, errF := strconv.ParseFloat(v, 64)
				if (p.Type == TypeInteger && errI != nil) || (p.Type == TypeNumber && errF != nil) {
					d.errorf(at, "%s: enum value %q is not of type %s", ctx, v, p.Type).
						withHint("list values of the param's type, or change its type:")
				}
			}
		}
	}

	if !body {
		if m["parent"] != nil {
			p.Parent = d.parent(m["parent"], mt.Resource.Service.Provider.Name, ctx)
			if p.Parent != nil && p.In != InPath {
				d.errorf(d.deref(m["parent"]), "%s: parent on a %s param", ctx, p.In).
					withHint("parent names where a path parameter's values come from; remove it")
			}
		}
		if m["excludes"] != nil {
			p.Excludes = d.strs(m, "excludes", ctx)
		}
		p.Field = d.str(m, "field", ctx)
		if p.Field != "" && mt.Resource.Field(p.Field) == nil {
			e := d.errorf(d.deref(m["field"]), "%s: field %q names no field of resource %q", ctx, p.Field, mt.Resource.Name)
			var names []string
			for _, f := range mt.Resource.Fields {
				names = append(names, f.Name)
			}
			if near := Nearest(p.Field, names); near != "" {
				e.withHint("did you mean %q?", near)
			} else {
				e.withHint("field: names the response field the param filters on by equality")
			}
		}
	}
	return p
}

// parent decodes `parent: {resource: service.resource, field: name}`. That
// the resource and field exist is checked once the provider is whole (see
// checkParents).
func (d *decoder) parent(n *yaml.Node, provider, ctx string) *Parent {
	ctx += ": parent"
	m := d.object(n, ctx, "resource", "field")
	if m == nil {
		return nil
	}
	at := d.deref(n)
	res, field := d.str(m, "resource", ctx), d.str(m, "field", ctx)
	if m["resource"] == nil {
		d.missing(at, "resource", ctx, "add resource: <service>.<resource>, e.g. resource: domains.domains")
	}
	if m["field"] == nil {
		d.missing(at, "field", ctx, "add field: the parent's field the values come from, e.g. field: name")
	}
	parts := strings.Split(res, ".")
	if res != "" && (len(parts) != 2 || !identRE.MatchString(parts[0]) || !identRE.MatchString(parts[1])) {
		d.errorf(d.deref(m["resource"]), "%s: resource %q is not service.resource", ctx, res).
			withHint("name a resource of the same provider as service.resource, e.g. domains.domains")
		return nil
	}
	if res == "" || field == "" {
		return nil
	}
	return &Parent{Provider: provider, Service: parts[0], Resource: parts[1], Field: field}
}
