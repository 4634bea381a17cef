package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

func TestListImagesPagination(t *testing.T) {
	c := start(t, emulator.Options{Images: 45})
	all := ids(c.s.Images())
	if len(all) != 45 {
		t.Fatalf("seeded %d images, want 45", len(all))
	}
	link := func(page, perPage int) string {
		return fmt.Sprintf("%s/v2/images?page=%d&per_page=%d", c.ts.URL, page, perPage)
	}
	tests := []struct {
		query string
		want  []int
		links map[string]string
	}{
		{"", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"per_page=20", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"page=1&per_page=20", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"page=2&per_page=20", all[20:40], map[string]string{"first": link(1, 20), "prev": link(1, 20), "next": link(3, 20), "last": link(3, 20)}},
		{"page=3&per_page=20", all[40:45], map[string]string{"first": link(1, 20), "prev": link(2, 20)}},
		{"page=4&per_page=20", []int{}, map[string]string{"first": link(1, 20), "prev": link(3, 20)}},
		{"page=9999999999999999&per_page=20", []int{}, map[string]string{"first": link(1, 20), "prev": link(9999999999999998, 20)}},
		{"per_page=45", all, map[string]string{}},
		{"per_page=200", all, map[string]string{}},
		{"per_page=1000", all, map[string]string{}},
		{"page=2&per_page=44", all[44:45], map[string]string{"first": link(1, 44), "prev": link(1, 44)}},
		{"page=7&per_page=7", all[42:45], map[string]string{"first": link(1, 7), "prev": link(6, 7)}},
		{"per_page=0", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"per_page=-3", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"per_page=abc", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"page=0", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"page=-1", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"page=x&per_page=y", all[0:20], map[string]string{"next": link(2, 20), "last": link(3, 20)}},
		{"unknown=1&per_page=40", all[0:40], map[string]string{"next": link(2, 40), "last": link(2, 40)}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got imageList
			r := c.getJSON("/v2/images?"+tt.query, &got)
			if !equalInts(ids(got.Images), tt.want) {
				t.Errorf("ids %v, want %v", ids(got.Images), tt.want)
			}
			if got.Images == nil {
				t.Error(`"images" is null, want an array`)
			}
			if !reflect.DeepEqual(got.Links.Pages, tt.links) {
				t.Errorf("links.pages\n got %v\nwant %v", got.Links.Pages, tt.links)
			}
			if got.Meta.Total != 45 {
				t.Errorf("meta.total %d, want 45", got.Meta.Total)
			}
			if len(tt.links) == 0 && !strings.Contains(string(r.body), `"links":{"pages":{}}`) {
				t.Errorf(`single page: body lacks "links":{"pages":{}}: %s`, truncate(r.body))
			}
		})
	}
}

func TestListImagesPerPageClamped(t *testing.T) {
	c := start(t, emulator.Options{Images: 450})
	var got imageList
	c.getJSON("/v2/images?per_page=1000", &got)
	if len(got.Images) != 200 {
		t.Fatalf("per_page=1000 gave %d images, want 200", len(got.Images))
	}
	want := map[string]string{
		"next": c.ts.URL + "/v2/images?page=2&per_page=200",
		"last": c.ts.URL + "/v2/images?page=3&per_page=200",
	}
	if !reflect.DeepEqual(got.Links.Pages, want) {
		t.Errorf("links.pages %v, want %v", got.Links.Pages, want)
	}
	if got.Meta.Total != 450 {
		t.Errorf("meta.total %d, want 450", got.Meta.Total)
	}
	if n := len(c.allImages("per_page=201")); n != 450 {
		t.Errorf("following next links listed %d images, want 450", n)
	}
}

func TestListImagesLinksCarryFilters(t *testing.T) {
	c := start(t, emulator.Options{Images: 200})
	tests := []struct {
		query string
		next  string
	}{
		{"type=distribution&per_page=2", "/v2/images?page=2&per_page=2&type=distribution"},
		{"type=application&per_page=2", "/v2/images?page=2&per_page=2&type=application"},
		{"private=true&tag_name=prod&per_page=1", "/v2/images?page=2&per_page=1&private=true&tag_name=prod"},
		{"private=false&per_page=300", ""},
		{"tag_name=legacy&per_page=1&page=1", "/v2/images?page=2&per_page=1&tag_name=legacy"},
		{"tag_name=&per_page=5", "/v2/images?page=2&per_page=5"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got imageList
			c.getJSON("/v2/images?"+tt.query, &got)
			want := ""
			if tt.next != "" {
				want = c.ts.URL + tt.next
			}
			if got.Links.Pages["next"] != want {
				t.Errorf("next %q, want %q", got.Links.Pages["next"], want)
			}
			if last := got.Links.Pages["last"]; last != "" {
				wantPrefix := strings.Replace(want, "page=2&", "", 1)
				if !strings.Contains(last, strings.TrimPrefix(wantPrefix, c.ts.URL+"/v2/images?")) {
					t.Errorf("last %q does not carry the filters of %q", last, want)
				}
			}
		})
	}
	// The second page's links carry them too.
	var p2 imageList
	c.getJSON("/v2/images?type=distribution&per_page=2&page=2", &p2)
	if want := c.ts.URL + "/v2/images?page=1&per_page=2&type=distribution"; p2.Links.Pages["first"] != want || p2.Links.Pages["prev"] != want {
		t.Errorf("first/prev %q %q, want %q", p2.Links.Pages["first"], p2.Links.Pages["prev"], want)
	}
}

func TestListImagesFilters(t *testing.T) {
	c := start(t, emulator.Options{Images: 300, Seed: 7})
	all := c.s.Images()
	tests := []struct {
		query string
		want  func(emulator.Image) bool
	}{
		{"", func(emulator.Image) bool { return true }},
		{"type=distribution", func(i emulator.Image) bool { return i.Public && i.Type == "base" }},
		{"type=application", func(i emulator.Image) bool { return i.Public && i.Type == "snapshot" }},
		{"private=true", func(i emulator.Image) bool { return !i.Public }},
		{"private=1", func(i emulator.Image) bool { return !i.Public }},
		{"private=false", func(emulator.Image) bool { return true }},
		{"tag_name=legacy", func(i emulator.Image) bool { return hasTag(i.Tags, "legacy") }},
		{"tag_name=prod", func(i emulator.Image) bool { return hasTag(i.Tags, "prod") }},
		{"tag_name=no-such-tag", func(emulator.Image) bool { return false }},
		{"private=true&tag_name=prod", func(i emulator.Image) bool { return !i.Public && hasTag(i.Tags, "prod") }},
		{"type=distribution&private=true", func(emulator.Image) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := c.allImages(tt.query + "&per_page=17")
			want := filter(all, tt.want)
			if !equalInts(ids(got), ids(want)) {
				t.Fatalf("ids\n got %v\nwant %v", ids(got), ids(want))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("listed objects differ from Server.Images()")
			}
		})
	}

	// The type filter is by family: it does not match the type field.
	dist := c.allImages("type=distribution&per_page=200")
	app := c.allImages("type=application&per_page=200")
	if len(dist) < 2 || len(app) < 2 {
		t.Fatalf("%d distribution and %d application images, want 2 or more each", len(dist), len(app))
	}
	for _, img := range dist {
		if img.Type != "base" || !img.Public || img.Slug == nil {
			t.Errorf("distribution image %d: type %q public %v slug %v", img.ID, img.Type, img.Public, img.Slug)
		}
	}
	privateSnapshots := filter(all, func(i emulator.Image) bool { return !i.Public && i.Type == "snapshot" })
	if len(privateSnapshots) == 0 {
		t.Fatal("no private snapshots seeded")
	}
	for _, img := range app {
		if img.Type != "snapshot" || !img.Public || img.Slug == nil {
			t.Errorf("application image %d: type %q public %v slug %v", img.ID, img.Type, img.Public, img.Slug)
		}
	}
}

func TestListImagesBadQuery(t *testing.T) {
	c := start(t, emulator.Options{})
	for _, q := range []string{"type=snapshot", "type=base", "type=Distribution", "private=maybe"} {
		t.Run(q, func(t *testing.T) {
			requireError(t, c.do(http.MethodGet, "/v2/images?"+q, ""), http.StatusBadRequest, "bad_request", "")
		})
	}
}

func TestImageJSONShape(t *testing.T) {
	c := start(t, emulator.Options{})
	all := c.s.Images()
	wantKeys := []string{"created_at", "description", "distribution", "error_message", "id", "min_disk_size",
		"name", "public", "regions", "size_gigabytes", "slug", "status", "tags", "type"}
	for _, img := range []emulator.Image{all[0], filter(all, func(i emulator.Image) bool { return i.Public })[0]} {
		r := c.do(http.MethodGet, fmt.Sprintf("/v2/images/%d", img.ID), "")
		var env map[string]map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &env); err != nil {
			t.Fatal(err)
		}
		if len(env) != 1 || env["image"] == nil {
			t.Fatalf("body %s: want one root key, image", r.body)
		}
		var keys []string
		for k := range env["image"] {
			keys = append(keys, k)
		}
		if !equalStrings(sortStrings(keys), wantKeys) {
			t.Errorf("image keys %v, want %v", sortStrings(keys), wantKeys)
		}
		if !img.Public && string(env["image"]["slug"]) != "null" {
			t.Errorf("private image slug %s, want null", env["image"]["slug"])
		}
	}
}

func TestGetImage(t *testing.T) {
	c := start(t, emulator.Options{Images: 60})
	all := c.s.Images()
	public := filter(all, func(i emulator.Image) bool { return i.Public })[0]
	private := filter(all, func(i emulator.Image) bool { return !i.Public })[0]
	tests := []struct {
		path string
		want *emulator.Image
	}{
		{fmt.Sprintf("/v2/images/%d", private.ID), &private},
		{fmt.Sprintf("/v2/images/%d", public.ID), &public},
		{"/v2/images/" + *public.Slug, &public},
		{"/v2/images/" + private.Name, nil}, // private images are got by id only
		{"/v2/images/ubuntu-99-04-x64", nil},
		{"/v2/images/1", nil},
		{"/v2/images/0", nil},
		{"/v2/images/-1", nil},
		{fmt.Sprintf("/v2/images/%d0000", all[len(all)-1].ID), nil},
		{"/v2/images/99999999999999999999999", nil},
		{"/v2/images/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := c.do(http.MethodGet, tt.path, "")
			if tt.want == nil {
				requireError(t, r, http.StatusNotFound, "not_found", "The resource you requested could not be found.")
				return
			}
			var got struct {
				Image emulator.Image `json:"image"`
			}
			if r.status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", r.status, r.body)
			}
			decodeStrict(t, r.body, &got)
			if !reflect.DeepEqual(got.Image, *tt.want) {
				t.Errorf("got %+v\nwant %+v", got.Image, *tt.want)
			}
		})
	}
}

func TestCreateImage(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	c := start(t, emulator.Options{Clock: func() time.Time { return now }})
	before := c.s.Images()
	maxID := before[len(before)-1].ID

	body := `{"name":"my-image","url":"https://example.com/disk.qcow2.gz","region":"nyc3",
		"distribution":"Debian","description":"imported","tags":["base","prod"],"unknown_key":{"x":1}}`
	r := c.do(http.MethodPost, "/v2/images", body)
	if r.status != http.StatusAccepted {
		t.Fatalf("status %d, want 202: %s", r.status, r.body)
	}
	var got struct {
		Image emulator.Image `json:"image"`
	}
	decodeStrict(t, r.body, &got)
	img := got.Image
	if img.ID <= maxID {
		t.Errorf("new id %d, want above %d", img.ID, maxID)
	}
	want := emulator.Image{
		ID: img.ID, Name: "my-image", Type: "custom", Distribution: "Debian", Slug: nil, Public: false,
		Regions: []string{}, CreatedAt: "2030-01-02T03:04:05Z", MinDiskSize: nil, SizeGigabytes: nil,
		Description: "imported", Tags: []string{"base", "prod"}, Status: "NEW", ErrorMessage: "",
	}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("created\n got %+v\nwant %+v", img, want)
	}
	for _, frag := range []string{`"slug":null`, `"regions":[]`, `"min_disk_size":null`, `"size_gigabytes":null`, `"status":"NEW"`} {
		if !strings.Contains(string(r.body), frag) {
			t.Errorf("body lacks %s: %s", frag, r.body)
		}
	}

	// It is there to get and to list, last in id order.
	var fetched struct {
		Image emulator.Image `json:"image"`
	}
	c.getJSON(fmt.Sprintf("/v2/images/%d", img.ID), &fetched)
	if !reflect.DeepEqual(fetched.Image, want) {
		t.Errorf("GET after create: %+v", fetched.Image)
	}
	after := c.s.Images()
	if len(after) != len(before)+1 || after[len(after)-1].ID != img.ID {
		t.Errorf("Images() after create: %d images, last id %d", len(after), after[len(after)-1].ID)
	}
	listed := c.allImages("private=true&per_page=200")
	if listed[len(listed)-1].ID != img.ID {
		t.Errorf("new image not last in the private list")
	}

	// A second one gets a greater id still.
	r2 := c.do(http.MethodPost, "/v2/images", `{"name":"b","url":"http://example.com/b.raw","region":"fra1"}`)
	var got2 struct {
		Image emulator.Image `json:"image"`
	}
	decodeStrict(t, r2.body, &got2)
	if got2.Image.ID <= img.ID {
		t.Errorf("second id %d not above %d", got2.Image.ID, img.ID)
	}
	if !strings.Contains(string(r2.body), `"tags":[]`) || got2.Image.Distribution != "Unknown" {
		t.Errorf("defaults: %s", r2.body)
	}
}

func TestCreateImageDistribution(t *testing.T) {
	c := start(t, emulator.Options{})
	tests := []struct{ sent, want string }{
		{`"Ubuntu"`, "Ubuntu"},
		{`"Fedora Atomic"`, "Fedora Atomic"},
		{`"openSUSE"`, "openSUSE"},
		{`"Rocky Linux"`, "Rocky Linux"},
		{`"Unknown"`, "Unknown"},
		{`"ubuntu"`, "Unknown"},
		{`"Windows"`, "Unknown"},
		{`""`, "Unknown"},
		{`null`, "Unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.sent, func(t *testing.T) {
			r := c.do(http.MethodPost, "/v2/images",
				`{"name":"x","url":"https://example.com/x.img","region":"sgp1","distribution":`+tt.sent+`}`)
			var got struct {
				Image emulator.Image `json:"image"`
			}
			decodeStrict(t, r.body, &got)
			if got.Image.Distribution != tt.want {
				t.Errorf("distribution %q, want %q", got.Image.Distribution, tt.want)
			}
		})
	}
}

func TestCreateImageInvalid(t *testing.T) {
	c := start(t, emulator.Options{})
	before := len(c.s.Images())
	tests := []struct {
		name    string
		body    string
		status  int
		id      string
		message []string
	}{
		{"missing name", `{"url":"https://e.com/a.img","region":"nyc3"}`, 422, "unprocessable_entity", []string{"name"}},
		{"missing url", `{"name":"a","region":"nyc3"}`, 422, "unprocessable_entity", []string{"url"}},
		{"missing region", `{"name":"a","url":"https://e.com/a.img"}`, 422, "unprocessable_entity", []string{"region"}},
		{"empty name", `{"name":"","url":"https://e.com/a.img","region":"nyc3"}`, 422, "unprocessable_entity", []string{"name"}},
		{"blank region", `{"name":"a","url":"https://e.com/a.img","region":"  "}`, 422, "unprocessable_entity", []string{"region"}},
		{"null url", `{"name":"a","url":null,"region":"nyc3"}`, 422, "unprocessable_entity", []string{"url"}},
		{"all missing", `{}`, 422, "unprocessable_entity", []string{"name", "url", "region"}},
		{"closed region", `{"name":"a","url":"https://e.com/a.img","region":"nyc2"}`, 422, "unprocessable_entity", []string{"nyc2"}},
		{"unknown region", `{"name":"a","url":"https://e.com/a.img","region":"xyz9"}`, 422, "unprocessable_entity", []string{"xyz9"}},
		{"not a url", `{"name":"a","url":"disk.img","region":"nyc3"}`, 422, "unprocessable_entity", []string{"url"}},
		{"ftp url", `{"name":"a","url":"ftp://e.com/a.img","region":"nyc3"}`, 422, "unprocessable_entity", []string{"url"}},
		{"malformed", `{"name":`, 400, "bad_request", []string{"error parsing request body"}},
		{"empty body", ``, 400, "bad_request", []string{"error parsing request body"}},
		{"array", `[]`, 400, "bad_request", []string{"error parsing request body"}},
		{"null", `null`, 400, "bad_request", []string{"error parsing request body"}},
		{"wrong type", `{"name":5,"url":"https://e.com/a.img","region":"nyc3"}`, 400, "bad_request", []string{"error parsing request body"}},
		{"trailing garbage", `{"name":"a","url":"https://e.com/a.img","region":"nyc3"} x`, 400, "bad_request", []string{"error parsing request body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := requireError(t, c.do(http.MethodPost, "/v2/images", tt.body), tt.status, tt.id, "")
			for _, part := range tt.message {
				if !strings.Contains(e.Message, part) {
					t.Errorf("message %q does not name %q", e.Message, part)
				}
			}
			if tt.status == 422 && !strings.HasPrefix(e.Message, "request payload validation failed") {
				t.Errorf("message %q does not start with the contract's message", e.Message)
			}
		})
	}
	if after := len(c.s.Images()); after != before {
		t.Errorf("invalid creates changed the image count from %d to %d", before, after)
	}
}

func TestUpdateImage(t *testing.T) {
	c := start(t, emulator.Options{})
	all := c.s.Images()
	custom := filter(all, func(i emulator.Image) bool { return i.Type == "custom" })[0]
	snapshot := filter(all, func(i emulator.Image) bool { return i.Type == "snapshot" && !i.Public })[0]
	backup := filter(all, func(i emulator.Image) bool { return i.Type == "backup" })[0]
	public := filter(all, func(i emulator.Image) bool { return i.Public })[0]

	tests := []struct {
		name   string
		id     string
		body   string
		status int
		apply  func(*emulator.Image) // the expected change, for 200
	}{
		{"custom all fields", fmt.Sprint(custom.ID), `{"name":"renamed","description":"new desc","distribution":"Debian"}`, 200,
			func(i *emulator.Image) { i.Name, i.Description, i.Distribution = "renamed", "new desc", "Debian" }},
		{"custom unknown distribution", fmt.Sprint(custom.ID), `{"distribution":"Windows"}`, 200,
			func(i *emulator.Image) { i.Distribution = "Unknown" }},
		{"custom empty body object", fmt.Sprint(custom.ID), `{}`, 200, func(*emulator.Image) {}},
		{"snapshot name only", fmt.Sprint(snapshot.ID), `{"name":"snap-renamed","description":"ignored","distribution":"Fedora"}`, 200,
			func(i *emulator.Image) { i.Name = "snap-renamed" }},
		{"backup name", fmt.Sprint(backup.ID), `{"name":"bk","extra":true}`, 200,
			func(i *emulator.Image) { i.Name = "bk" }},
		{"public image", fmt.Sprint(public.ID), `{"name":"mine"}`, 422, nil},
		{"blank name", fmt.Sprint(custom.ID), `{"name":" "}`, 422, nil},
		{"unknown id", "1", `{"name":"x"}`, 404, nil},
		{"slug", *public.Slug, `{"name":"x"}`, 404, nil},
		{"non-integer", "abc", `{"name":"x"}`, 404, nil},
		{"malformed", fmt.Sprint(custom.ID), `{"name"`, 400, nil},
		{"empty body", fmt.Sprint(custom.ID), ``, 400, nil},
		{"wrong type", fmt.Sprint(custom.ID), `{"name":["x"]}`, 400, nil},
	}
	current := map[int]emulator.Image{custom.ID: custom, snapshot.ID: snapshot, backup.ID: backup}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(http.MethodPut, "/v2/images/"+tt.id, tt.body)
			switch tt.status {
			case 200:
				if r.status != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", r.status, r.body)
				}
				var got struct {
					Image emulator.Image `json:"image"`
				}
				decodeStrict(t, r.body, &got)
				var id int
				fmt.Sscan(tt.id, &id)
				want := current[id]
				tt.apply(&want)
				if !reflect.DeepEqual(got.Image, want) {
					t.Errorf("updated\n got %+v\nwant %+v", got.Image, want)
				}
				var fetched struct {
					Image emulator.Image `json:"image"`
				}
				c.getJSON("/v2/images/"+tt.id, &fetched)
				if !reflect.DeepEqual(fetched.Image, want) {
					t.Errorf("GET after update: %+v", fetched.Image)
				}
				current[id] = want
			case 400:
				requireError(t, r, 400, "bad_request", "error parsing request body")
			case 404:
				requireError(t, r, 404, "not_found", "The resource you requested could not be found.")
			case 422:
				requireError(t, r, 422, "unprocessable_entity", "request payload validation failed")
			}
		})
	}
}

func TestDeleteImage(t *testing.T) {
	c := start(t, emulator.Options{})
	all := c.s.Images()
	snapshot := filter(all, func(i emulator.Image) bool { return i.Type == "snapshot" && !i.Public })[0]
	custom := filter(all, func(i emulator.Image) bool { return i.Type == "custom" })[0]
	backup := filter(all, func(i emulator.Image) bool { return i.Type == "backup" })[0]
	distribution := filter(all, func(i emulator.Image) bool { return i.Type == "base" })[0]
	application := filter(all, func(i emulator.Image) bool { return i.Type == "snapshot" && i.Public })[0]

	for _, img := range []emulator.Image{snapshot, custom} {
		path := fmt.Sprintf("/v2/images/%d", img.ID)
		r := c.do(http.MethodDelete, path, "")
		if r.status != http.StatusNoContent {
			t.Fatalf("DELETE %s: status %d, want 204: %s", path, r.status, r.body)
		}
		if len(r.body) != 0 {
			t.Errorf("DELETE %s: body %q, want empty", path, r.body)
		}
		for _, h := range []string{"Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset", "X-Request-Id"} {
			if r.header.Get(h) == "" {
				t.Errorf("DELETE %s: no %s header", path, h)
			}
		}
		if ct := r.header.Get("Content-Type"); ct != "" {
			t.Errorf("DELETE %s: Content-Type %q on a 204", path, ct)
		}
		requireError(t, c.do(http.MethodGet, path, ""), 404, "not_found", "")
		requireError(t, c.do(http.MethodDelete, path, ""), 404, "not_found", "")
		for _, left := range c.s.Images() {
			if left.ID == img.ID {
				t.Errorf("image %d still in Images()", img.ID)
			}
		}
	}
	if n := len(c.allImages("per_page=200")); n != len(all)-2 {
		t.Errorf("listed %d images after 2 deletes of %d", n, len(all))
	}

	tests := []struct {
		name   string
		id     string
		status int
	}{
		{"backup", fmt.Sprint(backup.ID), 422},
		{"public distribution", fmt.Sprint(distribution.ID), 422},
		{"public application", fmt.Sprint(application.ID), 422},
		{"slug", *distribution.Slug, 404},
		{"non-integer", "abc", 404},
		{"unknown", "7", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(http.MethodDelete, "/v2/images/"+tt.id, "")
			if tt.status == 422 {
				requireError(t, r, 422, "unprocessable_entity", "request payload validation failed")
			} else {
				requireError(t, r, 404, "not_found", "")
			}
		})
	}
	if n := len(c.s.Images()); n != len(all)-2 {
		t.Errorf("refused deletes changed the image count: %d", n)
	}
}

func TestImageActions(t *testing.T) {
	c := start(t, emulator.Options{Clock: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }})
	all := c.s.Images()
	snapshot := filter(all, func(i emulator.Image) bool {
		return i.Type == "snapshot" && !i.Public && i.Status == "available" && !hasString(i.Regions, "tor1")
	})[0]
	backup := filter(all, func(i emulator.Image) bool { return i.Type == "backup" })[0]
	public := filter(all, func(i emulator.Image) bool { return i.Public })[0]
	pending := filter(all, func(i emulator.Image) bool { return i.Status != "available" })[0]

	type action struct {
		Action emulator.Action `json:"action"`
	}
	r := c.do(http.MethodPost, fmt.Sprintf("/v2/images/%d/actions", snapshot.ID), `{"type":"transfer","region":"tor1"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("transfer: status %d: %s", r.status, r.body)
	}
	var a action
	decodeStrict(t, r.body, &a)
	if a.Action.Type != "transfer" || a.Action.Status != "completed" || a.Action.ResourceID != snapshot.ID ||
		a.Action.ResourceType != "image" || a.Action.RegionSlug == nil || *a.Action.RegionSlug != "tor1" ||
		a.Action.ID == 0 || a.Action.StartedAt != "2026-11-01T00:00:00Z" {
		t.Errorf("transfer action %+v", a.Action)
	}
	var got struct {
		Image emulator.Image `json:"image"`
	}
	c.getJSON(fmt.Sprintf("/v2/images/%d", snapshot.ID), &got)
	if want := append(append([]string{}, snapshot.Regions...), "tor1"); !reflect.DeepEqual(got.Image.Regions, want) {
		t.Errorf("regions after transfer %v, want %v", got.Image.Regions, want)
	}

	r = c.do(http.MethodPost, fmt.Sprintf("/v2/images/%d/actions", backup.ID), `{"type":"convert"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("convert: status %d: %s", r.status, r.body)
	}
	var a2 action
	decodeStrict(t, r.body, &a2)
	if a2.Action.ID <= a.Action.ID || a2.Action.Type != "convert" {
		t.Errorf("convert action %+v", a2.Action)
	}
	c.getJSON(fmt.Sprintf("/v2/images/%d", backup.ID), &got)
	if got.Image.Type != "snapshot" {
		t.Errorf("type after convert %q, want snapshot", got.Image.Type)
	}
	var snap struct {
		Snapshot emulator.Snapshot `json:"snapshot"`
	}
	c.getJSON(fmt.Sprintf("/v2/snapshots/%d", backup.ID), &snap)

	tests := []struct {
		name, id, body string
		status         int
	}{
		{"convert a snapshot", fmt.Sprint(snapshot.ID), `{"type":"convert"}`, 422},
		{"transfer without region", fmt.Sprint(snapshot.ID), `{"type":"transfer"}`, 422},
		{"transfer to a closed region", fmt.Sprint(snapshot.ID), `{"type":"transfer","region":"ams2"}`, 422},
		{"transfer a public image", fmt.Sprint(public.ID), `{"type":"transfer","region":"lon1"}`, 422},
		{"transfer an image not available", fmt.Sprint(pending.ID), `{"type":"transfer","region":"lon1"}`, 422},
		{"unknown type", fmt.Sprint(snapshot.ID), `{"type":"resize"}`, 422},
		{"unknown image", "5", `{"type":"convert"}`, 404},
		{"malformed", fmt.Sprint(snapshot.ID), `{`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(http.MethodPost, "/v2/images/"+tt.id+"/actions", tt.body)
			if r.status != tt.status {
				t.Errorf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func equalStrings(a, b []string) bool {
	return reflect.DeepEqual(a, b)
}
