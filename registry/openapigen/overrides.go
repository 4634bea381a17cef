package openapigen

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Overrides is what the spec says only in prose, written by hand and applied
// by the generator. Every entry must name something the spec has: an entry
// that matches nothing is an error, so the file cannot rot.
type Overrides struct {
	// Services renames services: the path's first segment after /v2 ->
	// the service name, where snake_case gives a bad name.
	Services map[string]string `yaml:"services"`
	// Resources renames resources: the collection path -> the resource name.
	Resources map[string]string `yaml:"resources"`
	// Skip leaves operations out: operation id -> why.
	Skip map[string]string `yaml:"skip"`
	// Methods changes methods: operation id -> changes.
	Methods map[string]MethodOverride `yaml:"methods"`
	// Params changes path and query parameters: operation id -> parameter
	// name -> changes.
	Params map[string]map[string]ParamOverride `yaml:"params"`
	// Fields pins a resource's fields: service.resource -> the fields kept,
	// in order.
	Fields map[string][]string `yaml:"fields"`
	// FieldDescriptions replaces fields' descriptions:
	// service.resource.field -> text.
	FieldDescriptions map[string]string `yaml:"field_descriptions"`
	// RawMethods gives select methods of a resource (service.resource ->
	// method names) an exec twin named _<method>, which answers the raw
	// response.
	RawMethods map[string][]string `yaml:"raw_methods"`
}

// MethodOverride changes a generated method.
type MethodOverride struct {
	Name string `yaml:"name"`
	Verb string `yaml:"verb"`
}

// ParamOverride changes a generated parameter.
type ParamOverride struct {
	// Field, when set, replaces the field the parameter filters on; "-"
	// declares that the parameter means something else than the field of
	// the same name (no field).
	Field string `yaml:"field"`
	// Excludes lists the method's parameters the API refuses together with
	// this one.
	Excludes []string `yaml:"excludes"`
	// Enum replaces the accepted values.
	Enum []string `yaml:"enum"`
	// Type replaces the type.
	Type string `yaml:"type"`
	// Description replaces the description.
	Description string `yaml:"description"`
}

// ParseOverrides reads an overrides file; unknown keys are errors.
func ParseOverrides(data []byte) (*Overrides, error) {
	o := &Overrides{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(o); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	return o, nil
}

// used records which override entries matched something.
type used map[string]bool

func (u used) check() []string {
	var unused []string
	for k, v := range u {
		if !v {
			unused = append(unused, k)
		}
	}
	return unused
}

func (o *Overrides) entries() used {
	u := used{}
	for k := range o.Services {
		u["services."+k] = false
	}
	for k := range o.Resources {
		u["resources."+k] = false
	}
	for k := range o.Skip {
		u["skip."+k] = false
	}
	for k := range o.Methods {
		u["methods."+k] = false
	}
	for op, ps := range o.Params {
		for p := range ps {
			u["params."+op+"."+p] = false
		}
	}
	for k := range o.Fields {
		u["fields."+k] = false
	}
	for k := range o.FieldDescriptions {
		u["field_descriptions."+k] = false
	}
	for k, ms := range o.RawMethods {
		for _, m := range ms {
			u["raw_methods."+k+"."+m] = false
		}
	}
	return u
}
