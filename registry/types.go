package registry

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Registry is a loaded, validated set of providers. It is read-only after
// Load returns and safe for concurrent use.
type Registry struct {
	// Providers, sorted by name.
	Providers []*Provider
}

// Provider is one API: where it lives, how it authenticates, how it pages.
type Provider struct {
	Name        string
	Description string
	// BaseURL is the API's root, e.g. https://api.digitalocean.com, without
	// a trailing slash.
	BaseURL string
	// BaseURLEnv names an environment variable that, when set, overrides BaseURL.
	BaseURLEnv string
	Auth       Auth
	// Pagination is how the provider's paginated list methods page; nil when
	// none of its methods page.
	Pagination *Pagination
	// Services, sorted by name.
	Services []*Service
	// Source is the folder or embedded path the provider was loaded from.
	Source string
	// Replaces is the source of the built-in (embedded) provider of the
	// same name that a registry folder's provider replaces, or "".
	Replaces string
	// Pos is where the provider was declared (its provider.yaml).
	Pos Pos
}

// Auth types.
const (
	// AuthBearer sends "Authorization: Bearer <token>".
	AuthBearer = "bearer"
	// AuthNone sends no credentials.
	AuthNone = "none"
)

// Auth says how requests authenticate.
type Auth struct {
	// Type is AuthBearer or AuthNone ("none" when provider.yaml has no auth).
	Type string
	// TokenEnv lists environment variables to read the token from; the first
	// non-empty one wins.
	TokenEnv []string
}

// PaginationLinks is the pagination style where each page links to the next.
const PaginationLinks = "links"

// Pagination describes a provider's paging protocol.
//
// Style "links": each response body carries the URL of the next page at the
// dotted path Next (and optionally of the last page at Last, and the total
// number of items at Total). The first request sets SizeParam to MaxPageSize;
// later pages are requested as PageParam=N (when Last or Total tell how many
// pages there are) or by following Next.
type Pagination struct {
	// Style is PaginationLinks, the only style so far.
	Style       string
	Next        string
	Last        string
	Total       string
	PageParam   string
	SizeParam   string
	MaxPageSize int
}

// Service groups related resources of a provider.
type Service struct {
	Name        string
	Title       string
	Description string
	// resources, sorted by name; see Resources.
	resources []*Resource
	// load reads the resources of a service read lazily; nil once read.
	load     func() ([]*Resource, error)
	once     sync.Once
	err      error
	Provider *Provider
	// Source is the file the service was loaded from.
	Source string
	// Pos is where the service was declared.
	Pos Pos
}

// Resource is a table-like thing a provider exposes, with fields (the columns
// of its rows) and methods.
type Resource struct {
	Name        string
	Description string
	// Identity names the field that identifies an object (id): objects
	// that several calls return are one row. Empty when not declared; see
	// IdentityField.
	Identity string
	// Fields in declaration order; this is the order of SELECT *.
	Fields []*Field
	// Methods in declaration order.
	Methods []*Method
	Service *Service
	// Pos is where the resource was declared.
	Pos Pos
}

// Field types. Arrays and objects are materialized as JSON text.
const (
	TypeString  = "string"
	TypeInteger = "integer"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
	TypeArray   = "array"
	TypeObject  = "object"
)

// Field is one column of a resource's rows.
type Field struct {
	Name string
	// Type is one of the field types; string when not declared.
	Type string
	// Format refines a string field: FormatDateTime (an RFC 3339
	// timestamp) or empty.
	Format string
	// Enum lists the values the API gives a string, integer or number
	// field, when it declares them (a Droplet's status: new, active, off,
	// archive); empty when any value may come.
	Enum []string
	// Keys lists the keys an object field's values have, as declared (a
	// region's slug, name, ...); empty when unknown. Documentation and
	// hints only: a value may hold others or lack some.
	Keys        []string
	Description string
	// Pos is where the field was declared.
	Pos Pos
}

// FormatDateTime is the format of a string field holding an RFC 3339
// timestamp (2006-01-02T15:04:05Z), as OpenAPI's format: date-time.
const FormatDateTime = "date-time"

// SQL verbs a method can be reached by.
const (
	VerbSelect = "select"
	VerbInsert = "insert"
	VerbUpdate = "update"
	VerbDelete = "delete"
	VerbExec   = "exec"
)

// Method is one HTTP operation on a resource.
type Method struct {
	Name        string
	Description string
	// Verb is the SQL verb that reaches the method: select, insert, update,
	// delete or exec.
	Verb string
	// HTTPMethod is GET, POST, PUT, PATCH or DELETE.
	HTTPMethod string
	// Path is the URL path with {param} placeholders, e.g. /v2/images/{image_id}.
	Path string
	// ResponseKey is the key of the response body holding the object or the
	// array of objects; empty when the body is the object itself.
	ResponseKey string
	// Paginated methods are paged as the provider's Pagination says.
	Paginated bool
	// Params are the path and query parameters, in declaration order.
	Params []*Param
	// Body lists the request body's fields, in declaration order.
	Body []*Param
	// Raw, when set, says the method's success body is not JSON: the
	// method answers one row whose content field holds the body, as text
	// (RawText) or base64 (RawBase64), and whose content_type field holds
	// the response's Content-Type. Only on a select method's GET.
	Raw string
	// Headers are request headers the method always sends, in declaration
	// order, e.g. X-Dangerous: true, which the API requires to acknowledge
	// a destructive call.
	Headers  []Header
	Resource *Resource
	// Pos is where the method was declared.
	Pos Pos
}

// Raw body kinds.
const (
	RawText   = "text"
	RawBase64 = "base64"
)

// Header is one request header a method sends with a fixed value.
type Header struct{ Name, Value string }

// Where a Param goes.
const (
	InPath  = "path"
	InQuery = "query"
	InBody  = "body"
)

// Param is one input of a method: a path or query parameter, or a body field.
type Param struct {
	Name        string
	Description string
	// In is path, query or body.
	In string
	// Type is one of the field types; string when not declared.
	Type     string
	Required bool
	// Enum, when not empty, lists the values the API accepts.
	Enum []string
	// Excludes names the method's other parameters the API refuses in the
	// same request as this one; the engine sends at most one of them.
	Excludes []string
	// Field, when set, names the response field this parameter filters on by
	// equality: a predicate `field = v` also binds the parameter, and the API's
	// filtering agrees with SQL's, so the predicate may be re-applied to the rows.
	Field string
	// Default is the value the API assumes when the parameter is not sent,
	// as text; "" when the API documents none.
	Default string
	// Parent, when set, names where a path parameter's values come from: a
	// field of another resource of the same provider (a domain's records
	// take domain_name from digitalocean.domains.domains' name).
	Parent *Parent
	// Pos is where the parameter was declared.
	Pos Pos
}

// Parent is a resource of the param's provider and one of its fields.
type Parent struct {
	// Provider, Service and Resource name the parent resource; Provider is
	// always the param's own (the YAML names service.resource).
	Provider, Service, Resource string
	// Field is the parent's field whose values the parameter takes.
	Field string
}

// ID returns the parent resource's three-part name, e.g.
// digitalocean.domains.domains.
func (pr *Parent) ID() string { return pr.Provider + "." + pr.Service + "." + pr.Resource }

// ID is the resource's three-part name, provider.service.resource.
func (r *Resource) ID() string {
	return r.Service.Provider.Name + "." + r.Service.Name + "." + r.Name
}

// Field returns the field named name, or nil.
func (r *Resource) Field(name string) *Field {
	for _, f := range r.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// IdentityField returns the field that identifies an object of the
// resource: Identity when declared, else the field that the required path
// parameter of a select method stands for (get's image_id, field: id),
// else "" (no identity known).
func (r *Resource) IdentityField() string {
	if r.Identity != "" {
		return r.Identity
	}
	for _, m := range r.MethodsFor(VerbSelect) {
		req := m.RequiredParams()
		if len(req) != 1 {
			continue
		}
		if p := m.Param(req[0]); p.In == InPath && p.Field != "" && r.Field(p.Field) != nil {
			return p.Field
		}
	}
	return ""
}

// Method returns the method named name, matched case-insensitively, or nil.
func (r *Resource) Method(name string) *Method {
	for _, m := range r.Methods {
		if strings.EqualFold(m.Name, name) {
			return m
		}
	}
	return nil
}

// MethodsFor returns the methods reached by verb, in declaration order.
func (r *Resource) MethodsFor(verb string) []*Method {
	var ms []*Method
	for _, m := range r.Methods {
		if m.Verb == verb {
			ms = append(ms, m)
		}
	}
	return ms
}

// Param returns the path or query parameter named name, or nil.
func (m *Method) Param(name string) *Param {
	for _, p := range m.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// BodyField returns the body field named name, or nil.
func (m *Method) BodyField(name string) *Param {
	for _, p := range m.Body {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// RequiredParams returns the names of the required path and query
// parameters, in declaration order.
func (m *Method) RequiredParams() []string {
	var names []string
	for _, p := range m.Params {
		if p.Required {
			names = append(names, p.Name)
		}
	}
	return names
}

// RequiredBody returns the names of the required body fields, in
// declaration order.
func (m *Method) RequiredBody() []string {
	var names []string
	for _, p := range m.Body {
		if p.Required {
			names = append(names, p.Name)
		}
	}
	return names
}

// Provider returns the provider named name, matched case-insensitively
// (as SQL matches names), or nil.
func (r *Registry) Provider(name string) *Provider {
	for _, p := range r.Providers {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// Service returns the service named name, matched case-insensitively, or nil.
func (p *Provider) Service(name string) *Service {
	for _, s := range p.Services {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// NewService returns a service holding resources (sorted by name), for
// registries built in code; each resource's Service is set to it.
func NewService(name string, resources ...*Resource) *Service {
	s := &Service{Name: name, resources: slices.Clone(resources)}
	sort.SliceStable(s.resources, func(i, j int) bool { return s.resources[i].Name < s.resources[j].Name })
	for _, r := range s.resources {
		r.Service = s
	}
	return s
}

// Resources returns the service's resources, sorted by name. The embedded
// registry reads a service's file on first use, so that start-up does not
// grow with the registry; a registry loaded from folders is read whole by
// Load.
func (s *Service) Resources() []*Resource {
	s.once.Do(func() {
		if s.load != nil {
			s.resources, s.err = s.load()
			s.load = nil
		}
	})
	return s.resources
}

// Err returns the problem found reading a service on first use, or nil.
// The embedded registry is checked whole by its tests, so it has none.
func (s *Service) Err() error {
	s.Resources()
	return s.err
}

// Resource returns the resource named name, matched case-insensitively, or nil.
func (s *Service) Resource(name string) *Resource {
	for _, r := range s.Resources() {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// resource returns the provider's resource service.name.
func (p *Provider) resource(service, name string) (*Resource, error) {
	s := p.Service(service)
	if s == nil {
		return nil, fmt.Errorf("no service %q", service)
	}
	r := s.Resource(name)
	if r == nil {
		return nil, fmt.Errorf("no resource %q in service %q", name, service)
	}
	return r, nil
}

// Resource finds the resource with the three-part name id
// (provider.service.resource). The error says which part is unknown and
// suggests the nearest known name.
func (r *Registry) Resource(id string) (*Resource, error) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return nil, &NotFoundError{Kind: "resource", Name: id, Hint: "a resource is named provider.service.resource, e.g. " + r.ExampleResource()}
	}
	p := r.Provider(parts[0])
	if p == nil {
		return nil, notFound("provider", parts[0], "", parts[0], r.providerNames(), "SHOW PROVIDERS")
	}
	s := p.Service(parts[1])
	if s == nil {
		var names []string
		for _, s := range p.Services {
			names = append(names, s.Name)
		}
		return nil, notFound("service", p.Name+"."+parts[1], p.Name+".", parts[1], names, "SHOW SERVICES IN "+p.Name)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	res := s.Resource(parts[2])
	if res == nil {
		var names []string
		for _, r := range s.Resources() {
			names = append(names, r.Name)
		}
		return nil, notFound("resource", p.Name+"."+s.Name+"."+parts[2], p.Name+"."+s.Name+".", parts[2], names, "SHOW RESOURCES IN "+p.Name+"."+s.Name)
	}
	return res, nil
}

// ExampleResource returns the three-part name of a resource of the
// registry, for examples in messages: the first resource of the first
// service of the first provider, or "provider.service.resource" when the
// registry is empty.
func (r *Registry) ExampleResource() string {
	for _, p := range r.Providers {
		for _, s := range p.Services {
			for _, res := range s.Resources() {
				return res.ID()
			}
		}
	}
	return "provider.service.resource"
}

// ExampleService returns the two-part name of a service of the registry,
// for examples in messages, or "provider.service" when there is none.
func (r *Registry) ExampleService() string {
	for _, p := range r.Providers {
		for _, s := range p.Services {
			return p.Name + "." + s.Name
		}
	}
	return "provider.service"
}

func (r *Registry) providerNames() []string {
	var names []string
	for _, p := range r.Providers {
		names = append(names, p.Name)
	}
	return names
}
