package openapigen

import (
	"fmt"
	"strings"

	yaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// maxDepth bounds how deep schemas are flattened: a response object, its
// key, the items, their fields. Deeper levels (and cyclic schemas) are
// typed but not walked.
const maxDepth = 4

// shape is a schema flattened for the generator: allOf merged, oneOf and
// anyOf combined, nullable dropped (every column may be NULL).
type shape struct {
	Type     string // a registry type
	Desc     string
	Props    []*prop
	Items    *shape
	ReadOnly bool
	Enum     []string
	Default  string
	Format   string // date-time, or empty: the only format the registry keeps
}

type prop struct {
	Name     string
	Shape    *shape
	Required bool
}

func (s *shape) prop(name string) *prop {
	for _, p := range s.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// param is a path or query parameter of an operation.
type param struct {
	Name, In, Desc string
	Required       bool
	Shape          *shape
}

// operation is one operation of the spec, read into what the generator needs.
type operation struct {
	Method, Path, ID   string // Method upper case
	Summary, Desc, Tag string
	Params             []*param
	Body               *shape      // the JSON request body, nil when none
	BodyOther          string      // a request content type that is not JSON, if any
	Resp               *shape      // the JSON 2xx response, nil when none
	RespOther          string      // the 2xx content type when it is not JSON
	Raw                string      // a GET's non-JSON body: "text" or "base64"; "" otherwise
	HeaderRequired     []string    // required headers with no value the generator can send
	Headers            [][2]string // required boolean headers, sent as "true": name, value
}

// tag is a tag of the spec.
type tag struct{ Name, Desc string }

// spec is the part of an OpenAPI document the generator reads.
type spec struct {
	Ops  []*operation
	Tags map[string]tag
}

// readSpec parses an OpenAPI 3 document.
func readSpec(data []byte) (*spec, error) {
	doc, err := libopenapi.NewDocument(data)
	if err != nil {
		return nil, fmt.Errorf("reading the OpenAPI document: %w", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("building the OpenAPI model: %w", err)
	}
	m := &model.Model
	sp := &spec{Tags: map[string]tag{}}
	for _, t := range m.Tags {
		sp.Tags[t.Name] = tag{Name: t.Name, Desc: t.Description}
	}
	if m.Paths == nil || m.Paths.PathItems == nil {
		return sp, nil
	}
	for path, item := range m.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			method = strings.ToUpper(method)
			switch method {
			case "GET", "POST", "PUT", "PATCH", "DELETE":
			default:
				continue
			}
			sp.Ops = append(sp.Ops, readOperation(method, path, item, op))
		}
	}
	return sp, nil
}

func readOperation(method, path string, item *v3.PathItem, op *v3.Operation) *operation {
	o := &operation{Method: method, Path: path, ID: op.OperationId, Summary: op.Summary, Desc: op.Description}
	if len(op.Tags) > 0 {
		o.Tag = op.Tags[0]
	}
	// Operation parameters override path-level ones of the same name and location.
	seen := map[string]bool{}
	for _, list := range [][]*v3.Parameter{op.Parameters, item.Parameters} {
		for _, p := range list {
			if p == nil || seen[p.In+" "+p.Name] {
				continue
			}
			seen[p.In+" "+p.Name] = true
			req := p.Required != nil && *p.Required
			switch p.In {
			case "path", "query":
			default:
				switch {
				case !req:
				case p.In == "header" && p.Schema != nil && flatten(p.Schema.Schema(), 2).Type == "boolean":
					// An acknowledgement (X-Dangerous): the only value that lets the call through.
					o.Headers = append(o.Headers, [2]string{p.Name, "true"})
				default:
					o.HeaderRequired = append(o.HeaderRequired, p.In+" "+p.Name)
				}
				continue
			}
			sh := &shape{Type: "string"}
			if p.Schema != nil {
				sh = flatten(p.Schema.Schema(), 2)
			}
			o.Params = append(o.Params, &param{Name: p.Name, In: p.In, Desc: p.Description, Required: req || p.In == "path", Shape: sh})
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Content != nil {
		for ct, mt := range rb.Content.FromOldest() {
			if isJSON(ct) && mt.Schema != nil {
				o.Body = flatten(mt.Schema.Schema(), 1)
				break
			}
			if o.BodyOther == "" {
				o.BodyOther = ct
			}
		}
		if o.Body != nil {
			o.BodyOther = ""
		}
	}
	if op.Responses != nil && op.Responses.Codes != nil {
		for code, r := range op.Responses.Codes.FromOldest() {
			if !strings.HasPrefix(code, "2") || r == nil {
				continue
			}
			if r.Content != nil {
				for ct, mt := range r.Content.FromOldest() {
					if isJSON(ct) && mt.Schema != nil {
						o.Resp = flatten(mt.Schema.Schema(), 0)
						break
					}
					if o.RespOther == "" {
						o.RespOther = ct
					}
				}
			}
			if o.Resp != nil {
				o.RespOther = ""
			}
			if o.Resp == nil && o.RespOther != "" && method == "GET" {
				o.Raw = rawKind(o.RespOther)
			}
			break
		}
	}
	return o
}

// rawKind says how a GET's non-JSON body becomes its row's content column:
// "text" for textual types (text/*, YAML, XML), "base64" for the rest
// (a PDF's bytes).
func rawKind(contentType string) string {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	switch {
	case strings.HasPrefix(ct, "text/"), ct == "application/yaml", ct == "application/x-yaml",
		ct == "application/xml", strings.HasSuffix(ct, "+xml"), strings.HasSuffix(ct, "+yaml"):
		return "text"
	}
	return "base64"
}

// rawShape is the row of a raw GET: the body and its content type.
func rawShape(kind string) *shape {
	desc := "The response body as text."
	if kind == "base64" {
		desc = "The response body's bytes, base64-encoded (standard alphabet, padded)."
	}
	return &shape{Type: "object", Props: []*prop{
		{Name: "content", Shape: &shape{Type: "string", Desc: desc}},
		{Name: "content_type", Shape: &shape{Type: "string", Desc: "The response's Content-Type header."}},
	}}
}

func isJSON(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// flatten reads s at the given depth (0: a response or body object); a
// schema that says nothing of its type is a string.
func flatten(s *base.Schema, depth int) *shape {
	sh := untyped(s, depth)
	if sh.Type == "" {
		sh.Type = "string"
	}
	return sh
}

// untyped is flatten without the string default: Type stays "" when the
// schema gives no type, so that a part of an allOf (or an alternative of a
// oneOf) that only adds a description does not type the whole as a string.
func untyped(s *base.Schema, depth int) *shape {
	sh := &shape{}
	if s == nil {
		return sh
	}
	sh.Desc = s.Description
	sh.ReadOnly = s.ReadOnly != nil && *s.ReadOnly
	if s.Format == "date-time" {
		sh.Format = s.Format
	}
	for _, e := range s.Enum {
		if e != nil && e.Value != "" {
			sh.Enum = append(sh.Enum, e.Value)
		}
	}
	if s.Default != nil && s.Default.Kind == yaml.ScalarNode {
		sh.Default = s.Default.Value
	}
	for _, t := range s.Type {
		if t != "null" { // nullable (3.1 form): the column may be NULL
			sh.Type = t
			break
		}
	}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	// allOf: every part's properties, in order, and their required lists.
	for _, part := range s.AllOf {
		ps := part.Schema()
		if ps == nil {
			continue
		}
		p := untyped(ps, depth)
		if sh.Type == "" && p.Type != "" {
			sh.Type = p.Type
		}
		if sh.Desc == "" {
			sh.Desc = p.Desc
		}
		if sh.Format == "" {
			sh.Format = p.Format
		}
		if sh.Items == nil {
			sh.Items = p.Items
		}
		for _, pp := range p.Props {
			sh.addProp(pp)
		}
	}
	if depth < maxDepth && s.Properties != nil {
		for name, proxy := range s.Properties.FromOldest() {
			sh.addProp(&prop{Name: name, Shape: flatten(proxy.Schema(), depth+1)})
		}
	}
	if s.Properties != nil && s.Properties.Len() > 0 && sh.Type == "" {
		sh.Type = "object"
	}
	if s.Items != nil && s.Items.IsA() && s.Items.A != nil {
		if sh.Type == "" {
			sh.Type = "array"
		}
		if depth < maxDepth {
			sh.Items = flatten(s.Items.A.Schema(), depth)
		}
	}
	// oneOf / anyOf: the alternatives' common type; objects' properties
	// merged, required only where every alternative requires them.
	alts := append(append([]*base.SchemaProxy{}, s.OneOf...), s.AnyOf...)
	if len(alts) > 0 {
		var shapes []*shape
		for _, a := range alts {
			if as := a.Schema(); as != nil {
				if as := untyped(as, depth); as.Type != "" {
					shapes = append(shapes, as)
				}
			}
		}
		combine(sh, shapes)
	}
	for _, p := range sh.Props {
		if required[p.Name] {
			p.Required = true
		}
	}
	if sh.Type == "" {
		switch {
		case len(sh.Props) > 0 || s.AdditionalProperties != nil:
			sh.Type = "object"
		case sh.Items != nil:
			sh.Type = "array"
		}
	}
	if sh.Type != "string" {
		sh.Format = "" // a date-time is a string; any other type keeps no format
	}
	return sh
}

func (s *shape) addProp(p *prop) {
	if q := s.prop(p.Name); q != nil {
		q.Required = q.Required || p.Required
		if q.Shape.Desc == "" {
			q.Shape.Desc = p.Shape.Desc
		}
		return
	}
	c := *p
	s.Props = append(s.Props, &c)
}

func combine(sh *shape, alts []*shape) {
	if len(alts) == 0 {
		return
	}
	types := map[string]bool{}
	allDateTime := true
	for _, a := range alts {
		types[a.Type] = true
		allDateTime = allDateTime && a.Format == "date-time"
		if sh.Desc == "" {
			sh.Desc = a.Desc
		}
	}
	if sh.Type == "" {
		switch {
		case len(types) == 1:
			sh.Type = alts[0].Type
		case len(types) == 2 && types["integer"] && types["number"]:
			sh.Type = "number"
		case !types["object"] && !types["array"]:
			sh.Type = "string"
		default:
			sh.Type = "object"
		}
	}
	if sh.Format == "" && allDateTime {
		sh.Format = "date-time"
	}
	if sh.Type == "array" && sh.Items == nil {
		for _, a := range alts {
			if a.Items != nil {
				sh.Items = a.Items
				break
			}
		}
	}
	if sh.Type != "object" {
		return
	}
	count := map[string]int{}
	for _, a := range alts {
		for _, p := range a.Props {
			if p.Required {
				count[p.Name]++
			}
		}
	}
	for _, a := range alts {
		for _, p := range a.Props {
			q := *p
			q.Required = false
			if sh.prop(p.Name) == nil {
				sh.addProp(&q)
			}
		}
	}
	for _, p := range sh.Props {
		if count[p.Name] == len(alts) {
			p.Required = true
		}
	}
}
