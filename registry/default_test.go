package registry_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apiql/apiql/registry"
)

func images(t *testing.T) *registry.Resource {
	t.Helper()
	reg, err := registry.Default()
	if err != nil {
		t.Fatalf("Default()=%v", err)
	}
	r, err := reg.Resource("digitalocean.images.images")
	if err != nil {
		t.Fatalf("Resource()=%v", err)
	}
	return r
}

// The fields of digitalocean.images.images, as the seed describes them.
func TestDefaultImagesFields(t *testing.T) {
	want := []struct{ name, typ, desc string }{
		{"id", "integer", "A unique number that can be used to identify and reference a specific image."},
		{"name", "string", "The display name that has been given to an image. This is what is shown in the control panel and is generally a descriptive title for the image in question."},
		{"description", "string", "An optional free-form text field to describe an image."},
		{"created_at", "string", "A time value given in ISO8601 combined date and time format that represents when the image was created."},
		{"distribution", "string", "The name of a custom image's distribution. Currently, the valid values are Arch Linux, CentOS, CoreOS, Debian, Fedora, Fedora Atomic, FreeBSD, Gentoo, openSUSE, RancherOS, Rocky Linux, Ubuntu, and Unknown. Any other value will be accepted but ignored, and Unknown will be used in its place."},
		{"error_message", "string", "A string containing information about errors that may occur when importing\na custom image."},
		{"min_disk_size", "integer", "The minimum disk size in GB required for a Droplet to use this image."},
		{"public", "boolean", "This is a boolean value that indicates whether the image in question is public or not. An image that is public is available to all accounts. A non-public image is only accessible from your account."},
		{"regions", "array", "This attribute is an array of the regions that the image is available in. The regions are represented by their identifying slug values."},
		{"size_gigabytes", "number", "The size of the image in gigabytes."},
		{"slug", "string", "A uniquely identifying string that is associated with each of the DigitalOcean-provided public images. These can be used to reference a public image as an alternative to the numeric id."},
		{"status", "string", "A status string indicating the state of a custom image. This may be NEW,\navailable, pending, deleted, or retired."},
		{"tags", "array", "A flat array of tag names as strings to be applied to the resource. Tag names may be for either existing or new tags."},
		{"type", "string", "Describes the kind of image. It may be one of base, snapshot, backup, custom, or admin. Respectively, this specifies whether an image is a DigitalOcean base OS image, user-generated Droplet snapshot, automatically created Droplet backup, user-provided virtual machine image, or an image used for DigitalOcean managed resources (e.g. DOKS worker nodes)."},
	}
	r := images(t)
	if got, want := len(r.Fields), len(want); got != want {
		t.Fatalf("len(Fields)=%d, want %d", got, want)
	}
	for i, w := range want {
		f := r.Fields[i]
		if got, want := f.Name, w.name; got != want {
			t.Fatalf("Fields[%d].Name=%q, want %q", i, got, want)
		}
		if got, want := f.Type, w.typ; got != want {
			t.Errorf("field %s: Type=%q, want %q", f.Name, got, want)
		}
		if got, want := f.Description, w.desc; got != want {
			t.Errorf("field %s: Description=%q, want %q", f.Name, got, want)
		}
		// The spec types created_at as a date-time string; the seed's
		// datatype column shows the type (string), not the format.
		wantFormat := ""
		if w.name == "created_at" {
			wantFormat = registry.FormatDateTime
		}
		if got := f.Format; got != wantFormat {
			t.Errorf("field %s: Format=%q, want %q", f.Name, got, wantFormat)
		}
		if got, want := r.Field(w.name), f; got != want {
			t.Errorf("Field(%q)=%v, want %v", w.name, got, want)
		}
	}
}

func TestDefaultImagesMethods(t *testing.T) {
	r := images(t)
	want := []struct {
		name, verb, http, responseKey string
		paginated                     bool
		params, required, body        string // comma-separated names
		requiredBody                  string
	}{
		{"get", "select", "GET /v2/images/{image_id}", "image", false, "image_id", "image_id", "", ""},
		{"list", "select", "GET /v2/images", "images", true, "type,private,tag_name", "", "", ""},
		{"create_custom", "insert", "POST /v2/images", "image", false, "", "", "name,region,url,distribution,description,tags", "name,region,url"},
		{"delete", "delete", "DELETE /v2/images/{image_id}", "", false, "image_id", "image_id", "", ""},
		{"_get", "exec", "GET /v2/images/{image_id}", "image", false, "image_id", "image_id", "", ""},
		{"_list", "exec", "GET /v2/images", "images", true, "type,private,tag_name", "", "", ""},
		{"update", "exec", "PUT /v2/images/{image_id}", "image", false, "image_id", "image_id", "name,distribution,description", ""},
	}
	if got, want := len(r.Methods), len(want); got != want {
		t.Fatalf("len(Methods)=%d, want %d", got, want)
	}
	names := func(ps []*registry.Param) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.Name)
		}
		return strings.Join(s, ",")
	}
	for i, w := range want {
		m := r.Methods[i]
		if got, want := m.Name, w.name; got != want {
			t.Fatalf("Methods[%d].Name=%q, want %q", i, got, want)
		}
		if got, want := m.Verb, w.verb; got != want {
			t.Errorf("%s: Verb=%q, want %q", m.Name, got, want)
		}
		if got, want := m.HTTPMethod+" "+m.Path, w.http; got != want {
			t.Errorf("%s: http=%q, want %q", m.Name, got, want)
		}
		if got, want := m.ResponseKey, w.responseKey; got != want {
			t.Errorf("%s: ResponseKey=%q, want %q", m.Name, got, want)
		}
		if got, want := m.Paginated, w.paginated; got != want {
			t.Errorf("%s: Paginated=%v, want %v", m.Name, got, want)
		}
		if got, want := names(m.Params), w.params; got != want {
			t.Errorf("%s: Params=%q, want %q", m.Name, got, want)
		}
		if got, want := strings.Join(m.RequiredParams(), ","), w.required; got != want {
			t.Errorf("%s: RequiredParams()=%q, want %q", m.Name, got, want)
		}
		if got, want := names(m.Body), w.body; got != want {
			t.Errorf("%s: Body=%q, want %q", m.Name, got, want)
		}
		if got, want := strings.Join(m.RequiredBody(), ","), w.requiredBody; got != want {
			t.Errorf("%s: RequiredBody()=%q, want %q", m.Name, got, want)
		}
		if got, want := m.Resource, r; got != want {
			t.Errorf("%s: Resource=%p, want %p", m.Name, got, want)
		}
		if m.Description == "" {
			t.Errorf("%s: no description", m.Name)
		}
		for _, p := range append(slices.Clone(m.Params), m.Body...) {
			if p.Description == "" {
				t.Errorf("%s: param %s has no description", m.Name, p.Name)
			}
		}
	}
}

func TestDefaultImagesParams(t *testing.T) {
	r := images(t)
	tests := []struct {
		method, param, in, typ, field string
		enum                          []string
	}{
		{"get", "image_id", "path", "string", "id", nil},
		{"_get", "image_id", "path", "string", "id", nil},
		{"delete", "image_id", "path", "integer", "id", nil},
		{"update", "image_id", "path", "integer", "id", nil},
		{"list", "type", "query", "string", "", []string{"distribution", "application"}},
		{"list", "private", "query", "boolean", "", nil},
		{"list", "tag_name", "query", "string", "", nil},
		{"_list", "type", "query", "string", "", []string{"distribution", "application"}},
		{"create_custom", "name", "body", "string", "", nil},
		{"create_custom", "tags", "body", "array", "", nil},
	}
	for _, tt := range tests {
		m := r.Method(tt.method)
		p := m.Param(tt.param)
		if p == nil {
			p = m.BodyField(tt.param)
		}
		if p == nil {
			t.Fatalf("%s: no param %s", tt.method, tt.param)
		}
		if got, want := p.In, tt.in; got != want {
			t.Errorf("%s.%s: In=%q, want %q", tt.method, tt.param, got, want)
		}
		if got, want := p.Type, tt.typ; got != want {
			t.Errorf("%s.%s: Type=%q, want %q", tt.method, tt.param, got, want)
		}
		if got, want := p.Field, tt.field; got != want {
			t.Errorf("%s.%s: Field=%q, want %q", tt.method, tt.param, got, want)
		}
		if got, want := p.Enum, tt.enum; !slices.Equal(got, want) {
			t.Errorf("%s.%s: Enum=%q, want %q", tt.method, tt.param, got, want)
		}
	}
}

func TestDefaultImagesDescriptions(t *testing.T) {
	r := images(t)
	tests := []struct{ method, want string }{
		{"get", "To retrieve information about an image, send a GET request to\n/v2/images/$IDENTIFIER."},
		{"create_custom", "To create a new custom image, send a POST request to /v2/images.\nThe body must contain a url attribute pointing to a Linux virtual machine\nimage to be imported into DigitalOcean.\nThe image must be in the raw, qcow2, vhdx, vdi, or vmdk format.\nIt may be compressed using gzip or bzip2 and must be smaller than 100 GB after\nbeing decompressed."},
		{"delete", "To delete a snapshot or custom image, send a DELETE request to /v2/images/$IMAGE_ID."},
		{"update", "To update an image, send a PUT request to /v2/images/$IMAGE_ID.\nSet the name attribute to the new value you would like to use.\nFor custom images, the description and distribution attributes may also be updated."},
	}
	for _, tt := range tests {
		if got, want := r.Method(tt.method).Description, tt.want; got != want {
			t.Errorf("%s: Description=%q, want %q", tt.method, got, want)
		}
	}
	if got, want := r.Method("_get").Description, r.Method("get").Description; got != want {
		t.Errorf("_get: Description=%q, want get's %q", got, want)
	}
	list := r.Method("list").Description
	if got, want := r.Method("_list").Description, list; got != want {
		t.Errorf("_list: Description=%q, want list's %q", got, want)
	}
	for _, s := range []string{
		"To list all of the images available on your account, send a GET request to /v2/images.\n\n## Filtering Results\n",
		"> Important: The type query parameter does not directly relate to the type attribute.",
		"/v2/images?type=distribution.",
		"/v2/images?type=application.",
		"/v2/images?private=true.",
		"/v2/images?tag_name=$TAG_NAME.",
	} {
		if !strings.Contains(list, s) {
			t.Errorf("list: Description lacks %q", s)
		}
	}
}

func TestDefaultProvider(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatalf("Default()=%v", err)
	}
	p := reg.Provider("digitalocean")
	if p == nil {
		t.Fatal(`Provider("digitalocean")=nil`)
	}
	if got, want := p.BaseURL, "https://api.digitalocean.com"; got != want {
		t.Errorf("BaseURL=%q, want %q", got, want)
	}
	if got, want := p.BaseURLEnv, "DIGITALOCEAN_API_URL"; got != want {
		t.Errorf("BaseURLEnv=%q, want %q", got, want)
	}
	if got, want := p.Auth.Type, registry.AuthBearer; got != want {
		t.Errorf("Auth.Type=%q, want %q", got, want)
	}
	if got, want := p.Auth.TokenEnv, []string{"DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"}; !slices.Equal(got, want) {
		t.Errorf("Auth.TokenEnv=%q, want %q", got, want)
	}
	if got, want := *p.Pagination, (registry.Pagination{Style: "links", Next: "links.pages.next", Last: "links.pages.last",
		Total: "meta.total", PageParam: "page", SizeParam: "per_page", MaxPageSize: 200}); got != want {
		t.Errorf("Pagination=%+v, want %+v", got, want)
	}
	var ids []string
	for _, s := range p.Services {
		if got, want := s.Provider, p; got != want {
			t.Errorf("service %s: Provider=%p, want %p", s.Name, got, want)
		}
		for _, r := range s.Resources() {
			if got, want := r.Service, s; got != want {
				t.Errorf("resource %s: Service=%p, want %p", r.Name, got, want)
			}
			ids = append(ids, r.ID())
		}
	}
	// The registry is generated from the whole API (registry/openapigen
	// checks it against the spec); the seed's four resources keep their names.
	for _, want := range []string{"digitalocean.droplets.droplets", "digitalocean.images.images", "digitalocean.regions.regions", "digitalocean.snapshots.snapshots"} {
		if !slices.Contains(ids, want) {
			t.Errorf("resources lack %q", want)
		}
	}
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("resources=%q, want sorted and distinct", ids)
	}
}

// The resources the images audit joins against.
func TestDefaultRelatedResources(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatalf("Default()=%v", err)
	}
	tests := []struct {
		id, fields, methods string
	}{
		{"digitalocean.regions.regions", "name:string slug:string features:array available:boolean sizes:array", "list:select"},
		{"digitalocean.snapshots.snapshots", "id:string name:string created_at:string regions:array min_disk_size:integer size_gigabytes:number resource_id:string resource_type:string tags:array", "get:select list:select delete:delete"},
		// Every field of the spec's droplet model.
		{"digitalocean.droplets.droplets", "id:integer name:string memory:integer vcpus:integer disk:integer disk_info:array locked:boolean status:string kernel:object created_at:string features:array backup_ids:array next_backup_window:object snapshot_ids:array image:object volume_ids:array size:object size_slug:string networks:object region:object tags:array vpc_uuid:string gpu_info:object",
			"get:select list:select create:insert destroy:delete destroy_by_tag:exec post_by_tag:exec"},
	}
	for _, tt := range tests {
		r, err := reg.Resource(tt.id)
		if err != nil {
			t.Fatalf("Resource(%q)=%v", tt.id, err)
		}
		var fs, ms []string
		for _, f := range r.Fields {
			fs = append(fs, f.Name+":"+f.Type)
		}
		for _, m := range r.Methods {
			ms = append(ms, m.Name+":"+m.Verb)
		}
		if got, want := strings.Join(fs, " "), tt.fields; got != want {
			t.Errorf("%s: fields=%q, want %q", tt.id, got, want)
		}
		if got, want := strings.Join(ms, " "), tt.methods; got != want {
			t.Errorf("%s: methods=%q, want %q", tt.id, got, want)
		}
	}
	snap, _ := reg.Resource("digitalocean.snapshots.snapshots")
	if got, want := snap.Method("list").Param("resource_type").Field, "resource_type"; got != want {
		t.Errorf("snapshots list resource_type: Field=%q, want %q", got, want)
	}
	drop, _ := reg.Resource("digitalocean.droplets.droplets")
	if got, want := drop.Method("list").Param("name").Field, "name"; got != want {
		t.Errorf("droplets list name: Field=%q, want %q", got, want)
	}
	if got, want := drop.Method("get").Param("droplet_id").Type, "integer"; got != want {
		t.Errorf("droplets get droplet_id: Type=%q, want %q", got, want)
	}
	// The list's type filter: GPU Droplets are listed only when asked for.
	if p := drop.Method("list").Param("type"); p == nil || !slices.Equal(p.Enum, []string{"droplets", "gpus"}) || p.Field != "" {
		t.Errorf("droplets list type: %+v, want a param column with enum droplets, gpus", p)
	}
}

func TestResourceSuggestion(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatalf("Default()=%v", err)
	}
	tests := []struct{ id, kind, suggestion string }{
		{"digitalocean.images.imags", "resource", "digitalocean.images.images"},
		{"digitalocean.imagez.images", "service", "digitalocean.images"},
		{"digitalocaen.images.images", "provider", "digitalocean"},
	}
	for _, tt := range tests {
		_, err := reg.Resource(tt.id)
		var nf *registry.NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("Resource(%q)=%v, want a *NotFoundError", tt.id, err)
		}
		if got, want := nf.Kind, tt.kind; got != want {
			t.Errorf("Resource(%q): Kind=%q, want %q", tt.id, got, want)
		}
		if got, want := nf.Suggestion, tt.suggestion; got != want {
			t.Errorf("Resource(%q): Suggestion=%q, want %q", tt.id, got, want)
		}
	}
}

// digitalocean.images.images is exactly the seed's resource: the seed's page
// (testdata/registry/seed-images-resource.txt, a copy of the project's
// shared docs/seed-images-resource.txt) lists its fields and methods as
// rows of name, type and description run together; the registry's rows,
// written the same way, must be that text.
func TestDefaultImagesIsTheSeed(t *testing.T) {
	seed, err := os.ReadFile("../testdata/registry/seed-images-resource.txt")
	if err != nil {
		t.Fatal(err)
	}
	r := images(t)
	var fields strings.Builder
	fields.WriteString("Fields\n\nNameDatatypeDescription\n")
	for _, f := range r.Fields {
		fields.WriteString(f.Name + f.Type + f.Description + "\n")
	}
	var methods strings.Builder
	methods.WriteString("Methods\n\nNameAccessible byRequired ParamsDescription\n")
	for _, m := range r.Methods {
		required := m.RequiredParams()
		for _, b := range m.RequiredBody() {
			required = append(required, "data__"+b)
		}
		methods.WriteString(m.Name + strings.ToUpper(m.Verb) + strings.Join(required, ", ") + m.Description + "\n")
	}
	want := "Skip to main content\n\nimages\n\nOverview\n\nNameimages\nTypeResource\nIddigitalocean.images.images\n\n" +
		fields.String() + "\n" + methods.String()
	if got := strings.TrimRight(string(seed), "\n"); got != strings.TrimRight(want, "\n") {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("images.images differs from the seed at line %d:\nseed:     %q\nregistry: %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("images.images differs from the seed: %d lines, want %d", len(wl), len(gl))
	}
}

// The embedded registry is read a service at a time, on first use; read
// whole, it has no problem Load would report for a folder (parents included).
func TestDefaultCheck(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatalf("Default()=%v", err)
	}
	if err := reg.Check(); err != nil {
		t.Fatalf("Check()=%v", err)
	}
	// The same files loaded as a folder (eagerly) give the same registry.
	folder, err := registry.LoadFS(os.DirFS("providers"), "providers")
	if err != nil {
		t.Fatalf("LoadFS(providers)=%v", err)
	}
	for i, p := range reg.Providers {
		q := folder.Providers[i]
		for j, s := range p.Services {
			u := q.Services[j]
			if s.Name != u.Name || s.Title != u.Title || s.Description != u.Description || s.Pos.Line != u.Pos.Line || s.Pos.Column != u.Pos.Column || len(s.Resources()) != len(u.Resources()) {
				t.Fatalf("service %s: lazy and eager loads differ:\n%q %q %q %v\n%q %q %q %v", s.Name, s.Name, s.Title, s.Description, s.Pos, u.Name, u.Title, u.Description, u.Pos)
			}
			for k, r := range s.Resources() {
				if r.Service != s || r.Name != u.Resources()[k].Name || len(r.Fields) != len(u.Resources()[k].Fields) || r.Pos.Line != u.Resources()[k].Pos.Line {
					t.Errorf("resource %s.%s: lazy and eager loads differ", s.Name, r.Name)
				}
			}
		}
	}
}

// BenchmarkDefault is the registry's part of start-up: the embedded
// registry loaded, its services' files read only as far as their headers.
func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := registry.Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefaultWhole reads every service too, as the first query that
// touches every resource does.
func BenchmarkDefaultWhole(b *testing.B) {
	for b.Loop() {
		reg, err := registry.Default()
		if err != nil {
			b.Fatal(err)
		}
		if err := reg.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

// Every get of one object (a select method, not paged, whose path ends in a
// placeholder) names the object by one of its resource's fields on that
// placeholder, so that the engine turns the get's 404 into no rows (an
// object that does not exist) rather than an error about a parent.
func TestDefaultGetsNameTheirObject(t *testing.T) {
	// Gets whose object has no field the placeholder stands for.
	noField := map[string]string{
		"monitoring.sinks.get": "a sink (destination, resources) has no field holding its uuid",
	}
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	gets := 0
	for _, p := range reg.Providers {
		for _, s := range p.Services {
			for _, r := range s.Resources() {
				for _, m := range r.Methods {
					segs := strings.Split(m.Path, "/")
					last := segs[len(segs)-1]
					if m.Verb != registry.VerbSelect || m.Paginated || m.Raw != "" || !strings.HasPrefix(last, "{") {
						continue
					}
					id := s.Name + "." + r.Name + "." + m.Name
					name := strings.Trim(last, "{}")
					var prm *registry.Param
					for _, pa := range m.Params {
						if pa.Name == name {
							prm = pa
						}
					}
					if prm == nil {
						t.Errorf("%s: no param %s", id, name)
						continue
					}
					gets++
					named := prm.Field != "" && r.Field(prm.Field) != nil
					if why, ok := noField[id]; ok {
						if named {
							t.Errorf("%s: %s names field %s, but the test's exception says %s", id, name, prm.Field, why)
						}
						continue
					}
					if !named {
						t.Errorf("%s (%s): path parameter %s has no field: a 404 of the get is an error, not no rows", id, m.Path, name)
					}
				}
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if gets < 50 {
		t.Errorf("%d gets checked, want the whole registry's", gets)
	}
	t.Logf("%d gets checked", gets)
}

// The spec's values of a field and keys of an object field reach the
// registry: the images' type field, a Droplet's region.
func TestDefaultFieldEnumAndKeys(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	img, err := reg.Resource("digitalocean.images.images")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(img.Field("type").Enum, ","), "base,snapshot,backup,custom,admin"; got != want {
		t.Errorf("images type enum %q, want %q", got, want)
	}
	d, err := reg.Resource("digitalocean.droplets.droplets")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Field("region").Keys; !slices.Contains(got, "slug") || !slices.Contains(got, "name") {
		t.Errorf("droplets region keys %v, want slug and name among them", got)
	}
	if got := d.Field("size_slug").Enum; len(got) != 0 {
		t.Errorf("size_slug enum %v, want none", got)
	}
}
