package openapigen

import (
	"os"
	"slices"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// composite reports whether s, resolved, is an object or an array: a type
// that says so, properties, items, additional properties, an allOf with a
// composite part, or a oneOf/anyOf whose typed alternatives are all composite.
func composite(s *base.Schema, seen map[*base.Schema]bool) bool {
	if s == nil || seen[s] {
		return false
	}
	seen[s] = true
	defer delete(seen, s)
	if slices.Contains(s.Type, "object") || slices.Contains(s.Type, "array") {
		return true
	}
	for _, t := range s.Type {
		if t != "null" {
			return false // a scalar type given beside the rest
		}
	}
	if (s.Properties != nil && s.Properties.Len() > 0) || s.Items != nil || s.AdditionalProperties != nil {
		return true
	}
	for _, p := range s.AllOf {
		if composite(p.Schema(), seen) {
			return true
		}
	}
	alts := append(append([]*base.SchemaProxy{}, s.OneOf...), s.AnyOf...)
	n := 0
	for _, a := range alts {
		as := a.Schema()
		if as == nil {
			continue
		}
		if !composite(as, seen) {
			return false
		}
		n++
	}
	return n > 0
}

// TestObjectPropertiesNotStrings walks every response and request body
// schema of the pinned spec: no property whose schema resolves to an object
// or an array (volumes' region: an allOf of a description and the region
// object) may be flattened to a string, which SQLite would compare as text.
func TestObjectPropertiesNotStrings(t *testing.T) {
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	var walk func(where string, s *base.Schema, depth int)
	walk = func(where string, s *base.Schema, depth int) {
		if s == nil || depth > maxDepth {
			return
		}
		var props []*base.Schema
		var names []string
		collect := func(x *base.Schema) {
			if x != nil && x.Properties != nil {
				for n, p := range x.Properties.FromOldest() {
					names, props = append(names, n), append(props, p.Schema())
				}
			}
		}
		collect(s)
		for _, p := range s.AllOf {
			collect(p.Schema())
		}
		for i, p := range props {
			if p == nil {
				continue
			}
			checked++
			if composite(p, map[*base.Schema]bool{}) {
				if got := flatten(p, depth+1).Type; got == "string" {
					t.Errorf("%s.%s: an object or array schema flattened to %q", where, names[i], got)
				}
			}
			walk(where+"."+names[i], p, depth+1)
		}
		if s.Items != nil && s.Items.IsA() && s.Items.A != nil {
			walk(where+"[]", s.Items.A.Schema(), depth+1)
		}
	}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			if op.RequestBody != nil && op.RequestBody.Content != nil {
				for ct, mt := range op.RequestBody.Content.FromOldest() {
					if isJSON(ct) && mt.Schema != nil {
						walk(method+" "+path+" body", mt.Schema.Schema(), 0)
					}
				}
			}
			if op.Responses == nil || op.Responses.Codes == nil {
				continue
			}
			for code, r := range op.Responses.Codes.FromOldest() {
				if r == nil || r.Content == nil {
					continue
				}
				for ct, mt := range r.Content.FromOldest() {
					if isJSON(ct) && mt.Schema != nil {
						walk(method+" "+path+" "+code, mt.Schema.Schema(), 0)
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked only %d properties: the walk missed the spec", checked)
	}
}

// TestDescriptionOnlyAllOfPart: a part of an allOf that gives only a
// description does not type the property (it typed volumes' region, an
// object, as a string).
func TestDescriptionOnlyAllOfPart(t *testing.T) {
	res := generated(t, overrides(t))
	for _, c := range []struct{ res, field, want string }{
		{"volumes.volumes", "region", "object"},
		{"databases.replicas", "connection", "object"},
		{"databases.replicas", "private_connection", "object"},
		{"apps.apps", "pending_deployment", "object"},
		{"registry.registry", "subscription", "object"},
		{"registries.registries", "subscription", "object"},
		{"databases.schema_registry", "schema", "string"},
	} {
		f := find(t, res, c.res).field(c.field)
		if f == nil {
			t.Errorf("%s has no field %s", c.res, c.field)
			continue
		}
		if f.Type != c.want {
			t.Errorf("%s.%s: type %q, want %q", c.res, c.field, f.Type, c.want)
		}
	}
}
