// Package openapigen turns an OpenAPI 3 document into registry service files
// (see the registry package's doc for the format and the naming rules), and
// measures how much of the document the result covers.
package openapigen

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Result is a generated registry: one service a file.
type Result struct {
	Services []*Service
	// Coverage lists every operation of the spec and what became of it.
	Coverage []Coverage
}

// Service is one generated service file.
type Service struct {
	Name, Title, Description string
	Resources                []*Resource // sorted by name
}

// Resource is one generated resource.
type Resource struct {
	Name, Description, Identity string
	Fields                      []*Field
	Methods                     []*Method
	path                        string // the collection path
	service                     *Service
}

// Field is a column.
type Field struct {
	Name, Type, Format, Description string
	// Enum is a scalar field's values, Keys an object field's keys, as
	// the spec declares them.
	Enum, Keys []string
}

// newField is the column of a response property.
func newField(p *prop) *Field {
	f := &Field{Name: p.Name, Type: p.Shape.Type, Format: p.Shape.Format, Description: cleanText(p.Shape.Desc)}
	switch f.Type {
	case "string", "integer", "number":
		f.Enum = p.Shape.Enum
	case "object":
		for _, k := range p.Shape.Props {
			f.Keys = append(f.Keys, k.Name)
		}
	}
	return f
}

// Method is one operation as a registry method.
type Method struct {
	Name, Verb, HTTPMethod, Path, ResponseKey, Description string
	Paginated                                              bool
	Params, Body                                           []*Param
	Headers                                                [][2]string // name, value
	Raw                                                    string      // "text" or "base64": the body is not JSON
	op                                                     *operation
	fieldsFrom                                             *shape // the object its rows are
}

// Param is a path or query parameter or a body field.
type Param struct {
	Name, In, Type, Description, Default string
	Required                             bool
	Enum, Excludes                       []string
	Field                                string
	Parent                               *Parent
}

// Parent names the resource and field a path parameter's values come from.
type Parent struct{ Resource, Field string }

// Coverage says what became of one operation.
type Coverage struct {
	Method, Path, OperationID string
	// Target is service.resource.method when mapped, "" when not.
	Target, Verb string
	// Reason says why the operation is not mapped.
	Reason string
}

// pageParams are the pagination parameters, which the provider's paging sends.
var pageParams = []string{"page", "per_page"}

// wrapperKeys are response keys that hold paging data, not rows.
var wrapperKeys = []string{"links", "meta"}

// Generate builds the registry services from an OpenAPI document and the
// overrides.
func Generate(specData []byte, o *Overrides) (*Result, error) {
	sp, err := readSpec(specData)
	if err != nil {
		return nil, err
	}
	return generate(sp, o)
}

func generate(sp *spec, o *Overrides) (*Result, error) {
	if o == nil {
		o = &Overrides{}
	}
	g := &generator{sp: sp, o: o, used: o.entries(), byPath: map[string]*Resource{}, services: map[string]*Service{}}
	return g.run()
}

type generator struct {
	sp       *spec
	o        *Overrides
	used     used
	byPath   map[string]*Resource // collection path -> resource
	clash    map[string]bool      // collection paths whose name is qualified
	services map[string]*Service
	cov      []Coverage
}

func (g *generator) run() (*Result, error) {
	var ops []*operation
	for _, op := range g.sp.Ops {
		c := Coverage{Method: op.Method, Path: op.Path, OperationID: op.ID}
		switch {
		case !strings.HasPrefix(op.Path, "/v2/"):
			c.Reason = "outside /v2 (a different API host)"
		case g.o.Skip[op.ID] != "":
			g.used["skip."+op.ID] = true
			c.Reason = g.o.Skip[op.ID]
		case len(op.HeaderRequired) > 0:
			c.Reason = "needs " + strings.Join(op.HeaderRequired, ", ")
		case op.Method == "GET" && op.Resp == nil && op.Raw == "":
			c.Reason = "the response is not JSON"
			if op.RespOther != "" {
				c.Reason = "the response is " + op.RespOther + ", not JSON"
			}
		default:
			ops = append(ops, op)
			continue
		}
		g.cov = append(g.cov, c)
	}
	// Resource paths: collection paths with a GET, or with items below.
	resPaths := map[string]bool{}
	for _, op := range ops {
		c := trimPlaceholders(op.Path)
		if op.Method == "GET" && lastLiteral(c) != "" {
			resPaths[c] = true
		}
		if c != op.Path {
			resPaths[c] = true
		}
	}
	for path := range g.o.Resources {
		resPaths[path] = true // a resource even without a GET of its own
	}
	type placed struct {
		op           *operation
		rp           string
		item, action bool
	}
	var all []placed
	for _, op := range ops {
		c := trimPlaceholders(op.Path)
		item := c != op.Path
		rp, action := c, false
		for !resPaths[rp] {
			parent := trimPlaceholders(parentPath(rp))
			if parent == "/v2" || parent == "" {
				rp = c // no resource above: the path is its own resource
				break
			}
			rp, action = parent, true
		}
		all = append(all, placed{op, rp, item, action})
	}
	// Reads of each collection path: the required parameters of each, and
	// the enums of their query parameters, to tell collections of the same
	// name apart when one resource could not hold them both.
	sigs := map[string][]string{}
	enums := map[string]map[string]string{}
	for _, pl := range all {
		if pl.op.Method != "GET" || pl.action {
			continue
		}
		var req []string
		for _, p := range pl.op.Params {
			if p.Required {
				req = append(req, p.Name)
			}
			if p.In == "query" && len(p.Shape.Enum) > 0 {
				if enums[pl.rp] == nil {
					enums[pl.rp] = map[string]string{}
				}
				enums[pl.rp][p.Name] = strings.Join(p.Shape.Enum, ",")
			}
		}
		sort.Strings(req)
		sigs[pl.rp] = append(sigs[pl.rp], strings.Join(req, ","))
	}
	g.clash = map[string]bool{}
	groups := map[string][]string{}
	for _, pl := range all {
		k := g.baseName(pl.rp)
		if !slices.Contains(groups[k], pl.rp) {
			groups[k] = append(groups[k], pl.rp)
		}
	}
	for _, paths := range groups {
		for i, a := range paths {
			for _, b := range paths[i+1:] {
				if clash(sigs[a], sigs[b], enums[a], enums[b]) {
					g.clash[a], g.clash[b] = true, true
				}
			}
		}
	}
	for _, pl := range all {
		r, err := g.resource(pl.rp, pl.op)
		if err != nil {
			return nil, err
		}
		m := g.method(r, pl.op, pl.item, pl.action)
		r.Methods = append(r.Methods, m)
		g.cov = append(g.cov, Coverage{Method: pl.op.Method, Path: pl.op.Path, OperationID: pl.op.ID,
			Target: r.service.Name + "." + r.Name + "." + m.Name, Verb: m.Verb})
	}
	for _, s := range g.services {
		for _, r := range s.Resources {
			if err := g.finish(r); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range g.services {
		for _, r := range s.Resources {
			g.parents(r)
		}
	}
	if unused := g.used.check(); len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("overrides match nothing in the spec: %s", strings.Join(unused, ", "))
	}
	res := &Result{Coverage: g.cov}
	for _, s := range g.services {
		sort.Slice(s.Resources, func(i, j int) bool { return s.Resources[i].Name < s.Resources[j].Name })
		res.Services = append(res.Services, s)
	}
	sort.Slice(res.Services, func(i, j int) bool { return res.Services[i].Name < res.Services[j].Name })
	sort.SliceStable(res.Coverage, func(i, j int) bool {
		a, b := res.Coverage[i], res.Coverage[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	return res, nil
}

// segments returns the parts of a path after its leading slash.
func segments(path string) []string { return strings.Split(strings.TrimPrefix(path, "/"), "/") }

func isPlaceholder(seg string) bool {
	return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

// trimPlaceholders drops the path's trailing {placeholders}.
func trimPlaceholders(path string) string {
	segs := segments(path)
	for len(segs) > 1 && isPlaceholder(segs[len(segs)-1]) {
		segs = segs[:len(segs)-1]
	}
	return "/" + strings.Join(segs, "/")
}

func parentPath(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return ""
	}
	return path[:i]
}

func lastLiteral(path string) string {
	segs := segments(path)
	if s := segs[len(segs)-1]; !isPlaceholder(s) && len(segs) > 1 {
		return s
	}
	return ""
}

var camelRE = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// snake turns a path segment or an operation id part into snake_case.
func snake(s string) string {
	s = camelRE.ReplaceAllString(s, "${1}_${2}")
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return '_'
	}, s)
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	return strings.Trim(s, "_")
}

// clash reports whether two collections of the same name cannot be one
// resource: two of their reads need the same parameters (SELECT could not
// tell which to call), or a query parameter takes other values in each.
func clash(sigsA, sigsB []string, enumsA, enumsB map[string]string) bool {
	for _, s := range sigsA {
		if slices.Contains(sigsB, s) {
			return true
		}
	}
	for name, e := range enumsA {
		if f, ok := enumsB[name]; ok && f != e {
			return true
		}
	}
	return false
}

// serviceName is the service of collection path rp.
func (g *generator) serviceName(rp string) string {
	first := segments(rp)[1]
	if n, ok := g.o.Services[first]; ok {
		g.used["services."+first] = true
		return n
	}
	return snake(first)
}

// baseName is service.resource of collection path rp by the rule alone:
// the collection's last literal segment.
func (g *generator) baseName(rp string) string {
	svc := g.serviceName(rp)
	name := snake(lastLiteral(rp))
	if name == "" {
		name = svc
	}
	return svc + "." + name
}

// resource returns the resource of collection path rp, made on first use.
func (g *generator) resource(rp string, op *operation) (*Resource, error) {
	if r := g.byPath[rp]; r != nil {
		return r, nil
	}
	svc, name, _ := strings.Cut(g.baseName(rp), ".")
	if g.clash[rp] {
		// Named by every literal segment after the service's:
		// /v2/gen-ai/openai/keys is openai_keys.
		var lits []string
		for _, seg := range segments(rp)[2:] {
			if !isPlaceholder(seg) {
				lits = append(lits, snake(seg))
			}
		}
		name = strings.Join(lits, "_")
		if name == "" {
			name = svc
		}
	}
	if n, ok := g.o.Resources[rp]; ok {
		g.used["resources."+rp] = true
		name = n
	}
	if !identRE.MatchString(svc) || !identRE.MatchString(name) {
		return nil, fmt.Errorf("%s: the naming rule gives %s.%s, not a valid name: add a rename to the overrides", rp, svc, name)
	}
	s := g.services[svc]
	if s == nil {
		t := g.sp.Tags[op.Tag]
		s = &Service{Name: svc, Title: op.Tag, Description: firstParagraph(t.Desc)}
		g.services[svc] = s
	}
	for _, r := range s.Resources {
		if r.Name == name {
			g.byPath[rp] = r
			return r, nil
		}
	}
	r := &Resource{Name: name, path: rp, service: s}
	s.Resources = append(s.Resources, r)
	g.byPath[rp] = r
	return r, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// singulars returns the names a resource's items may be called by in
// operation ids: the name, and its singular.
func singulars(name string) []string {
	out := []string{name}
	switch {
	case strings.HasSuffix(name, "ies"):
		out = append(out, strings.TrimSuffix(name, "ies")+"y")
	case strings.HasSuffix(name, "sses"), strings.HasSuffix(name, "xes"), strings.HasSuffix(name, "ches"), strings.HasSuffix(name, "shes"):
		out = append(out, strings.TrimSuffix(name, "es"))
	case strings.HasSuffix(name, "s"):
		out = append(out, strings.TrimSuffix(name, "s"))
	}
	return out
}

// methodName is the operation id without its first part (the tag's), in
// snake_case, without a trailing _<resource> (plural or singular).
func methodName(r *Resource, id string) string {
	rest := id
	if i := strings.IndexByte(id, '_'); i >= 0 {
		rest = id[i+1:]
	}
	name := snake(rest)
	for _, s := range singulars(r.Name) {
		if t := strings.TrimSuffix(name, "_"+s); t != name && t != "" {
			return t
		}
	}
	return name
}

func (g *generator) method(r *Resource, op *operation, item, action bool) *Method {
	m := &Method{HTTPMethod: op.Method, Path: op.Path, op: op, Description: cleanText(op.Desc), Headers: op.Headers}
	if m.Description == "" {
		m.Description = op.Summary
	}
	switch {
	case op.Method == "GET":
		m.Verb = "select"
	case action:
		m.Verb = "exec"
	case op.Method == "POST" && !item:
		m.Verb = "insert"
	case op.Method == "PUT" || op.Method == "PATCH":
		m.Verb = "update"
	case op.Method == "DELETE" && item:
		m.Verb = "delete"
	default:
		m.Verb = "exec"
	}
	m.Name = methodName(r, op.ID)
	if mo, ok := g.o.Methods[op.ID]; ok {
		g.used["methods."+op.ID] = true
		if mo.Name != "" {
			m.Name = mo.Name
		}
		if mo.Verb != "" {
			m.Verb = mo.Verb
		}
	}
	if r.method(m.Name) != nil {
		m.Name = snake(op.ID)
	}
	for i := 2; r.method(m.Name) != nil; i++ {
		m.Name = fmt.Sprintf("%s_%d", snake(op.ID), i)
	}
	// The rows: the response's one array of objects (a list), or its one
	// object (a get), or the response itself.
	if op.Raw != "" {
		m.Raw, m.fieldsFrom = op.Raw, rawShape(op.Raw)
	}
	if op.Resp != nil {
		m.ResponseKey, m.fieldsFrom = responseKey(r, op)
	}
	for _, p := range op.Params {
		if p.In == "query" && slices.Contains(pageParams, p.Name) {
			m.Paginated = true
			continue
		}
		prm := &Param{Name: p.Name, In: p.In, Type: p.Shape.Type, Required: p.Required,
			Description: cleanText(p.Desc), Default: p.Shape.Default}
		if prm.Description == "" {
			prm.Description = cleanText(p.Shape.Desc)
		}
		if prm.Type == "object" || prm.Type == "array" {
			prm.Type = "string" // sent as written
		}
		if prm.Type != "boolean" {
			prm.Enum = p.Shape.Enum
		}
		m.Params = append(m.Params, prm)
	}
	// Paginated needs both; a list with only one of them is not paged.
	if m.Paginated && (opParam(op, "page") == nil || opParam(op, "per_page") == nil) {
		m.Paginated = false
	}
	if op.Body != nil && op.Body.Type == "object" {
		// Required fields first, by name (as StackQL lists them), then the
		// others in the spec's order.
		props := slices.Clone(op.Body.Props)
		sort.SliceStable(props, func(i, j int) bool {
			a, b := props[i], props[j]
			if a.Required != b.Required {
				return a.Required
			}
			return a.Required && a.Name < b.Name
		})
		for _, p := range props {
			if p.Shape.ReadOnly || m.param(p.Name) != nil || !identRE.MatchString(p.Name) {
				continue
			}
			b := &Param{Name: p.Name, In: "body", Type: p.Shape.Type, Required: p.Required,
				Description: cleanText(p.Shape.Desc), Default: p.Shape.Default}
			// A body's enum is documented, not enforced: the spec's lists
			// (of regions, say) lag behind what the API accepts.
			if len(p.Shape.Enum) > 0 {
				b.Description = strings.TrimSpace(b.Description + "\nOne of: " + strings.Join(p.Shape.Enum, ", ") + ".")
			}
			if m.Verb == "select" || m.Verb == "delete" {
				b.Required = false
			}
			m.Body = append(m.Body, b)
		}
	}
	return m
}

func opParam(op *operation, name string) *param {
	for _, p := range op.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (r *Resource) method(name string) *Method {
	for _, m := range r.Methods {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func (m *Method) param(name string) *Param {
	for _, p := range m.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (r *Resource) field(name string) *Field {
	for _, f := range r.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// countKeys are response keys that count a list's items or pages (beside
// an array of them, they are no field of a row): also any key ending in
// _count and any key starting with total_.
var countKeys = []string{"total", "count", "current_page", "has_more"}

// responseKey finds where a response holds its rows.
func responseKey(r *Resource, op *operation) (string, *shape) {
	resp := op.Resp
	if resp.Type == "array" {
		return "", resp.Items
	}
	if resp.Type != "object" {
		return "", nil
	}
	var arrays, objects []*prop
	others, counts := 0, 0
	for _, p := range resp.Props {
		switch {
		case slices.Contains(wrapperKeys, p.Name):
		case p.Shape.Type == "array" && p.Shape.Items != nil && p.Shape.Items.Type == "object":
			arrays = append(arrays, p)
		case p.Shape.Type == "object" && len(p.Shape.Props) > 0:
			objects = append(objects, p)
		default:
			others++
			if slices.Contains(countKeys, p.Name) || strings.HasSuffix(p.Name, "_count") || strings.HasPrefix(p.Name, "total_") {
				counts++
			}
		}
	}
	switch {
	case len(arrays) == 1 && len(objects) == 0 && others == 0:
		return arrays[0].Name, arrays[0].Shape.Items
	case len(arrays) == 1 && listBeside(op, arrays[0], len(objects), counts == others):
		// A list with more beside it: {"vector_dbs": [...], "total": 3}.
		return arrays[0].Name, arrays[0].Shape.Items
	case len(arrays) == 0 && len(objects) == 1 && others == 0:
		return objects[0].Name, objects[0].Shape
	case len(arrays) > 1 && len(objects) == 0 && others == 0:
		for _, a := range arrays {
			if slices.Contains(singulars(r.Name), a.Name) {
				return a.Name, a.Shape.Items
			}
		}
	}
	return "", resp
}

// listBeside reports whether a GET's response whose one array of objects is arr,
// beside objects other objects and other properties, is a list of arr's
// items (else it is one object, arr one of its fields): when the array is
// named as the collection the path names (GET .../instance_sizes answers
// instance_sizes), when the operation is paged by page and per_page (its
// pages are the array's), or when everything beside the array counts its
// items or pages (onlyCounts: total, count, total_pages); never when a path
// parameter is named like a field of the items.
func listBeside(op *operation, arr *prop, objects int, onlyCounts bool) bool {
	if op.Method != "GET" {
		return false // a write answers what it made: {"droplet": ...} or {"droplets": [...]}
	}
	for _, p := range op.Params {
		if p.In == "path" && arr.Shape.Items.prop(p.Name) != nil {
			// GET .../insights/{start_date}/{end_date} answering data points
			// with a start_date of their own: as rows, the parameter would
			// shadow that field (one column per name), so the answer stays
			// one object.
			return false
		}
	}
	if last := lastLiteral(op.Path); last != "" && snake(last) == arr.Name {
		return true
	}
	if objects > 0 {
		return false
	}
	return onlyCounts || opParam(op, "page") != nil && opParam(op, "per_page") != nil
}

// finish gives a resource its fields, its params their fields, and its
// methods their order.
func (g *generator) finish(r *Resource) error {
	id := r.service.Name + "." + r.Name
	// Fields: a get's object first (the full model), then lists' items,
	// then what writes answer when nothing reads.
	var sources []*Method
	for _, pass := range []func(m *Method) bool{
		func(m *Method) bool { return m.Verb == "select" && m.Path != r.path },
		func(m *Method) bool { return m.Verb == "select" && m.Path == r.path },
		func(m *Method) bool { return m.Verb == "select" },
	} {
		for _, m := range r.Methods {
			if pass(m) && m.fieldsFrom != nil && !slices.Contains(sources, m) {
				sources = append(sources, m)
			}
		}
	}
	if len(sources) == 0 {
		for _, m := range r.Methods {
			if m.fieldsFrom != nil && m.ResponseKey != "" {
				sources = append(sources, m)
				break
			}
		}
	}
	for _, m := range sources {
		for _, p := range m.fieldsFrom.Props {
			if r.field(p.Name) == nil && identRE.MatchString(p.Name) {
				r.Fields = append(r.Fields, newField(p))
			}
		}
		if r.Description == "" {
			r.Description = cleanText(firstParagraph(m.fieldsFrom.Desc))
		}
	}
	if len(r.Fields) == 0 {
		// The key's object has no property with a column's name (its keys
		// are hosts, say): the rows are the responses themselves.
		for _, m := range sources {
			if m.ResponseKey != "" && m.op.Resp != nil {
				m.ResponseKey, m.fieldsFrom = "", m.op.Resp
				for _, p := range m.fieldsFrom.Props {
					if r.field(p.Name) == nil && identRE.MatchString(p.Name) {
						r.Fields = append(r.Fields, newField(p))
					}
				}
			}
		}
	}
	if r.Description == "" && len(r.Methods) > 0 {
		r.Description = r.Methods[0].op.Summary
	}
	// Identity: the first of id, uuid and slug the rows have; without one,
	// the engine uses the field a get's path parameter stands for.
	for _, name := range []string{"id", "uuid", "slug"} {
		if f := r.field(name); f != nil && scalar(f.Type) {
			r.Identity = name
			break
		}
	}
	if keep, ok := g.o.Fields[id]; ok {
		g.used["fields."+id] = true
		var fs []*Field
		for _, name := range keep {
			f := r.field(name)
			if f == nil {
				return fmt.Errorf("overrides: fields of %s: no field %q in the spec", id, name)
			}
			fs = append(fs, f)
		}
		r.Fields = fs
	}
	for _, f := range r.Fields {
		if d, ok := g.o.FieldDescriptions[id+"."+f.Name]; ok {
			g.used["field_descriptions."+id+"."+f.Name] = true
			f.Description = d
		}
	}
	// Params: the overrides, then the field each filters on.
	for _, m := range r.Methods {
		ovs := g.o.Params[m.op.ID]
		for _, p := range m.Params {
			p.Field = g.paramField(r, m, p)
			ov, ok := ovs[p.Name]
			if !ok {
				continue
			}
			g.used["params."+m.op.ID+"."+p.Name] = true
			switch ov.Field {
			case "":
			case "-":
				p.Field = ""
			default:
				if r.field(ov.Field) == nil {
					return fmt.Errorf("overrides: %s param %s: no field %q in %s", m.op.ID, p.Name, ov.Field, id)
				}
				p.Field = ov.Field
			}
			if ov.Excludes != nil {
				for _, x := range ov.Excludes {
					if m.param(x) == nil {
						return fmt.Errorf("overrides: %s param %s excludes %q, which is not a param of it", m.op.ID, p.Name, x)
					}
				}
				p.Excludes = ov.Excludes
			}
			if ov.Enum != nil {
				p.Enum = ov.Enum
			}
			if ov.Type != "" {
				p.Type = ov.Type
			}
			if ov.Description != "" {
				p.Description = ov.Description
			}
		}
		for name := range ovs {
			if m.param(name) == nil {
				return fmt.Errorf("overrides: %s has no param %q", m.op.ID, name)
			}
		}
	}
	// Raw twins of select methods.
	for _, name := range g.o.RawMethods[id] {
		g.used["raw_methods."+id+"."+name] = true
		m := r.method(name)
		if m == nil || m.Verb != "select" {
			return fmt.Errorf("overrides: raw_methods of %s: no select method %q", id, name)
		}
		c := *m
		c.Name, c.Verb = "_"+name, "exec"
		c.Params = clonePs(m.Params)
		r.Methods = append(r.Methods, &c)
	}
	sort.SliceStable(r.Methods, func(i, j int) bool {
		a, b := verbOrder(r.Methods[i].Verb), verbOrder(r.Methods[j].Verb)
		if a != b {
			return a < b
		}
		return r.Methods[i].Name < r.Methods[j].Name
	})
	return nil
}

func clonePs(ps []*Param) []*Param {
	out := make([]*Param, len(ps))
	for i, p := range ps {
		c := *p
		out[i] = &c
	}
	return out
}

func verbOrder(v string) int {
	return slices.Index([]string{"select", "insert", "update", "delete", "exec"}, v)
}

// paramField returns the field of r a parameter of m filters on by
// equality, or "".
func (g *generator) paramField(r *Resource, m *Method, p *Param) string {
	if p.In == "query" {
		if f := r.field(p.Name); f != nil && scalar(f.Type) {
			return f.Name
		}
		return ""
	}
	// A path parameter: only the resource's own trailing placeholders
	// stand for its fields; the others name a parent. A get outside the
	// resource's collection path (an access point is listed under its
	// share, /v2/nfs/shares/{share_id}/access_points, and read at
	// /v2/nfs/access_points/{access_point_id}) names its object by its
	// path's last placeholder.
	segs := segments(m.Path)
	if m.Verb == "select" && len(segs) > 0 && segs[len(segs)-1] == "{"+p.Name+"}" && !strings.HasPrefix(m.Path, r.path+"/") {
		return ownField(r, p.Name)
	}
	if !strings.HasPrefix(m.Path, r.path+"/") || !slices.Contains(segments(strings.TrimPrefix(m.Path, r.path)), "{"+p.Name+"}") {
		if f := r.field(p.Name); f != nil {
			return f.Name
		}
		return ""
	}
	return ownField(r, p.Name)
}

func scalar(t string) bool { return t == "string" || t == "integer" || t == "number" || t == "boolean" }

// ownField maps an item placeholder to the field it stands for: the field
// of the same name; else the field named by its last _part (domain_name:
// name, droplet_id: id); else id, when the placeholder names an id.
func ownField(r *Resource, name string) string {
	if f := r.field(name); f != nil {
		return f.Name
	}
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if f := r.field(strings.Join(parts[i:], "_")); f != nil && scalar(f.Type) {
			return f.Name
		}
	}
	last := parts[len(parts)-1]
	if (last == "id" || last == "uuid" || last == "identifier") && r.field("id") != nil {
		return "id"
	}
	// The placeholder without its _id: namespace_id is the namespace.
	if (last == "id" || last == "uuid") && len(parts) > 1 {
		if f := r.field(strings.Join(parts[:len(parts)-1], "_")); f != nil && scalar(f.Type) {
			return f.Name
		}
	}
	return ""
}

// parents sets, on each path parameter that is not the resource's own, the
// resource and field its values come from: the resource whose collection
// path is the path before the placeholder.
func (g *generator) parents(r *Resource) {
	for _, m := range r.Methods {
		segs := segments(m.Path)
		for i, s := range segs {
			if !isPlaceholder(s) {
				continue
			}
			name := s[1 : len(s)-1]
			prefix := "/" + strings.Join(segs[:i], "/")
			if prefix == r.path {
				continue
			}
			pr := g.byPath[prefix]
			p := m.param(name)
			if pr == nil || p == nil || pr == r {
				continue
			}
			hasSelect := false
			for _, pm := range pr.Methods {
				hasSelect = hasSelect || pm.Verb == "select"
			}
			if !hasSelect {
				continue
			}
			if f := ownField(pr, name); f != "" {
				p.Parent = &Parent{Resource: pr.service.Name + "." + pr.Name, Field: f}
			}
		}
	}
}

var (
	emphasisRE = regexp.MustCompile(`\*{1,3}([^*\s](?:[^*\n]*[^*\s])?)\*{1,3}`)
	brRE       = regexp.MustCompile(`(?i)\s*<br\s*/?>\s*`)
	blanksRE   = regexp.MustCompile(`[ \t]+`)
	newlinesRE = regexp.MustCompile(`\n{3,}`)
)

// cleanText makes prose of a spec's Markdown: code and emphasis marks
// dropped, <br> a line break, runs of spaces one space, lines trimmed.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	s = emphasisRE.ReplaceAllString(s, "$1")
	s = brRE.ReplaceAllString(s, "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = blanksRE.ReplaceAllString(strings.TrimSpace(l), " ")
	}
	s = newlinesRE.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return cleanText(s)
}
